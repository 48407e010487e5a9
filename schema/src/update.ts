import * as Y from 'yjs'
import { Reason, WaggleError } from './errors.ts'

/** Bounds for decoding an untrusted Yjs update before anything applies it. */
export interface UpdateLimits {
  maxBytes: number
  maxStructs: number
}

export const DEFAULT_UPDATE_LIMITS: UpdateLimits = { maxBytes: 2 * 1024 * 1024, maxStructs: 200_000 }

/**
 * Decodes an untrusted update once to prove it is well-formed and within bounds; returns the
 * decoded form so callers can inspect it. Throws `malformed-update` otherwise.
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
  return decoded
}

/** True when an update carries neither structs nor deletions (for example an empty step 2). */
export function isEmptyUpdate(decoded: ReturnType<typeof Y.decodeUpdate>): boolean {
  return decoded.structs.length === 0 && decoded.ds.clients.size === 0
}
