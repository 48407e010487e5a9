import * as v from 'valibot'
import type * as Y from 'yjs'
import { Reason } from '../errors.ts'
import type { UserId } from '../ids.ts'
import { AutoStatusSchema, PresenceLayout, StatusSchema } from '../doc/presence.ts'
import { kvEntries } from '../doc/kv.ts'
import type { ContentRefusal, Writer } from './content.ts'

/** The presence document's layout (doc/presence.ts): one key-value array with these keys. */
const { array: PRESENCE, status: STATUS, auto: AUTO, lastSeen: LAST_SEEN } = PresenceLayout
const KEYS: ReadonlySet<string> = new Set([STATUS, AUTO, LAST_SEEN])

/** Boxed, so an entry whose value is null still counts (the readers take the right-most entry whatever it holds). */
const raw = (x: unknown): { val: unknown } => ({ val: x })
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)
const refuse = (reason: Reason, message: string): ContentRefusal => ({ reason, message })

const isEntry = (e: unknown): e is { key: string; val: unknown } => typeof e === 'object' && e !== null && typeof (e as { key?: unknown }).key === 'string'

/** Every value the document holds for `key`, live or not yet cleaned up (concurrent writes leave duplicates). */
function allValues(doc: Y.Doc, key: string): unknown[] {
  return doc.getArray<unknown>(PRESENCE).toArray().flatMap((e) => (isEntry(e) && e.key === key ? [e.val] : []))
}

/** Content of the presence array that is not a key-value entry: array elements of another shape, map keys on the array. */
function junk(doc: Y.Doc): number {
  const arr = doc.getArray<unknown>(PRESENCE)
  return arr.toArray().filter((e) => !isEntry(e)).length + (arr as unknown as { _map: Map<string, unknown> })._map.size
}

/**
 * What a write to `user/{owner}/presence` may change, judged on the document before and after
 * the update (the access policy has already said the writer may write it at all):
 * - the status must be a valid {@link StatusSchema} value (a message of at most 100 characters)
 *   with `updatedBy` the writer, and only the owner or a "can modify presence" holder changes it;
 * - only the owner or the server changes the automatic status, and it must be valid;
 * - only the server writes when the user was last seen;
 * - nothing else: no other keys, no other shared types.
 * A value the document already held (a replica cleaning up after concurrent writes deletes the
 * newer duplicate, showing the older) was checked when it was written and is not judged again.
 */
export function checkPresenceContent(owner: UserId, before: Y.Doc, after: Y.Doc, writer: Writer): ContentRefusal | null {
  try {
    return check(owner, before, after, writer)
  } catch {
    // E.g. a crafted update that makes the root another type than the layout's array.
    return refuse(Reason.invalidContent, 'Not a presence document’s layout')
  }
}

function check(owner: UserId, before: Y.Doc, after: Y.Doc, writer: Writer): ContentRefusal | null {
  const server = writer === 'server'
  for (const name of after.share.keys()) {
    if (name !== PRESENCE && !before.share.has(name)) return refuse(Reason.invalidContent, 'A presence document holds the presence only')
  }
  if (junk(after) > junk(before)) return refuse(Reason.invalidContent, 'Not a presence document’s layout')
  const was = kvEntries(before, PRESENCE, raw)
  const now = kvEntries(after, PRESENCE, raw)
  for (const key of new Set([...was.keys(), ...now.keys()])) {
    if (same(was.get(key), now.get(key))) continue
    if (!KEYS.has(key)) return refuse(Reason.invalidContent, `A presence document has no "${key.slice(0, 40)}"`)
    const value = now.get(key)?.val
    const authored = value !== undefined && !allValues(before, key).some((old) => same(old, value))
    switch (key) {
      case STATUS: {
        if (!server && writer.userId !== owner && !writer.canModifyPresence) return refuse(Reason.forbidden, 'You may not change this person’s status')
        if (!authored) break
        const parsed = v.safeParse(StatusSchema, value)
        if (!parsed.success) return refuse(Reason.invalidContent, parsed.issues[0].message)
        if (!server && parsed.output.updatedBy !== writer.userId) return refuse(Reason.invalidContent, 'A status must be marked as updated by its writer')
        break
      }
      case AUTO: {
        if (!server && writer.userId !== owner) return refuse(Reason.forbidden, 'Only its owner sets an automatic status')
        if (!authored) break
        const parsed = v.safeParse(AutoStatusSchema, value)
        if (!parsed.success) return refuse(Reason.invalidContent, parsed.issues[0].message)
        break
      }
      case LAST_SEEN:
        if (!server) return refuse(Reason.forbidden, 'Only the relay records when someone was last seen')
        if (authored && !(typeof value === 'number' && Number.isFinite(value) && value >= 0)) return refuse(Reason.invalidContent, 'Last seen must be a time')
        break
    }
  }
  return null
}
