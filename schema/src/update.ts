import * as Y from 'yjs'
import { Reason, WaggleError } from './errors.ts'

/** Bounds for decoding an untrusted Yjs update before anything applies it. */
export interface UpdateLimits {
  maxBytes: number
  maxStructs: number
  /** Deepest nesting of arrays and objects in one plain value (ContentAny, ContentJSON). */
  maxValueDepth: number
  /**
   * Largest plain value, as the length of its JSON text (near its size in bytes for ASCII;
   * strings count their UTF-16 length). A message at its limits (10,000 characters, 1,000
   * mentions, 20 attachments) is about 45,000.
   */
  maxValueSize: number
}

export const DEFAULT_UPDATE_LIMITS: UpdateLimits = { maxBytes: 2 * 1024 * 1024, maxStructs: 200_000, maxValueDepth: 16, maxValueSize: 100_000 }

/** Why a value is refused, or null; walks it with an explicit stack (no recursion on untrusted depth). */
function checkValue(value: unknown, limits: UpdateLimits): WaggleError | null {
  let size = 0
  const stack: { v: unknown; depth: number }[] = [{ v: value, depth: 0 }]
  while (stack.length > 0) {
    const { v, depth } = stack.pop() as { v: unknown; depth: number }
    if (typeof v === 'string') size += v.length + 2
    else if (v instanceof Uint8Array) size += v.byteLength
    else if (typeof v === 'object' && v !== null) {
      if (depth >= limits.maxValueDepth) {
        return new WaggleError(Reason.valueTooDeep, `A value nests deeper than ${limits.maxValueDepth} levels`)
      }
      size += 2
      if (Array.isArray(v)) {
        for (const x of v as unknown[]) stack.push({ v: x, depth: depth + 1 })
        size += v.length
      } else {
        for (const [k, x] of Object.entries(v)) {
          size += k.length + 4
          stack.push({ v: x, depth: depth + 1 })
        }
      }
    } else size += 8
    if (size > limits.maxValueSize) {
      return new WaggleError(Reason.valueTooLarge, `A value is over the size limit of ${limits.maxValueSize}`)
    }
  }
  return null
}

/**
 * Decodes an untrusted update once to prove it is well-formed and within bounds; returns the
 * decoded form so callers can inspect it. Throws `frame-too-large` or `malformed-update` for
 * the bytes and structs, `value-too-deep` or `value-too-large` for a plain value nested deeper
 * than `maxValueDepth` or larger than `maxValueSize` (see {@link UpdateLimits}).
 */
export function validateUpdate(update: Uint8Array, limits: UpdateLimits = DEFAULT_UPDATE_LIMITS): ReturnType<typeof Y.decodeUpdate> {
  if (update.byteLength > limits.maxBytes) {
    throw new WaggleError(Reason.frameTooLarge, `Update of ${update.byteLength} bytes is over the ${limits.maxBytes}-byte limit`)
  }
  let decoded: ReturnType<typeof Y.decodeUpdate>
  try {
    decoded = Y.decodeUpdate(update)
  } catch (err) {
    throw new WaggleError(Reason.malformedUpdate, `Malformed update: ${(err as Error).message}`)
  }
  if (decoded.structs.length > limits.maxStructs) {
    throw new WaggleError(Reason.malformedUpdate, `Update has ${decoded.structs.length} structs, over the ${limits.maxStructs} limit`)
  }
  for (const s of decoded.structs) {
    if (!(s instanceof Y.Item)) continue
    const c = s.content
    if (c instanceof Y.ContentAny || c instanceof Y.ContentJSON) {
      for (const value of c.getContent()) {
        const err = checkValue(value, limits)
        if (err !== null) throw err
      }
    } else if (c instanceof Y.ContentString && c.str.length > limits.maxValueSize) {
      throw new WaggleError(Reason.valueTooLarge, `A value is over the size limit of ${limits.maxValueSize}`)
    } else if (c instanceof Y.ContentBinary && c.content.byteLength > limits.maxValueSize) {
      throw new WaggleError(Reason.valueTooLarge, `A value is over the size limit of ${limits.maxValueSize}`)
    }
  }
  return decoded
}

/** True when an update carries neither structs nor deletions (for example an empty step 2). */
export function isEmptyUpdate(decoded: ReturnType<typeof Y.decodeUpdate>): boolean {
  return decoded.structs.length === 0 && decoded.ds.clients.size === 0
}
