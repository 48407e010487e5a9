import type { ConvId, MessageId, UserId } from '@waggle/schema'

/**
 * Which browser notifications to show and to withdraw, decided from plain data so every rule
 * is unit-tested; `Notifier.ts` is the thin browser adapter. Only the leader tab decides, so
 * an account notifies once however many tabs are open.
 */

/** The user's choice (private document setting `notifications`). */
export type NotifySetting = 'all' | 'mentions' | 'off'
export const NOTIFY_SETTINGS: readonly NotifySetting[] = ['all', 'mentions', 'off']

/** The setting as stored, or 'all' for anything else (never set, or from a newer app). */
export function parseNotifySetting(x: unknown): NotifySetting {
  return x === 'mentions' || x === 'off' || x === 'all' ? x : 'all'
}

/** The last message of a conversation as the inbox projection has it. */
export interface NotifyLast {
  id: MessageId
  author: UserId
  authorName: string
  preview: string
  deleted: boolean
  /** Who the message mentions, when the projection carries it. */
  mentions?: readonly UserId[] | undefined
}

export interface NotifyConv {
  conv: ConvId
  kind: 'direct' | 'group'
  title: string
  last: NotifyLast | null
}

export interface NotifyState {
  me: UserId
  myName: string
  setting: NotifySetting
  /** A tab of this account is visible and focused: the person is looking at the app. */
  focused: boolean
  convs: ReadonlyMap<ConvId, NotifyConv>
  readPositions: ReadonlyMap<ConvId, MessageId>
  muted: ReadonlySet<ConvId> | ReadonlyMap<ConvId, unknown>
}

export interface Notice {
  /** One notification per conversation: a newer message replaces it (same tag). */
  tag: string
  conv: ConvId
  message: MessageId
  title: string
  body: string
  mention: boolean
}

export interface NotifyDecision {
  show: Notice[]
  /** Tags of shown notifications to withdraw (their message was read, here or on another device). */
  close: string[]
}

/** At most this many notifications at once (a device back online after a long time). */
export const MAX_NOTICES_AT_ONCE = 3

export const noticeTag = (conv: ConvId): string => `waggle:${conv}`

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * Whether a message mentions `me`: its `mentions` list when the message carries one, otherwise
 * an `@<my name>` (or `@<first name>`) in the text. The one place to switch when every message
 * carries `mentions`.
 */
export function mentionsMe(last: Pick<NotifyLast, 'mentions' | 'preview'>, me: UserId, myName: string): boolean {
  if (Array.isArray(last.mentions)) return last.mentions.includes(me)
  const names = [myName.trim(), myName.trim().split(/\s+/)[0] ?? ''].filter((n) => n !== '')
  return names.some((n) => new RegExp(`(^|[^\\w@])@${escapeRe(n)}(?![\\w])`, 'iu').test(last.preview))
}

/** Read on some device: the read position reached it, or the user wrote after it. */
function isRead(s: NotifyState, conv: ConvId, message: MessageId): boolean {
  const read = s.readPositions.get(conv)
  if (read !== undefined && read >= message) return true
  const last = s.convs.get(conv)?.last
  return last !== null && last !== undefined && last.author === s.me && last.id >= message
}

function noticeFor(c: NotifyConv, last: NotifyLast, mention: boolean): Notice {
  const body = c.kind === 'group' ? `${last.authorName}: ${last.preview}` : last.preview
  return { tag: noticeTag(c.conv), conv: c.conv, message: last.id, title: c.title, body, mention }
}

/**
 * Compares the conversations' last messages with the previous pass. `previous` null is the
 * first pass (what is already there is not news). `shown` maps each conversation with a
 * notification on screen to its message.
 */
export function decideNotifications(
  previous: ReadonlyMap<ConvId, MessageId | null> | null,
  s: NotifyState,
  shown: ReadonlyMap<ConvId, MessageId>,
): NotifyDecision {
  const close: string[] = []
  for (const [conv, message] of shown) {
    if (isRead(s, conv, message) || !s.convs.has(conv) || s.muted.has(conv) || s.setting === 'off') close.push(noticeTag(conv))
  }
  const show: Notice[] = []
  if (previous === null || s.focused || s.setting === 'off') return { show, close }
  for (const c of s.convs.values()) {
    const last = c.last
    if (last === null || last.deleted || last.author === s.me) continue
    const before = previous.get(c.conv)
    if (before !== undefined && before !== null && before >= last.id) continue
    if (s.muted.has(c.conv) || isRead(s, c.conv, last.id)) continue
    const mention = mentionsMe(last, s.me, s.myName)
    if (s.setting === 'mentions' && !mention) continue
    show.push(noticeFor(c, last, mention))
  }
  // Newest first when there are too many: the rest are in the inbox.
  show.sort((a, b) => (a.message < b.message ? 1 : a.message > b.message ? -1 : 0))
  return { show: show.slice(0, MAX_NOTICES_AT_ONCE), close }
}

/** The last message id per conversation: the `previous` of the next pass. */
export function lastIds(convs: ReadonlyMap<ConvId, NotifyConv>): Map<ConvId, MessageId | null> {
  return new Map([...convs].map(([conv, c]) => [conv, c.last?.id ?? null]))
}
