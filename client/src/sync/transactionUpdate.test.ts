import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { transactionUpdate } from './transactionUpdate.ts'

/** Applies a random edit; some delete (map overwrites and removals, array deletes). */
function edit(doc: Y.Doc, op: number, n: number): void {
  const map = doc.getMap<string>('messages')
  const arr = doc.getArray<string>('kv')
  doc.transact(() => {
    if (op === 0) map.set(`m${n % 7}`, `text ${n}`)
    else if (op === 1) map.delete(`m${n % 7}`)
    else if (op === 2) arr.insert(arr.length, [`e${n}`])
    else if (arr.length > 0) arr.delete(n % arr.length, 1)
  }, 'local')
}

describe('transactionUpdate', () => {
  it('encodes, before the observers run, an update equivalent to the one Yjs emits after them', () => {
    const seed = Date.now() % 100_000
    console.log(`transactionUpdate property seed ${seed}`)
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.nat(1_000)), { minLength: 1, maxLength: 60 }), (ops) => {
      const doc = new Y.Doc()
      const early = new Y.Doc()
      const late = new Y.Doc()
      let before: Uint8Array | null = null
      let fallbacks = 0
      doc.on('beforeObserverCalls', (tr: Y.Transaction) => {
        before = transactionUpdate(doc, tr)
      })
      doc.on('update', (update: Uint8Array) => {
        Y.applyUpdate(late, update)
        if (before === null) fallbacks++
        else Y.applyUpdate(early, before)
        before = null
      })
      ops.forEach(([op, n], i) => edit(doc, op, n + i))
      expect(fallbacks).toBe(0)
      expect(Y.encodeStateVector(early)).toEqual(Y.encodeStateVector(late))
      expect(early.getMap('messages').toJSON()).toEqual(late.getMap('messages').toJSON())
      expect(early.getArray('kv').toJSON()).toEqual(late.getArray('kv').toJSON())
      expect(Y.encodeStateVector(early)).toEqual(Y.encodeStateVector(doc))
      expect(early.getArray('kv').toJSON()).toEqual(doc.getArray('kv').toJSON())
    }), { seed, numRuns: 200 })
  })

  it('is null for a transaction that changed nothing', () => {
    const doc = new Y.Doc()
    let result: Uint8Array | null | undefined
    doc.on('beforeObserverCalls', (tr: Y.Transaction) => (result = transactionUpdate(doc, tr)))
    doc.transact(() => doc.getMap('m').delete('absent'))
    expect(result).toBeNull()
  })
})
