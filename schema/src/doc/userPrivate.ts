import * as v from 'valibot'
import type * as Y from 'yjs'
import { ID_PATTERN, type ConvId, type MessageId, type UserId } from '../ids.ts'
import type { TxOrigin } from '../origins.ts'
import { ClearAfterChoiceSchema, type ClearAfterChoice } from '../presenceRules.ts'
import { Availability, StatusMessageSchema } from './presence.ts'
import { kvEntries, kvGet, kvWrite } from './kv.ts'

/**
 * A user's private document (`user/{user}/private`): settings, read positions, pins, drafts,
 * archived, hidden and muted conversations, saved statuses, each in the key-value layout because they are overwritten often.
 */
const SETTINGS = 'settings'
const READ = 'readPositions'
const PINS = 'pins'
const DRAFTS = 'drafts'
const ARCHIVED = 'archived'
const HIDDEN = 'hidden'
const MUTED = 'muted'
const SAVED_STATUSES = 'savedStatuses'

const isMessageId = (x: unknown): MessageId | null => (typeof x === 'string' && ID_PATTERN.test(x) ? (x as MessageId) : null)
const isTime = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null)
const DraftSchema = v.object({ text: v.pipe(v.string(), v.maxLength(10_000)), updatedAt: v.number() })
export type Draft = v.InferOutput<typeof DraftSchema>
const parseDraft = (x: unknown): Draft | null => {
  const r = v.safeParse(DraftSchema, x)
  return r.success ? r.output : null
}
const anyJson = (x: unknown): unknown => (x === undefined ? null : x)

/**
 * Read positions are a max-register per conversation: each position is its own entry, keyed
 * `{conv}@{message}`, and the reader takes the largest. Moving forward adds the new entry and
 * deletes the smaller ones this device sees. Two devices moving concurrently leave both entries
 * and the larger wins, so a position never moves backwards; with one entry per conversation
 * overwritten in place, the key-value layout kept the right-most of two concurrent writes, which
 * could be the smaller (the torture suite, seed 204). Entries keyed by the conversation alone
 * (written before) still count.
 */
const readKey = (conv: ConvId, message: MessageId) => `${conv}@${message}`
const convOfReadKey = (key: string) => key.split('@', 1)[0] as ConvId

/** The last message read in a conversation. */
export function readPosition(doc: Y.Doc, conv: ConvId): MessageId | undefined {
  return readPositions(doc).get(conv)
}

export function readPositions(doc: Y.Doc): Map<ConvId, MessageId> {
  const out = new Map<ConvId, MessageId>()
  for (const [key, message] of kvEntries(doc, READ, isMessageId)) {
    const conv = convOfReadKey(key)
    const current = out.get(conv)
    if (current === undefined || message > current) out.set(conv, message)
  }
  return out
}

/** Moves the read position forward to `message`; never backwards, because ids sort by time. Returns whether it moved. */
export function markRead(doc: Y.Doc, conv: ConvId, message: MessageId, origin: TxOrigin): boolean {
  const current = readPosition(doc, conv)
  if (current !== undefined && current >= message) return false
  const older = [...kvEntries(doc, READ, isMessageId)].filter(([key, m]) => convOfReadKey(key) === conv && m < message).map(([key]) => key)
  kvWrite<MessageId>(doc, READ, origin, (set, del) => {
    set(readKey(conv, message), message)
    for (const key of older) del(key)
  })
  return true
}

/**
 * A per-conversation flag that remembers when it was set (pins, archived, hidden, muted): the
 * key-value layout with the time as value, present while the flag is on.
 */
function conversationFlag(name: string) {
  return {
    read: (doc: Y.Doc): Map<ConvId, number> => kvEntries(doc, name, isTime) as Map<ConvId, number>,
    write: (doc: Y.Doc, conv: ConvId, on: boolean, now: number, origin: TxOrigin): void =>
      kvWrite<number>(doc, name, origin, (set, del) => (on ? set(conv, now) : del(conv))),
  }
}

const pinFlag = conversationFlag(PINS)
const archivedFlag = conversationFlag(ARCHIVED)
const hiddenFlag = conversationFlag(HIDDEN)
const mutedFlag = conversationFlag(MUTED)

/** When each pinned conversation was pinned (pinned ones list first, in that order). */
export const pins = pinFlag.read
export const setPinned = pinFlag.write

export const archived = archivedFlag.read
export const setArchived = archivedFlag.write

/** When each hidden conversation was hidden; it shows again once a message newer than that arrives. */
export const hidden = hiddenFlag.read
export const setHidden = hiddenFlag.write

/** Conversations whose notifications are muted, with when they were muted. */
export const muted = mutedFlag.read
export const setMuted = mutedFlag.write

/** Every conversation's unsent draft. */
export function drafts(doc: Y.Doc): Map<ConvId, Draft> {
  return kvEntries(doc, DRAFTS, parseDraft) as Map<ConvId, Draft>
}

export function draft(doc: Y.Doc, conv: ConvId): Draft | undefined {
  return kvGet(doc, DRAFTS, conv, parseDraft)
}

export function setDraft(doc: Y.Doc, conv: ConvId, text: string, now: number, origin: TxOrigin): void {
  kvWrite<Draft>(doc, DRAFTS, origin, (set, del) => (text === '' ? del(conv) : set(conv, { text, updatedAt: now })))
}

export function setting(doc: Y.Doc, key: string): unknown {
  return kvGet(doc, SETTINGS, key, anyJson)
}

export function setSetting(doc: Y.Doc, key: string, value: unknown, origin: TxOrigin): void {
  kvWrite<unknown>(doc, SETTINGS, origin, (set) => set(key, value))
}

/** A status kept for reuse (the status picker's list). */
export interface SavedStatus {
  id: string
  availability: Availability
  message: string
  emoji: string | null
  clearAfter: ClearAfterChoice
}

/** At most this many saved statuses; saving one more drops the oldest. */
export const MAX_SAVED_STATUSES = 20

const SavedStatusSchema = v.object({
  id: v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
  availability: v.picklist(Availability),
  message: StatusMessageSchema,
  emoji: v.nullable(v.pipe(v.string(), v.maxLength(32))),
  clearAfter: ClearAfterChoiceSchema,
})
const parseSavedStatus = (x: unknown): SavedStatus | null => {
  const r = v.safeParse(SavedStatusSchema, x)
  return r.success ? r.output : null
}

/** The saved statuses, newest first. */
export function savedStatuses(doc: Y.Doc): SavedStatus[] {
  return [...kvEntries(doc, SAVED_STATUSES, parseSavedStatus).values()].reverse()
}

/**
 * Saves `s` as the newest saved status: one with the same id, or the same message and emoji,
 * is replaced; beyond {@link MAX_SAVED_STATUSES} the oldest are dropped.
 */
export function saveStatus(doc: Y.Doc, s: SavedStatus, origin: TxOrigin): void {
  const checked = v.parse(SavedStatusSchema, s)
  const others = savedStatuses(doc).filter((o) => o.id !== checked.id)
  const replaced = others.filter((o) => o.message === checked.message && o.emoji === checked.emoji)
  const kept = others.filter((o) => !replaced.includes(o))
  const dropped = [...replaced, ...kept.slice(MAX_SAVED_STATUSES - 1)]
  kvWrite<SavedStatus>(doc, SAVED_STATUSES, origin, (set, del) => {
    for (const o of dropped) del(o.id)
    set(checked.id, checked)
  })
}

export function removeSavedStatus(doc: Y.Doc, id: string, origin: TxOrigin): void {
  kvWrite<SavedStatus>(doc, SAVED_STATUSES, origin, (_set, del) => del(id))
}

// --- recent searches (issue 6) ----------------------------------------------------------------

const RECENT_SEARCHES = 'recentSearches'

/** At most this many recent items per category; the All tab shows the newest 3 of each. */
export const MAX_RECENT_PER_CATEGORY = 10

const id = v.pipe(v.string(), v.regex(ID_PATTERN))
const label = (max: number) => v.pipe(v.string(), v.maxLength(max))
const at = v.pipe(v.number(), v.finite())
const RecentSearchSchema = v.variant('category', [
  v.object({ category: v.literal('conversations'), conv: id, title: label(200), at }),
  v.object({ category: v.literal('messages'), conv: id, id, seg: v.pipe(v.number(), v.integer(), v.minValue(0)), text: label(200), convTitle: label(200), at }),
  v.object({ category: v.literal('colleagues'), user: id, name: label(200), at }),
  v.object({ category: v.literal('contacts'), id, name: label(200), phone: label(40), email: label(320), at }),
])
/** An item the user opened from search results (only opened items are remembered). */
export type RecentSearch =
  | { category: 'conversations'; conv: ConvId; title: string; at: number }
  | { category: 'messages'; conv: ConvId; id: MessageId; seg: number; text: string; convTitle: string; at: number }
  | { category: 'colleagues'; user: UserId; name: string; at: number }
  | { category: 'contacts'; id: string; name: string; phone: string; email: string; at: number }
export type RecentSearchCategory = RecentSearch['category']

const parseRecent = (x: unknown): RecentSearch | null => {
  const r = v.safeParse(RecentSearchSchema, x)
  return r.success ? (r.output as RecentSearch) : null
}

/** The key of an item: the same thing opened again replaces its entry. */
function recentKey(item: RecentSearch): string {
  switch (item.category) {
    case 'conversations': return `c:${item.conv}`
    case 'messages': return `m:${item.conv}:${item.id}`
    case 'colleagues': return `u:${item.user}`
    case 'contacts': return `k:${item.id}`
  }
}

/** Every remembered item, newest first. */
export function recentSearches(doc: Y.Doc): RecentSearch[] {
  return [...kvEntries(doc, RECENT_SEARCHES, parseRecent).values()].sort((a, b) => b.at - a.at)
}

/**
 * Remembers `item` as the newest of its category (texts are cut to fit); beyond
 * {@link MAX_RECENT_PER_CATEGORY} the category's oldest are dropped.
 */
export function rememberSearch(doc: Y.Doc, item: RecentSearch, origin: TxOrigin): void {
  const fitted = fitRecent(item)
  const checked = parseRecent(fitted)
  if (checked === null) throw new TypeError(`Not a recent search item: ${JSON.stringify(item)}`)
  const key = recentKey(checked)
  const sameCategory = [...kvEntries(doc, RECENT_SEARCHES, parseRecent)].filter(([k, o]) => o.category === checked.category && k !== key)
  sameCategory.sort((a, b) => b[1].at - a[1].at)
  kvWrite<RecentSearch>(doc, RECENT_SEARCHES, origin, (set, del) => {
    for (const [k] of sameCategory.slice(MAX_RECENT_PER_CATEGORY - 1)) del(k)
    set(key, checked)
  })
}

/** Forgets the category's items, or every item. */
export function clearRecentSearches(doc: Y.Doc, category: RecentSearchCategory | null, origin: TxOrigin): void {
  const keys = [...kvEntries(doc, RECENT_SEARCHES, parseRecent)].filter(([, o]) => category === null || o.category === category).map(([k]) => k)
  if (keys.length === 0) return
  kvWrite<RecentSearch>(doc, RECENT_SEARCHES, origin, (_set, del) => {
    for (const k of keys) del(k)
  })
}

const cut = (s: string, max: number) => ([...s].length > max ? `${[...s].slice(0, max - 1).join('')}…` : s)
function fitRecent(item: RecentSearch): RecentSearch {
  switch (item.category) {
    case 'conversations': return { ...item, title: cut(item.title, 200) }
    case 'messages': return { ...item, text: cut(item.text, 200), convTitle: cut(item.convTitle, 200) }
    case 'colleagues': return { ...item, name: cut(item.name, 200) }
    case 'contacts': return { ...item, name: cut(item.name, 200) }
  }
}
