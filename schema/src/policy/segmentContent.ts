import * as v from 'valibot'
import type * as Y from 'yjs'
import { Reason } from '../errors.ts'
import { StoredMessageSchema } from '../message.ts'
import { changedKeys, checkLayout, rootMap, sameValue, type Changes, type Layout } from './changes.ts'
import type { ContentRefusal, Writer } from './content.ts'

/** The segment layout (doc/segment.ts): one map of messages keyed by message id. */
export const SegmentLayout: Layout = { messages: 'map' }
const MESSAGES = 'messages'

const refuse = (reason: Reason, message: string): ContentRefusal => ({ reason, message })
const field = (value: unknown, name: string): unknown =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>)[name] : undefined

/**
 * Whether `writer` may change message `key` of a segment from `old` to `next` (`undefined`:
 * absent), both as the document holds them:
 * - a value written must be a valid stored message (LiveMessageSchema, or a tombstone per
 *   DeletedMessageSchema; text within `Limits.messageTextLength`) stored under its own id;
 * - the relay (`'server'`) may write any valid message, system lines included;
 * - a new message must be live, written as its author (`author` is the writer) and carry no
 *   `system` field (only the relay writes system lines);
 * - an existing message changes (edit, tombstone, key removed) only when its author is the
 *   writer, never a system line, never once deleted; an edit or tombstone keeps id, author and time.
 */
export function checkMessageChange(key: string, old: unknown, next: unknown, writer: Writer): ContentRefusal | null {
  if (sameValue(old, next)) return null
  let deleted = false
  if (next !== undefined) {
    const parsed = v.safeParse(StoredMessageSchema, next)
    if (!parsed.success) return refuse(Reason.invalidContent, `Not a valid message: ${parsed.issues[0].message}`)
    if (parsed.output.id !== key) return refuse(Reason.invalidContent, 'A message is stored under its own id')
    deleted = 'deleted' in parsed.output
  }
  if (writer === 'server') return null
  if (old === undefined) {
    if (next === undefined) return null
    if (field(next, 'author') !== writer.userId) return refuse(Reason.forbidden, 'You may only write messages as yourself')
    if (field(next, 'system') !== undefined) return refuse(Reason.forbidden, 'Only the relay writes system messages')
    if (deleted) return refuse(Reason.invalidContent, 'A new message cannot be a deleted one')
    return null
  }
  if (field(old, 'author') !== writer.userId) return refuse(Reason.forbidden, 'You may only change or delete your own messages')
  if (field(old, 'system') !== undefined) return refuse(Reason.forbidden, 'Only the relay changes system messages')
  if (field(old, 'deleted') !== undefined) return refuse(Reason.forbidden, 'A deleted message stays deleted')
  if (next === undefined) return null
  if (field(next, 'system') !== undefined) return refuse(Reason.forbidden, 'Only the relay writes system messages')
  if (field(next, 'author') !== field(old, 'author') || field(next, 'time') !== field(old, 'time') || field(old, 'id') !== key) {
    return refuse(Reason.invalidContent, 'An edit or delete keeps the message’s id, author and time')
  }
  return null
}

/**
 * The content gate of a message segment (`conv/{c}/seg/{n}`): only the messages map, plain
 * values, and every message key the update touched passes {@link checkMessageChange}. Only the
 * changed keys are read, on the document before (`before`) and after (`after`) the update.
 */
export function checkSegmentContent(before: Y.Doc, after: Y.Doc, writer: Writer, changes: Changes): ContentRefusal | null {
  const layout = checkLayout(SegmentLayout, changes, 'A segment')
  if (layout !== null) return layout
  const keys = changedKeys(changes, MESSAGES)
  if (keys.length === 0) return null
  const was = rootMap(before, MESSAGES)
  const now = rootMap(after, MESSAGES)
  for (const key of keys) {
    const refusal = checkMessageChange(key, was?.get(key), now?.get(key), writer)
    if (refusal !== null) return refusal
  }
  return null
}
