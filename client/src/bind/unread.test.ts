import { describe, expect, it } from 'vitest'
import type { InboxLastMessage, MessageId, StoredMessage, UserId } from '@waggle/schema'
import { countUnread, isCurrent, nothingUnread, unreadToShow } from './unread.ts'

const me = 'anna' as UserId
const marco = 'marco' as UserId
const id = (n: number) => `M${String(n).padStart(3, '0')}` as MessageId
const msg = (n: number, author: UserId, deleted = false): StoredMessage =>
  deleted ? { id: id(n), author, time: n, deleted: true, deletedAt: n } : { id: id(n), author, time: n, text: `m${n}` }
const last = (n: number, author: UserId): InboxLastMessage => ({ id: id(n), author, time: n, preview: '' })

describe('unread counting', () => {
  it('needs no segment when there is no message, the last one is own, or it is read', () => {
    expect(nothingUnread(undefined, undefined, me)).toBe(true)
    expect(nothingUnread(last(3, me), id(1), me)).toBe(true)
    expect(nothingUnread(last(3, marco), id(3), me)).toBe(true)
    expect(nothingUnread(last(3, marco), id(4), me)).toBe(true)
    expect(nothingUnread(last(3, marco), id(2), me)).toBe(false)
    expect(nothingUnread(last(3, marco), undefined, me)).toBe(false)
  })

  it('counts messages of others after the read position, without deleted ones', () => {
    const messages = [msg(1, marco), msg(2, me), msg(3, marco), msg(4, marco, true), msg(5, marco)]
    expect(countUnread(messages, id(2), me)).toBe(2)
    expect(countUnread(messages, id(3), me)).toBe(1)
    expect(countUnread(messages, id(5), me)).toBe(0)
  })

  it('takes everything before an own message as read, even without a read position', () => {
    expect(countUnread([msg(1, marco), msg(2, me), msg(3, marco)], undefined, me)).toBe(1)
    expect(countUnread([msg(1, marco), msg(2, marco), msg(3, me)], undefined, me)).toBe(0)
    expect(countUnread([msg(1, marco), msg(2, marco)], undefined, me)).toBe(2)
  })

  it('shows the stored count only when it was computed for this last message and read position', () => {
    const record = { unread: 3, last: id(5), read: id(2) }
    expect(isCurrent(record, last(5, marco), id(2))).toBe(true)
    expect(unreadToShow(last(5, marco), id(2), me, record)).toBe(3)
    // A new message the index has not counted yet: at least one, the old count as the best guess.
    expect(unreadToShow(last(7, marco), id(2), me, record)).toBe(3)
    expect(unreadToShow(last(7, marco), id(2), me, undefined)).toBe(1)
    expect(unreadToShow(last(7, marco), id(2), me, { unread: 0, last: id(5), read: id(5) })).toBe(1)
    // Read up to the last message, or the last message is own: nothing, whatever the index says.
    expect(unreadToShow(last(5, marco), id(5), me, record)).toBe(0)
    expect(unreadToShow(last(8, me), id(2), me, record)).toBe(0)
  })
})
