import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { ConvId, MessageId } from '../ids.ts'
import { Origin } from '../origins.ts'
import { markRead, readPosition, readPositions } from './userPrivate.ts'

const conv = 'sales-team' as ConvId
const m = (n: number) => `01M7Z4RRP11STH7QNE4R5S3G${String(n).padStart(2, '0')}` as MessageId

/** Two devices of one user, each with a copy of the private document, synced both ways. */
function devices(): [Y.Doc, Y.Doc, () => void] {
  const a = new Y.Doc()
  const b = new Y.Doc()
  const sync = () => {
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)))
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)))
  }
  return [a, b, sync]
}

describe('read positions', () => {
  it('never move backwards when two devices move them concurrently, whatever the client ids', () => {
    for (let run = 0; run < 40; run++) {
      const [a, b, sync] = devices()
      markRead(a, conv, m(1), Origin.local)
      sync()
      // The later device reads further than the earlier one, concurrently.
      markRead(a, conv, m(run % 2 === 0 ? 30 : 20), Origin.local)
      markRead(b, conv, m(run % 2 === 0 ? 20 : 30), Origin.local)
      sync()
      expect(readPosition(a, conv)).toBe(m(30))
      expect(readPosition(b, conv)).toBe(m(30))
      // Moving on cleans up the smaller entries, on both.
      markRead(b, conv, m(40), Origin.local)
      sync()
      expect(readPositions(a)).toEqual(new Map([[conv, m(40)]]))
      expect(a.getArray('readPositions').length).toBe(1)
    }
  })

  it('refuses to move backwards on one device', () => {
    const [a] = devices()
    expect(markRead(a, conv, m(10), Origin.local)).toBe(true)
    expect(markRead(a, conv, m(5), Origin.local)).toBe(false)
    expect(readPosition(a, conv)).toBe(m(10))
  })

  it('still reads a position stored under the conversation alone (before the max-register layout)', () => {
    const [a] = devices()
    a.getArray<{ key: string; val: string }>('readPositions').push([{ key: conv, val: m(7) }])
    expect(readPosition(a, conv)).toBe(m(7))
    markRead(a, conv, m(9), Origin.local)
    expect(readPositions(a)).toEqual(new Map([[conv, m(9)]]))
    expect(a.getArray('readPositions').length).toBe(1)
  })
})
