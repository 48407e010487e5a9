import { describe, expect, it } from 'vitest'
import { docName, type ConvId, type DocName, type MessageId, type UserId } from '@waggle/schema'
import { deliveryOf, outboxMarks, seenBy, type OutboxLike } from './delivery.ts'

const me = 'anna' as UserId
const conv = 'c1' as ConvId
const m = (s: string) => s as MessageId

/** Outbox entries whose "update" writes the listed message ids. */
function entry(seq: number | undefined, doc: DocName, ids: string[], state?: 'pending' | 'rejected', message?: string): OutboxLike & { ids: MessageId[] } {
  return { doc, ids: ids.map(m), ...(seq === undefined ? {} : { seq }), ...(state === undefined ? {} : { state }), ...(message === undefined ? {} : { message, reason: 'read-only' }) }
}
const idsOf = (e: OutboxLike) => (e as OutboxLike & { ids: MessageId[] }).ids

describe('delivery of own messages', () => {
  it('maps outbox entries of this conversation’s segments to pending and rejected', () => {
    const entries = [
      entry(1, docName.segment(conv, 0), ['a'], 'pending'),
      entry(2, docName.segment(conv, 1), ['b'], 'rejected', 'You may not write here'),
      entry(3, docName.segment('other' as ConvId, 0), ['c'], 'pending'),
      entry(4, docName.receipts(conv), ['d'], 'pending'),
      entry(undefined, docName.segment(conv, 1), ['e']),
    ]
    const marks = outboxMarks(entries, conv, idsOf)
    expect([...marks.keys()].sort()).toEqual(['a', 'b', 'e'])
    expect(deliveryOf({ id: m('a'), author: me }, me, marks)).toEqual({ delivery: 'pending', rejectReason: null })
    expect(deliveryOf({ id: m('b'), author: me }, me, marks)).toEqual({ delivery: 'rejected', rejectReason: 'You may not write here' })
    expect(deliveryOf({ id: m('e'), author: me }, me, marks)).toEqual({ delivery: 'pending', rejectReason: null })
    expect(deliveryOf({ id: m('z'), author: me }, me, marks)).toEqual({ delivery: 'sent', rejectReason: null })
    expect(deliveryOf({ id: m('a'), author: 'marco' as UserId }, me, marks)).toEqual({ delivery: 'received', rejectReason: null })
    expect(marks.get(m('b'))?.seq).toBe(2)
  })

  it('keeps a message rejected when a later pending entry touches it too', () => {
    const seg = docName.segment(conv, 0)
    const marks = outboxMarks([entry(1, seg, ['a'], 'rejected', 'no'), entry(2, seg, ['a'], 'pending')], conv, idsOf)
    expect(marks.get(m('a'))).toEqual({ state: 'rejected', reason: 'no', seq: 1 })
  })
})

describe('seen by', () => {
  it('names each other reader at the latest own message at or before their receipt', () => {
    const own = ['M2', 'M4', 'M6'].map(m)
    const receipts = new Map([
      ['marco' as UserId, { message: m('M5'), at: 1 }],
      ['lena' as UserId, { message: m('M4'), at: 1 }],
      ['tom' as UserId, { message: m('M1'), at: 1 }],
      [me, { message: m('M6'), at: 1 }],
      ['sofia' as UserId, { message: m('M9'), at: 1 }],
    ])
    const names: Record<string, string> = { marco: 'Marco', lena: 'Lena', sofia: 'Sofia' }
    const seen = seenBy(own, receipts, me, (id) => names[id] ?? id)
    expect(Object.fromEntries(seen)).toEqual({ M4: ['Marco', 'Lena'], M6: ['Sofia'] })
  })
})
