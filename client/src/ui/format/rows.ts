import type { MessageId } from '@waggle/schema'
import type { MessageItem } from '../../bind/model.ts'
import { dayKey, dayLabel } from './time.ts'

/** Author and time are shown again after this much quiet from the same author. */
export const GROUP_GAP_MS = 5 * 60_000

/**
 * One row of the message list. Day separators and the "New messages" line belong to the
 * message below them, so every row is keyed by a message id and stays stable when older
 * messages are loaded above it (the virtual list anchors on keys).
 */
export interface MessageRow {
  key: MessageId
  message: MessageItem
  /** The day label when this message is the first of its day. */
  day: string | null
  /** The first message from others after the read position when the conversation was opened. */
  firstUnread: boolean
  /** Show author and time (a new author, a new day, or a gap of more than five minutes). */
  showHeader: boolean
}

export interface RowOptions {
  now: number
  /** This user's read position when the conversation was opened. */
  readPosition: MessageId | null
  locale?: string | undefined
}

/** Groups messages (oldest first) into rows with day separators and the unread line. */
export function buildRows(messages: readonly MessageItem[], options: RowOptions): MessageRow[] {
  const rows: MessageRow[] = []
  let previous: MessageItem | null = null
  let previousDay = ''
  let unreadFound = false
  for (const message of messages) {
    const day = dayKey(message.time)
    const newDay = day !== previousDay
    // Message ids are time-sortable, so "after the read position" is a string comparison.
    const firstUnread = !unreadFound && options.readPosition !== null && !message.own && message.id > options.readPosition
    if (firstUnread) unreadFound = true
    const showHeader = previous === null || newDay || firstUnread ||
      previous.author !== message.author || message.time - previous.time > GROUP_GAP_MS
    rows.push({
      key: message.id,
      message,
      day: newDay ? dayLabel(message.time, options.now, options.locale) : null,
      firstUnread,
      showHeader,
    })
    previous = message
    previousDay = day
  }
  return rows
}

/** Index of the row to show first when a conversation opens: the first unread one, or the last. */
export function initialRowIndex(rows: readonly MessageRow[]): { index: number; align: 'start' | 'end' } {
  const unread = rows.findIndex((r) => r.firstUnread)
  return unread >= 0 ? { index: unread, align: 'start' } : { index: rows.length - 1, align: 'end' }
}
