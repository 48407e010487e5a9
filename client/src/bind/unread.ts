import { isDeleted, type InboxLastMessage, type MessageId, type StoredMessage, type UserId } from '@waggle/schema'

/**
 * Unread counts: messages from others after this user's read position. Message ids sort by
 * time, so "after" is a string comparison.
 */

/** The unread count is 0 without looking at the segment: no message, an own last one, or read up to it. */
export function nothingUnread(last: InboxLastMessage | undefined, readPosition: MessageId | undefined, me: UserId): boolean {
  return last === undefined || last.author === me || (readPosition !== undefined && readPosition >= last.id)
}

/**
 * Messages by others, not deleted, after both the read position and this user's own latest
 * message (whoever writes has read what came before). `messages` in id (= time) order.
 */
export function countUnread(messages: Iterable<StoredMessage>, readPosition: MessageId | undefined, me: UserId): number {
  let count = 0
  for (const m of messages) {
    if (m.author === me) count = 0
    else if (!isDeleted(m) && (readPosition === undefined || m.id > readPosition)) count++
  }
  return count
}

/** What the local index stored for one conversation: the count and what it was computed for. */
export interface UnreadRecord {
  unread: number
  /** The inbox's last message id the count was computed for. */
  last: MessageId | null
  /** The read position the count was computed with. */
  read: MessageId | null
  /** One of the counted messages mentions this user (absent in rows written before mentions). */
  mentioned?: boolean
}

/** Whether `record` was computed for this last message and read position. */
export function isCurrent(record: UnreadRecord | undefined, last: InboxLastMessage | undefined, readPosition: MessageId | undefined): boolean {
  return record !== undefined && record.last === (last?.id ?? null) && record.read === (readPosition ?? null)
}

/**
 * The count the inbox shows. While the index has not caught up with a new message from
 * someone else, at least one message is unread, and the previous count is the best guess.
 */
export function unreadToShow(last: InboxLastMessage | undefined, readPosition: MessageId | undefined, me: UserId, record: UnreadRecord | undefined): number {
  if (nothingUnread(last, readPosition, me)) return 0
  if (isCurrent(record, last, readPosition)) return record?.unread ?? 0
  return Math.max(1, record?.unread ?? 0)
}

/** Whether one of the messages {@link countUnread} counts mentions `me`. */
export function mentionsUnread(messages: Iterable<StoredMessage>, readPosition: MessageId | undefined, me: UserId): boolean {
  let mentioned = false
  for (const m of messages) {
    if (m.author === me) mentioned = false
    else if (!isDeleted(m) && (readPosition === undefined || m.id > readPosition) && m.mentions?.includes(me) === true) mentioned = true
  }
  return mentioned
}

/** Whether the inbox marks a mention: the index saw one among the unread messages (kept until it recounts). */
export function mentionToShow(last: InboxLastMessage | undefined, readPosition: MessageId | undefined, me: UserId, record: UnreadRecord | undefined): boolean {
  return unreadToShow(last, readPosition, me, record) > 0 && record?.mentioned === true
}
