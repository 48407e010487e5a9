import * as Y from 'yjs'
import { ID_PATTERN, type MessageId, type UserId } from '../ids.ts'
import { Limits, isDeleted, parseStoredMessage, type AttachmentRef, type ForwardedFrom, type LiveMessage, type StoredMessage } from '../message.ts'
import type { TxOrigin } from '../origins.ts'
import { WaggleError, Reason } from '../errors.ts'
import { integratedItem } from './integrated.ts'

/**
 * A message segment document (`conv/{conv}/seg/{n}`): one Y.Map keyed by time-sortable
 * message id, each value plain JSON. Edits and deletes replace the value (ARCHITECTURE §3).
 */
const MESSAGES = 'messages'

/** A new segment starts past this many messages (and when a member joins with hidden history). */
export const SEGMENT_MAX_MESSAGES = 5000

const messagesOf = (doc: Y.Doc) => doc.getMap<unknown>(MESSAGES)

export interface NewMessage {
  id: MessageId
  author: UserId
  time: number
  text: string
  replyTo?: MessageId
  attachments?: AttachmentRef[]
  mentions?: UserId[]
  forwarded?: ForwardedFrom
}

function checkText(text: string): void {
  if (text.length > Limits.messageTextLength) {
    throw new WaggleError(Reason.badRequest, `A message is at most ${Limits.messageTextLength} characters`)
  }
}

export function appendMessage(doc: Y.Doc, message: NewMessage, origin: TxOrigin): LiveMessage {
  checkText(message.text)
  const value: LiveMessage = { id: message.id, author: message.author, time: message.time, text: message.text }
  if (message.replyTo !== undefined) value.replyTo = message.replyTo
  if (message.attachments !== undefined && message.attachments.length > 0) value.attachments = message.attachments
  if (message.mentions !== undefined && message.mentions.length > 0) value.mentions = [...new Set(message.mentions)]
  if (message.forwarded !== undefined) value.forwarded = message.forwarded
  doc.transact(() => messagesOf(doc).set(message.id, value), origin)
  return value
}

export function getMessage(doc: Y.Doc, id: MessageId): StoredMessage | null {
  return parseStoredMessage(messagesOf(doc).get(id))
}

/**
 * Replaces the text of a live message; the caller's policy decides who may. `mentions`, when
 * given, replaces the mentioned members (the new text may drop or add some).
 */
export function editMessage(doc: Y.Doc, id: MessageId, text: string, now: number, origin: TxOrigin, mentions?: readonly UserId[]): LiveMessage {
  checkText(text)
  const current = getMessage(doc, id)
  if (current === null || isDeleted(current)) throw new WaggleError(Reason.notFound, `No message ${id} to edit`)
  const next: LiveMessage = { ...current, text, editedAt: now }
  if (mentions !== undefined) {
    if (mentions.length > 0) next.mentions = [...new Set(mentions)]
    else delete next.mentions
  }
  doc.transact(() => messagesOf(doc).set(id, next), origin)
  return next
}

/** Replaces the message with a tombstone that keeps author and time but drops the content. */
export function deleteMessage(doc: Y.Doc, id: MessageId, now: number, origin: TxOrigin): void {
  const current = getMessage(doc, id)
  if (current === null) throw new WaggleError(Reason.notFound, `No message ${id} to delete`)
  if (isDeleted(current)) return
  doc.transact(() => messagesOf(doc).set(id, { id, author: current.author, time: current.time, deleted: true, deletedAt: now }), origin)
}

/**
 * Removes messages from this replica (with {@link Origin.localOnly}): how a device takes back
 * messages whose update the relay rejected and the user discarded.
 */
export function forgetMessages(doc: Y.Doc, ids: readonly MessageId[], origin: TxOrigin): void {
  doc.transact(() => {
    for (const id of ids) messagesOf(doc).delete(id)
  }, origin)
}

/**
 * Message ids an encoded update writes (keys of the messages map it sets). An update that
 * overwrites a message (an edit or a delete) names the key only through the value it
 * replaces, so pass `doc`, a replica the update has been applied to, to find those as well.
 */
export function messageIdsIn(update: Uint8Array, doc?: Y.Doc): MessageId[] {
  const ids = new Set<MessageId>()
  const messages = doc === undefined ? null : messagesOf(doc)
  for (const struct of Y.decodeUpdate(update).structs) {
    if (!(struct instanceof Y.Item)) continue
    // In a decoded update, an item of a root type names its parent by the root's key.
    if (typeof struct.parentSub === 'string' && (struct.parent as unknown) === MESSAGES) {
      ids.add(struct.parentSub as MessageId)
      continue
    }
    const item = doc === undefined ? null : integratedItem(doc, struct.id)
    if (item !== null && item.parent === messages && typeof item.parentSub === 'string') ids.add(item.parentSub as MessageId)
  }
  return [...ids]
}

/** All well-formed messages in id (= time) order; malformed values are skipped. */
export function listMessages(doc: Y.Doc): StoredMessage[] {
  const out: StoredMessage[] = []
  for (const value of messagesOf(doc).values()) {
    const m = parseStoredMessage(value)
    if (m !== null) out.push(m)
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}

/** What the search index keeps of a message. */
export interface SearchableMessage {
  id: MessageId
  author: UserId
  time: number
  text: string
}

/**
 * The live messages with text, system lines left out, oldest first. Checked field by field
 * rather than by the full schema: the search index reads every message on the device, and a
 * value this skips is one {@link listMessages} would show as nothing either.
 */
export function searchableMessages(doc: Y.Doc): SearchableMessage[] {
  const out: SearchableMessage[] = []
  for (const value of messagesOf(doc).values()) {
    if (typeof value !== 'object' || value === null) continue
    const m = value as Record<string, unknown>
    const { id, author, time, text } = m
    if (m['deleted'] !== undefined || m['system'] !== undefined) continue
    if (typeof id !== 'string' || !ID_PATTERN.test(id) || typeof author !== 'string' || !ID_PATTERN.test(author)) continue
    if (typeof time !== 'number' || !Number.isFinite(time) || typeof text !== 'string' || text === '' || text.length > Limits.messageTextLength) continue
    out.push({ id: id as MessageId, author: author as UserId, time, text })
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}

export function messageCount(doc: Y.Doc): number {
  return messagesOf(doc).size
}

/** Calls `fn` with the ids of messages added, changed or deleted by each transaction. */
export function observeMessages(doc: Y.Doc, fn: (changedIds: MessageId[], origin: unknown) => void): () => void {
  const map = messagesOf(doc)
  const handler = (event: Y.YMapEvent<unknown>) => fn([...event.keysChanged] as MessageId[], event.transaction.origin)
  map.observe(handler)
  return () => map.unobserve(handler)
}
