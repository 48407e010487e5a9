import { docName } from '@waggle/schema'
import type { ConvId, DocName, WorkspaceId } from '@waggle/schema'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { Persistence, StoredDoc } from './Persistence.ts'

/** What a {@link persistenceContract} run needs from one implementation. */
export interface PersistenceFixture {
  persistence: Persistence
  /** Closes the store and opens it again on the same data; only for durable implementations. */
  reopen?: () => Promise<Persistence>
  cleanup: () => Promise<void>
}

const docA = docName.segment('conv-a' as ConvId, 0)
const docB = docName.directory('ws-b' as WorkspaceId)
const bytes = (...xs: number[]) => Uint8Array.from(xs)

/** The test document's content as JSON (`Y.Doc.toJSON` skips types not yet asked for). */
const content = (doc: Y.Doc) => ({ list: doc.getArray<string>('list').toJSON(), meta: doc.getMap<number>('meta').toJSON() })

/** Real Yjs updates: one per write to a shared list, in order. */
function yjsUpdates(count: number): { updates: Uint8Array[]; json: unknown } {
  const doc = new Y.Doc()
  const updates: Uint8Array[] = []
  doc.on('update', (u: Uint8Array) => updates.push(u))
  const list = doc.getArray<string>('list')
  const meta = doc.getMap<number>('meta')
  for (let i = 0; i < count; i++) {
    doc.transact(() => {
      list.insert(list.length, [`item ${i}`])
      meta.set('count', i + 1)
    })
  }
  return { updates, json: content(doc) }
}

function replay(stored: StoredDoc): unknown {
  const doc = new Y.Doc()
  if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot)
  for (const u of stored.updates) Y.applyUpdate(doc, u)
  return content(doc)
}

async function appendAll(p: Persistence, doc: DocName, updates: Uint8Array[]): Promise<number[]> {
  const seqs: number[] = []
  for (const u of updates) seqs.push(await p.append(doc, u))
  return seqs
}

/**
 * The behaviour every {@link Persistence} must have (ARCHITECTURE §6), run against each
 * implementation by `persistence.test.ts`.
 */
/** `durable` implementations also run the reopen tests (their fixture must provide `reopen`). */
export function persistenceContract(name: string, make: () => Promise<PersistenceFixture>, durable = false): void {
  const itDurable = durable ? it : () => undefined
  describe(`Persistence contract: ${name}`, () => {
    let f: PersistenceFixture
    let p: Persistence
    beforeEach(async () => {
      f = await make()
      p = f.persistence
    })
    afterEach(() => f.cleanup())

    it('loads a document never written as no snapshot, no updates and lastSeq 0', async () => {
      expect(await p.load(docA)).toEqual({ snapshot: null, updates: [], lastSeq: 0 })
      expect(await p.logLength(docA)).toBe(0)
    })

    it('numbers appends 1, 2, 3 per document, independently of other documents', async () => {
      expect(await appendAll(p, docA, [bytes(1), bytes(2), bytes(3)])).toEqual([1, 2, 3])
      expect(await appendAll(p, docB, [bytes(9)])).toEqual([1])
      expect(await p.append(docA, bytes(4))).toBe(4)
      expect((await p.load(docB)).updates).toEqual([bytes(9)])
    })

    it('gives concurrent appends distinct, consecutive sequence numbers', async () => {
      const seqs = await Promise.all(Array.from({ length: 20 }, (_, i) => p.append(docA, bytes(i))))
      expect([...seqs].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
      expect((await p.load(docA)).lastSeq).toBe(20)
    })

    it('loads updates in append order with the last sequence number', async () => {
      await appendAll(p, docA, [bytes(3), bytes(1), bytes(2)])
      expect(await p.load(docA)).toEqual({ snapshot: null, updates: [bytes(3), bytes(1), bytes(2)], lastSeq: 3 })
      expect(await p.logLength(docA)).toBe(3)
    })

    it('compaction replaces the snapshot and keeps only the updates after throughSeq', async () => {
      await appendAll(p, docA, [bytes(1), bytes(2), bytes(3), bytes(4)])
      await p.compact(docA, bytes(100), 2)
      expect(await p.load(docA)).toEqual({ snapshot: bytes(100), updates: [bytes(3), bytes(4)], lastSeq: 4 })
      await p.compact(docA, bytes(200), 4)
      expect(await p.load(docA)).toEqual({ snapshot: bytes(200), updates: [], lastSeq: 4 })
      expect(await p.logLength(docA)).toBe(0)
    })

    it('keeps counting sequence numbers after compaction deleted every update', async () => {
      await appendAll(p, docA, [bytes(1), bytes(2)])
      await p.compact(docA, bytes(100), 2)
      expect(await p.append(docA, bytes(3))).toBe(3)
      expect(await p.load(docA)).toEqual({ snapshot: bytes(100), updates: [bytes(3)], lastSeq: 3 })
    })

    it('ignores a stale compaction that finishes after a newer one', async () => {
      await appendAll(p, docA, [bytes(1), bytes(2), bytes(3)])
      await p.compact(docA, bytes(103), 3)
      await p.compact(docA, bytes(101), 1)
      expect(await p.load(docA)).toEqual({ snapshot: bytes(103), updates: [], lastSeq: 3 })
    })

    it('rejects a compaction through a sequence number not yet appended', async () => {
      await p.append(docA, bytes(1))
      await expect(p.compact(docA, bytes(100), 2)).rejects.toThrow(/through seq 2/)
      await expect(p.compact(docB, bytes(100), 1)).rejects.toThrow(/through seq 1/)
      await expect(p.compact(docA, bytes(100), 0.5)).rejects.toThrow(/through seq 0.5/)
      expect(await p.load(docA)).toEqual({ snapshot: null, updates: [bytes(1)], lastSeq: 1 })
    })

    it('round-trips real Yjs updates and snapshots byte for byte', async () => {
      const { updates, json } = yjsUpdates(12)
      await appendAll(p, docA, updates)
      const early = new Y.Doc()
      for (const u of updates.slice(0, 7)) Y.applyUpdate(early, u)
      await p.compact(docA, Y.encodeStateAsUpdate(early), 7)

      const stored = await p.load(docA)
      expect(stored.snapshot).toEqual(Y.encodeStateAsUpdate(early))
      expect(stored.updates).toEqual(updates.slice(7))
      expect(replay(stored)).toEqual(json)
    })

    it('stores a copy of the bytes and hands out plain, unshared Uint8Arrays', async () => {
      // A Buffer, as a WebSocket frame would deliver it; the caller may reuse it afterwards.
      const frame = Buffer.from([1, 2, 3])
      await p.append(docA, frame)
      frame.fill(0)
      const first = await p.load(docA)
      const update = first.updates[0]
      expect(update).toEqual(bytes(1, 2, 3))
      expect(Object.getPrototypeOf(update)).toBe(Uint8Array.prototype)
      update?.fill(9)
      expect((await p.load(docA)).updates).toEqual([bytes(1, 2, 3)])
    })

    itDurable('keeps snapshot, updates and sequence numbers across a reopen', async () => {
      if (!f.reopen) throw new Error('a durable implementation must provide reopen')
      const { updates, json } = yjsUpdates(6)
      await appendAll(p, docA, updates.slice(0, 5))
      const early = new Y.Doc()
      for (const u of updates.slice(0, 5)) Y.applyUpdate(early, u)
      // Compacting everything leaves no update row, so only the stored head remembers seq 5.
      await p.compact(docA, Y.encodeStateAsUpdate(early), 5)
      await p.append(docA, updates[5] ?? bytes())

      p = await f.reopen()
      const stored = await p.load(docA)
      expect(stored.lastSeq).toBe(6)
      expect(stored.updates).toEqual(updates.slice(5))
      expect(replay(stored)).toEqual(json)
      expect(await p.append(docA, bytes(7))).toBe(7)
    })
  })
}
