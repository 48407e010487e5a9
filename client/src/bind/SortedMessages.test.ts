import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import type { MessageId, StoredMessage, UserId } from '@waggle/schema'
import { SortedMessages } from './SortedMessages.ts'

const msg = (id: string, text: string): StoredMessage => ({ id: id as MessageId, author: 'anna' as UserId, time: 1, text })

describe('SortedMessages', () => {
  it('matches a sorted map after any sequence of inserts, replaces and removals', () => {
    const op = fc.record({ id: fc.constantFrom('A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'), text: fc.option(fc.string({ maxLength: 3 })) })
    fc.assert(fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
      const list = new SortedMessages()
      const oracle = new Map<string, string>()
      for (const { id, text } of ops) {
        list.set(id as MessageId, text === null ? null : msg(id, text))
        if (text === null) oracle.delete(id)
        else oracle.set(id, text)
      }
      const expected = [...oracle].sort(([a], [b]) => (a < b ? -1 : 1))
      expect(list.items.map((m) => [m.id, 'text' in m ? m.text : ''])).toEqual(expected)
    }), { seed: 20261121, numRuns: 300 })
  })

  it('keeps the loaded array and splices a new message in place', () => {
    const list = new SortedMessages()
    list.reset([msg('A', 'a'), msg('C', 'c')])
    list.set('B' as MessageId, msg('B', 'b'))
    list.set('D' as MessageId, msg('D', 'd'))
    expect(list.items.map((m) => m.id)).toEqual(['A', 'B', 'C', 'D'])
  })
})
