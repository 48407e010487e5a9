import type * as Y from 'yjs'
import { Reason } from '../errors.ts'
import { ID_PATTERN } from '../ids.ts'
import { parseReactionKey } from '../doc/reactions.ts'
import { changedKeys, checkLayout, rootMap, sameValue, type Changes, type Layout } from './changes.ts'
import type { ContentRefusal, Writer } from './content.ts'

/** The reactions layout (doc/reactions.ts): one map keyed `message|emoji|user`, valued by the time. */
export const ReactionsLayout: Layout = { reactions: 'map' }
const REACTIONS = 'reactions'

const refuse = (reason: Reason, message: string): ContentRefusal => ({ reason, message })

/**
 * Whether `writer` may change reaction `key` from `old` to `next` (`undefined`: absent): the key
 * is a well-formed `message|emoji|user` key, its user is the writer (everyone, read-only members
 * included, adds and removes only their own reactions; the relay any), and a value written is a
 * time (a finite number of at least 0).
 */
export function checkReactionChange(key: string, old: unknown, next: unknown, writer: Writer): ContentRefusal | null {
  if (sameValue(old, next)) return null
  const parsed = parseReactionKey(key)
  if (parsed === null || !ID_PATTERN.test(parsed.message) || !ID_PATTERN.test(parsed.user)) {
    return refuse(Reason.invalidContent, 'Not a reaction key (message|emoji|user)')
  }
  if (writer !== 'server' && parsed.user !== writer.userId) return refuse(Reason.forbidden, 'You may only add or remove your own reactions')
  if (next !== undefined && !(typeof next === 'number' && Number.isFinite(next) && next >= 0)) {
    return refuse(Reason.invalidContent, 'A reaction’s value is the time it was added')
  }
  return null
}

/** The content gate of a segment's reactions (`conv/{c}/seg/{n}/reactions`): {@link checkReactionChange} per changed key. */
export function checkReactionsContent(before: Y.Doc, after: Y.Doc, writer: Writer, changes: Changes): ContentRefusal | null {
  const layout = checkLayout(ReactionsLayout, changes, 'A reactions document')
  if (layout !== null) return layout
  const keys = changedKeys(changes, REACTIONS)
  if (keys.length === 0) return null
  const was = rootMap(before, REACTIONS)
  const now = rootMap(after, REACTIONS)
  for (const key of keys) {
    const refusal = checkReactionChange(key, was?.get(key), now?.get(key), writer)
    if (refusal !== null) return refusal
  }
  return null
}
