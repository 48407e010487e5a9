import * as v from 'valibot'
import type * as Y from 'yjs'
import { ID_PATTERN, type ConvId, type MessageId, type UserId } from '../ids.ts'
import { Limits } from '../message.ts'
import type { TxOrigin } from '../origins.ts'
import { kvEntries, kvGet, kvObserve, kvWrite } from './kv.ts'

/**
 * A user's inbox (`user/{user}/inbox`): the server's projection of every conversation the user
 * belongs to, one summary each, so a device lists conversations (and learns of new ones and
 * new messages) from one small document instead of opening every conversation. Written only
 * by the server; in the key-value layout because summaries are overwritten on every message.
 */
const ENTRIES = 'conversations'

/** Characters of the last message kept in the summary. */
export const PREVIEW_LENGTH = 160

const id = v.pipe(v.string(), v.regex(ID_PATTERN))
const time = v.pipe(v.number(), v.minValue(0))

const LastMessageSchema = v.object({
  id,
  author: id,
  time,
  /** The start of the text; empty for a deleted message. */
  preview: v.pipe(v.string(), v.maxLength(PREVIEW_LENGTH)),
  deleted: v.optional(v.boolean()),
})

const InboxEntrySchema = v.object({
  kind: v.picklist(['direct', 'group']),
  /** The group's name; empty for a direct conversation (devices show the other person). */
  title: v.pipe(v.string(), v.maxLength(Limits.titleLength)),
  /** Members of a direct conversation (both); for groups, only the count is projected. */
  members: v.optional(v.pipe(v.array(id), v.maxLength(2))),
  memberCount: v.pipe(v.number(), v.integer(), v.minValue(0)),
  /** This user may read but not write messages. */
  readOnly: v.boolean(),
  /** The first segment this user may read, and the segment new messages go to. */
  firstSegment: v.pipe(v.number(), v.integer(), v.minValue(0)),
  segment: v.pipe(v.number(), v.integer(), v.minValue(0)),
  joinedAt: time,
  createdAt: time,
  last: v.optional(LastMessageSchema),
  /**
   * When a message of each segment was last edited or deleted (server time, by segment number):
   * a device holding that segment fetches it again, so its copy and its search index drop the
   * old text even while the conversation is not open (issue 6).
   */
  revised: v.optional(v.pipe(v.record(v.pipe(v.string(), v.regex(/^\d{1,6}$/)), time), v.check((r) => Object.keys(r).length <= 10_000))),
})

export type InboxLastMessage = Omit<v.InferOutput<typeof LastMessageSchema>, 'id' | 'author'> & { id: MessageId; author: UserId }
export type InboxEntry = Omit<v.InferOutput<typeof InboxEntrySchema>, 'members' | 'last' | 'revised'> & {
  members?: UserId[]
  last?: InboxLastMessage
  revised?: Record<string, number>
}

const parseEntry = (x: unknown): InboxEntry | null => {
  const r = v.safeParse(InboxEntrySchema, x)
  return r.success ? (r.output as InboxEntry) : null
}

/** The preview kept for a message text: first line breaks folded, cut to {@link PREVIEW_LENGTH}. */
export function previewOf(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length <= PREVIEW_LENGTH ? flat : `${flat.slice(0, PREVIEW_LENGTH - 1)}…`
}

export function inboxEntries(doc: Y.Doc): Map<ConvId, InboxEntry> {
  return kvEntries(doc, ENTRIES, parseEntry) as Map<ConvId, InboxEntry>
}

export function inboxEntry(doc: Y.Doc, conv: ConvId): InboxEntry | undefined {
  return kvGet(doc, ENTRIES, conv, parseEntry)
}

/** Server only: sets (replaces) the summary of `conv`. */
export function writeInboxEntry(doc: Y.Doc, conv: ConvId, entry: InboxEntry, origin: TxOrigin): void {
  kvWrite<InboxEntry>(doc, ENTRIES, origin, (set) => set(conv, entry))
}

/** Server only: the user left or was removed. */
export function removeInboxEntry(doc: Y.Doc, conv: ConvId, origin: TxOrigin): void {
  kvWrite<InboxEntry>(doc, ENTRIES, origin, (_set, del) => del(conv))
}

/** Calls `fn` after every change to the inbox. */
export function observeInbox(doc: Y.Doc, fn: (origin: unknown) => void): () => void {
  return kvObserve(doc, ENTRIES, fn)
}
