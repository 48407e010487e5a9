import type { MessageId, UserId } from '@waggle/schema'
import { timeSortableId } from '@waggle/schema'
import { describe, expect, it } from 'vitest'
import type { MessageItem } from '../../bind/model.ts'
import { GROUP_GAP_MS, buildRows, initialRowIndex } from './rows.ts'

const now = new Date(2025, 2, 7, 15, 30).getTime()

function msg(author: string, time: number, own = false): MessageItem {
  return {
    id: timeSortableId(time) as MessageId, author: author as UserId, authorName: author, own, time,
    text: 'hi', deleted: false, editedAt: null, delivery: own ? 'sent' : 'received', rejectReason: null,
    replyTo: null, mentions: [], forwarded: null,
  }
}

describe('message rows', () => {
  it('shows the author once for a run of messages and again after a five-minute gap', () => {
    const t = new Date(2025, 2, 7, 10).getTime()
    const rows = buildRows([msg('ana', t), msg('ana', t + 60_000), msg('ana', t + 60_000 + GROUP_GAP_MS + 1)], { now, readPosition: null })
    expect(rows.map((r) => r.showHeader)).toEqual([true, false, true])
  })

  it('shows the author again when the author changes', () => {
    const t = new Date(2025, 2, 7, 10).getTime()
    const rows = buildRows([msg('ana', t), msg('marco', t + 1000), msg('ana', t + 2000)], { now, readPosition: null })
    expect(rows.map((r) => r.showHeader)).toEqual([true, true, true])
  })

  it('puts a day label on the first message of each day', () => {
    const rows = buildRows([
      msg('ana', new Date(2025, 2, 6, 23, 58).getTime()),
      msg('ana', new Date(2025, 2, 6, 23, 59).getTime()),
      msg('ana', new Date(2025, 2, 7, 0, 1).getTime()),
    ], { now, readPosition: null })
    expect(rows.map((r) => r.day)).toEqual(['Yesterday', null, 'Today'])
    expect(rows[2]?.showHeader).toBe(true)
  })

  it('marks the first message from others after the read position, skipping own ones', () => {
    const t = new Date(2025, 2, 7, 10).getTime()
    const messages = [msg('ana', t), msg('me', t + 1000, true), msg('ana', t + 2000), msg('ana', t + 3000)]
    const rows = buildRows(messages, { now, readPosition: messages[0]?.id ?? null })
    expect(rows.map((r) => r.firstUnread)).toEqual([false, false, true, false])
    expect(rows[2]?.showHeader).toBe(true)
    expect(initialRowIndex(rows)).toEqual({ index: 2, align: 'start' })
  })

  it('opens at the bottom when everything is read', () => {
    const t = new Date(2025, 2, 7, 10).getTime()
    const messages = [msg('ana', t), msg('ana', t + 1000)]
    const rows = buildRows(messages, { now, readPosition: messages[1]?.id ?? null })
    expect(rows.some((r) => r.firstUnread)).toBe(false)
    expect(initialRowIndex(rows)).toEqual({ index: 1, align: 'end' })
  })

  it('keys rows by message id', () => {
    const messages = [msg('ana', now - 1000), msg('ana', now)]
    expect(buildRows(messages, { now, readPosition: null }).map((r) => r.key)).toEqual(messages.map((m) => m.id))
  })
})
