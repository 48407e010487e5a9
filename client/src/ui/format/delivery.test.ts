import type { MessageId, UserId } from '@waggle/schema'
import { describe, expect, it } from 'vitest'
import type { MessageItem } from '../../bind/model.ts'
import { deliveryText, latestSentOwn, seenByText } from './delivery.ts'

function own(delivery: MessageItem['delivery'], id = 'm1', rejectReason: string | null = null): MessageItem {
  return {
    id: id as MessageId, author: 'me' as UserId, authorName: 'Me', own: true, time: 0,
    text: 'hi', deleted: false, editedAt: null, delivery, rejectReason, replyTo: null, mentions: [], forwarded: null,
  }
}

describe('delivery line', () => {
  it('names one or two readers and counts more', () => {
    expect(seenByText(['Marco'])).toBe('Seen by Marco')
    expect(seenByText(['Marco', 'Ana'])).toBe('Seen by Marco and Ana')
    expect(seenByText(['Marco', 'Ana', 'Li'])).toBe('Seen by 3')
  })

  it('says Sending… while pending and why when rejected', () => {
    expect(deliveryText(own('pending'), undefined, false)).toBe('Sending…')
    expect(deliveryText(own('rejected', 'm1', 'You cannot write here'), undefined, false)).toBe('Not sent: You cannot write here')
  })

  it('says Sent only on the latest own message and Seen by where a reader reached', () => {
    expect(deliveryText(own('sent'), undefined, true)).toBe('Sent')
    expect(deliveryText(own('sent'), undefined, false)).toBeNull()
    expect(deliveryText(own('sent'), ['Marco'], false)).toBe('Seen by Marco')
  })

  it('has nothing for messages of others', () => {
    expect(deliveryText({ ...own('received'), own: false }, ['x'], true)).toBeNull()
  })

  it('finds the newest own sent message', () => {
    expect(latestSentOwn([own('sent', 'a'), own('sent', 'b'), own('pending', 'c')])).toBe('b')
    expect(latestSentOwn([])).toBeNull()
  })
})
