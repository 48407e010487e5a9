import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { Reason, docName } from '@waggle/schema'
import type { ConvId, UserId } from '@waggle/schema'
import { COMPACT_THRESHOLD, type DocStorage } from './DocStorage.ts'

/** What a backend hands the contract for one test. */
export interface DocStorageSubject {
  storage: DocStorage
  /** Closes the storage and opens the same stored data again, like a page reload. */
  reopen?: () => Promise<DocStorage>
  /** Closes everything `make` and `reopen` opened. */
  cleanup: () => Promise<void>
}

const segment = docName.segment('c1' as ConvId, 0)
const meta = docName.convMeta('c1' as ConvId)
const privateDoc = docName.private('u1' as UserId)

/** A real Yjs document that records every update it emits. */
class Writer {
  readonly doc = new Y.Doc()
  readonly updates: Uint8Array[] = []
  #n = 0

  constructor() {
    this.doc.on('update', (update: Uint8Array) => this.updates.push(update))
  }

  /** Makes one edit (map, array or text in turn) and returns the update it produced. */
  edit(): Uint8Array {
    const n = this.#n++
    if (n % 3 === 0) this.doc.getMap('m').set(`k${n}`, n)
    else if (n % 3 === 1) this.doc.getArray<number>('a').insert(0, [n])
    else this.doc.getText('t').insert(0, `t${n} `)
    const update = this.updates.at(-1)
    if (!update) throw new Error('edit emitted no update')
    return update
  }

  json(): unknown {
    return snapshot(this.doc)
  }
}

function snapshot(doc: Y.Doc): unknown {
  return { m: doc.getMap('m').toJSON(), a: doc.getArray('a').toJSON(), t: doc.getText('t').toJSON() }
}

/** The JSON of a fresh document with `updates` applied. */
function replay(updates: readonly Uint8Array[]): unknown {
  const doc = new Y.Doc()
  for (const update of updates) Y.applyUpdate(doc, update)
  return snapshot(doc)
}

/**
 * The behaviour every {@link DocStorage} must have (ARCHITECTURE §4, §5). `make` is called
 * once per test and must return storage with nothing in it.
 */
/** `persistent` backends also run the reload tests (their `make` must provide `reopen`). */
export function docStorageContract(name: string, make: () => Promise<DocStorageSubject>, persistent = false): void {
  const itPersistent = persistent ? it : () => undefined
  describe(`DocStorage contract: ${name}`, () => {
    let subject: DocStorageSubject
    let storage: DocStorage

    beforeEach(async () => {
      subject = await make()
      storage = subject.storage
    })
    afterEach(async () => {
      await subject.cleanup()
    })

    it('loads an unknown document as no updates', async () => {
      expect(await storage.load(segment)).toEqual([])
      expect(await storage.logLength(segment)).toBe(0)
      expect(await storage.outbox()).toEqual([])
      expect(await storage.docs()).toEqual([])
    })

    it('loads remote and local updates in the order they were stored and replays the document', async () => {
      const writer = new Writer()
      const written: Uint8Array[] = []
      for (let i = 0; i < 6; i++) {
        const update = writer.edit()
        written.push(update)
        if (i % 2 === 0) await storage.storeRemote(segment, update)
        else await storage.storeLocal(segment, update)
      }
      const loaded = await storage.load(segment)
      expect(loaded).toHaveLength(6)
      for (const [i, update] of loaded.entries()) {
        expect(update).toBeInstanceOf(Uint8Array)
        expect(update).toEqual(written[i])
      }
      expect(replay(loaded)).toEqual(writer.json())
      expect(await storage.logLength(segment)).toBe(6)
    })

    it('keeps its own copy of the bytes it stores and loads', async () => {
      const writer = new Writer()
      const update = writer.edit()
      const original = update.slice()
      // A view into a larger buffer, as a frame decoder hands out.
      const framed = new Uint8Array(update.byteLength + 8)
      framed.set(update, 4)
      await storage.storeRemote(segment, framed.subarray(4, 4 + update.byteLength))
      framed.fill(0)
      const [first] = await storage.load(segment)
      first?.fill(0)
      expect(await storage.load(segment)).toEqual([original])
    })

    it('queues local updates as pending with seqs increasing across documents', async () => {
      const a = new Writer()
      const b = new Writer()
      const entries = [
        await storage.storeLocal(segment, a.edit()),
        await storage.storeLocal(meta, b.edit()),
        await storage.storeLocal(segment, a.edit()),
      ]
      for (let i = 1; i < entries.length; i++) expect(entries[i]?.seq).toBeGreaterThan(entries[i - 1]?.seq ?? Infinity)
      for (const entry of entries) {
        expect(entry.state).toBe('pending')
        expect(typeof entry.createdAt).toBe('number')
        expect('reason' in entry || 'message' in entry).toBe(false)
      }
      const outbox = await storage.outbox()
      expect(outbox).toEqual(entries)
      expect(outbox.map((e) => e.doc)).toEqual([segment, meta, segment])
      expect(outbox[1]?.update).toEqual(b.updates[0])
    })

    it('gives concurrent local writes distinct seqs and loses none', async () => {
      const writer = new Writer()
      const updates = [writer.edit(), writer.edit(), writer.edit(), writer.edit()]
      const entries = await Promise.all(updates.map((u) => storage.storeLocal(segment, u)))
      expect(new Set(entries.map((e) => e.seq)).size).toBe(updates.length)
      expect((await storage.outbox()).map((e) => e.seq)).toEqual(entries.map((e) => e.seq).sort((x, y) => x - y))
      expect(replay(await storage.load(segment))).toEqual(writer.json())
    })

    it('ack removes exactly the given seqs', async () => {
      const writer = new Writer()
      const [e1, e2, e3] = [await storage.storeLocal(segment, writer.edit()), await storage.storeLocal(meta, writer.edit()), await storage.storeLocal(segment, writer.edit())]
      await storage.ack([e1.seq, e3.seq, e3.seq + 1000])
      expect(await storage.outbox()).toEqual([e2])
      await storage.ack([])
      expect(await storage.outbox()).toEqual([e2])
      // Acknowledging removes the outbox entry only; the update stays in the document's log.
      expect(await storage.logLength(segment)).toBe(2)
    })

    it('reject keeps the entry with the reason; retry makes it pending again; discard removes it', async () => {
      const writer = new Writer()
      const entry = await storage.storeLocal(segment, writer.edit())
      const other = await storage.storeLocal(segment, writer.edit())

      await storage.reject(entry.seq, Reason.forbidden, 'read-only member')
      expect(await storage.outbox()).toEqual([{ ...entry, state: 'rejected', reason: Reason.forbidden, message: 'read-only member' }, other])

      await storage.retry(entry.seq)
      const [retried] = await storage.outbox()
      expect(retried).toEqual(entry)
      expect(retried && ('reason' in retried || 'message' in retried)).toBe(false)

      await storage.discard(entry.seq)
      expect(await storage.outbox()).toEqual([other])
      expect(await storage.logLength(segment)).toBe(2)
    })

    it('ignores reject, retry and discard of unknown seqs', async () => {
      const entry = await storage.storeLocal(segment, new Writer().edit())
      await storage.reject(entry.seq + 1, Reason.forbidden, 'gone')
      await storage.retry(entry.seq + 1)
      await storage.discard(entry.seq + 1)
      expect(await storage.outbox()).toEqual([entry])
    })

    it('compacts a log into one record with the same content', async () => {
      const writer = new Writer()
      const other = new Writer()
      for (let i = 0; i < 5; i++) await storage.storeRemote(segment, writer.edit())
      const pending = await storage.storeLocal(segment, writer.edit())
      await storage.storeRemote(meta, other.edit())
      await storage.storeRemote(meta, other.edit())

      await storage.compact(segment)
      expect(await storage.logLength(segment)).toBe(1)
      expect(replay(await storage.load(segment))).toEqual(writer.json())
      // Compaction touches neither other documents nor the outbox.
      expect(await storage.logLength(meta)).toBe(2)
      expect(await storage.outbox()).toEqual([pending])

      await storage.compact(segment)
      await storage.compact(privateDoc)
      expect(await storage.logLength(segment)).toBe(1)
      expect(await storage.logLength(privateDoc)).toBe(0)
    })

    it(`compacts automatically once a log has more than ${COMPACT_THRESHOLD} records`, async () => {
      const writer = new Writer()
      for (let i = 0; i < COMPACT_THRESHOLD - 1; i++) await storage.storeRemote(segment, writer.edit())
      await storage.storeLocal(segment, writer.edit())
      expect(await storage.logLength(segment)).toBe(COMPACT_THRESHOLD)

      await storage.storeRemote(segment, writer.edit())
      expect(await storage.logLength(segment)).toBe(1)
      expect(replay(await storage.load(segment))).toEqual(writer.json())

      for (let i = 0; i < COMPACT_THRESHOLD; i++) await storage.storeLocal(segment, writer.edit())
      expect(await storage.logLength(segment)).toBe(1)
      expect(replay(await storage.load(segment))).toEqual(writer.json())
      expect(await storage.outbox()).toHaveLength(COMPACT_THRESHOLD + 1)
    })

    it('lists the documents that have stored updates', async () => {
      const writer = new Writer()
      await storage.storeRemote(segment, writer.edit())
      await storage.storeLocal(meta, writer.edit())
      await storage.storeRemote(segment, writer.edit())
      expect([...(await storage.docs())].sort()).toEqual([meta, segment].sort())
    })

    it('destroy removes every document and the outbox', async () => {
      const writer = new Writer()
      await storage.storeRemote(segment, writer.edit())
      await storage.storeLocal(meta, writer.edit())
      await storage.destroy()
      const after = subject.reopen ? await subject.reopen() : storage
      expect(await after.docs()).toEqual([])
      expect(await after.load(segment)).toEqual([])
      expect(await after.outbox()).toEqual([])
    })

    itPersistent('keeps the outbox and the logs across a reload', async () => {
      if (!subject.reopen) throw new Error('a persistent backend must provide reopen')
      const writer = new Writer()
      await storage.storeRemote(segment, writer.edit())
      const sent = await storage.storeLocal(segment, writer.edit())
      const refused = await storage.storeLocal(meta, writer.edit())
      await storage.reject(refused.seq, Reason.readOnly, 'archived')
      const outboxBefore = await storage.outbox()

      const reloaded = await subject.reopen()
      expect(await reloaded.outbox()).toEqual(outboxBefore)
      expect(outboxBefore.map((e) => e.seq)).toEqual([sent.seq, refused.seq])
      expect(replay([...(await reloaded.load(segment)), ...(await reloaded.load(meta))])).toEqual(writer.json())
      expect([...(await reloaded.docs())].sort()).toEqual([meta, segment].sort())
    })

    it('lists changed documents after a cursor, in storage order and in pages, and tells after a store', async () => {
      const writer = new Writer()
      let told = 0
      const stop = storage.onStored(() => told++)
      expect(await storage.changedSince(0, 10)).toEqual({ docs: [], cursor: 0 })
      await storage.storeRemote(segment, writer.edit())
      await storage.storeLocal(meta, writer.edit())
      const first = await storage.changedSince(0, 10)
      expect(first.docs).toEqual([segment, meta])
      expect(await storage.changedSince(first.cursor, 10)).toEqual({ docs: [], cursor: first.cursor })
      await storage.storeRemote(privateDoc, writer.edit())
      await storage.storeRemote(segment, writer.edit())
      const page = await storage.changedSince(first.cursor, 1)
      expect(page.docs).toEqual([privateDoc])
      const rest = await storage.changedSince(page.cursor, 10)
      expect(rest.docs).toEqual([segment])
      await expect.poll(() => told, { timeout: 5000 }).toBeGreaterThan(0)
      const before = told
      await storage.storeRemote(meta, writer.edit())
      await expect.poll(() => told, { timeout: 5000 }).toBeGreaterThan(before)
      stop()
    })

    itPersistent('never reuses a seq after a reload, even once the outbox was emptied', async () => {
      if (!subject.reopen) throw new Error('a persistent backend must provide reopen')
      const writer = new Writer()
      const first = await storage.storeLocal(segment, writer.edit())
      const last = await storage.storeLocal(segment, writer.edit())
      await storage.ack([first.seq, last.seq])

      const reloaded = await subject.reopen()
      const next = await reloaded.storeLocal(segment, writer.edit())
      expect(next.seq).toBeGreaterThan(last.seq)
    })
  })
}
