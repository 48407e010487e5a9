import { afterEach, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { IDBDatabase, IDBFactory, IDBKeyRange, IDBObjectStore } from 'fake-indexeddb'
import { docName } from '@waggle/schema'
import type { ConvId } from '@waggle/schema'
import { DexieDocStorage, dbNameFor } from './DexieDocStorage.ts'
import type { DocStorage } from './DocStorage.ts'
import { MemoryDocStorage } from './MemoryDocStorage.ts'
import { docStorageContract } from './docStorage.contract.ts'

const segment = docName.segment('c1' as ConvId, 0)

docStorageContract('MemoryDocStorage', () => {
  const storage = new MemoryDocStorage()
  return Promise.resolve({ storage, cleanup: () => Promise.resolve(storage.close()) })
})

/** A fresh fake IndexedDB per test, so tests share nothing. */
function dexieOpener(indexedDB = new IDBFactory()) {
  const opened: DexieDocStorage[] = []
  const open = (account: string) => {
    const storage = new DexieDocStorage({ account, indexedDB, IDBKeyRange })
    opened.push(storage)
    return storage
  }
  const closeAll = () => {
    for (const storage of opened) storage.close()
    return Promise.resolve()
  }
  return { indexedDB, open, closeAll }
}

docStorageContract('DexieDocStorage', () => {
  const { open, closeAll } = dexieOpener()
  let current = open('alice')
  return Promise.resolve({
    storage: current,
    reopen: () => {
      current.close()
      current = open('alice')
      return Promise.resolve(current)
    },
    cleanup: closeAll,
  })
}, true)

/** Updates for one document, from a real Yjs document. */
function edits(count: number, text: string): { updates: Uint8Array[]; json: string } {
  const doc = new Y.Doc()
  const updates: Uint8Array[] = []
  doc.on('update', (u: Uint8Array) => updates.push(u))
  for (let i = 0; i < count; i++) doc.getText('t').insert(0, `${text}${i} `)
  return { updates, json: doc.getText('t').toJSON() }
}

async function text(storage: DocStorage): Promise<string> {
  const doc = new Y.Doc()
  for (const update of await storage.load(segment)) Y.applyUpdate(doc, update)
  return doc.getText('t').toJSON()
}

describe('DexieDocStorage', () => {
  let closeAll: () => Promise<void> = () => Promise.resolve()
  afterEach(async () => {
    vi.restoreAllMocks()
    await closeAll()
  })
  function opener() {
    const o = dexieOpener()
    closeAll = o.closeAll
    return o
  }

  it('names one database per account', () => {
    expect(dbNameFor('alice')).toBe('waggle-alice')
    expect(() => dbNameFor('')).toThrow()
  })

  it('lets two tabs of one account see each other’s writes and seqs', async () => {
    const { open } = opener()
    const tab1 = open('alice')
    const tab2 = open('alice')
    const { updates, json } = edits(4, 'x')
    const e1 = await tab1.storeLocal(segment, updates[0] ?? new Uint8Array())
    const e2 = await tab2.storeLocal(segment, updates[1] ?? new Uint8Array())
    await tab1.storeRemote(segment, updates[2] ?? new Uint8Array())
    await tab2.storeRemote(segment, updates[3] ?? new Uint8Array())

    expect(e2.seq).toBeGreaterThan(e1.seq)
    expect(await tab1.outbox()).toEqual(await tab2.outbox())
    expect(await text(tab1)).toBe(json)
    expect(await text(tab2)).toBe(json)

    await tab2.ack([e1.seq])
    expect((await tab1.outbox()).map((e) => e.seq)).toEqual([e2.seq])
  })

  it('keeps another tab’s append made while this tab compacts', async () => {
    const { open } = opener()
    const tab1 = open('alice')
    const tab2 = open('alice')
    const { updates, json } = edits(6, 'y')
    for (const update of updates.slice(0, 5)) await tab1.storeRemote(segment, update)
    await Promise.all([tab1.compact(segment), tab2.storeRemote(segment, updates[5] ?? new Uint8Array())])
    expect(await text(tab1)).toBe(json)
    expect(await tab2.logLength(segment)).toBeLessThanOrEqual(2)
  })

  it('keeps accounts apart', async () => {
    const { open } = opener()
    const alice = open('alice')
    const bob = open('bob')
    const { updates } = edits(1, 'z')
    await alice.storeLocal(segment, updates[0] ?? new Uint8Array())
    expect(await bob.load(segment)).toEqual([])
    expect(await bob.outbox()).toEqual([])
    await bob.destroy()
    expect(await alice.logLength(segment)).toBe(1)
  })

  it('destroys the database even while another tab has it open', async () => {
    const { open } = opener()
    const tab1 = open('alice')
    const tab2 = open('alice')
    await tab1.storeLocal(segment, edits(1, 'd').updates[0] ?? new Uint8Array())
    await tab2.outbox()
    await tab1.destroy()
    expect(await open('alice').outbox()).toEqual([])
  })

  it('commits with strict durability', async () => {
    const transaction = vi.spyOn(IDBDatabase.prototype, 'transaction')
    const storage = opener().open('alice')
    await storage.storeLocal(segment, edits(1, 's').updates[0] ?? new Uint8Array())
    // Durability only applies to read-write transactions; Dexie's open and reads pass none.
    const writes = transaction.mock.calls.filter((call) => call[1] === 'readwrite')
    expect(writes).not.toHaveLength(0)
    for (const call of writes) expect(call[2]).toEqual({ durability: 'strict' })
  })

  it('rejects with the browser’s QuotaExceededError and stores neither record', async () => {
    const storage = opener().open('alice')
    const [first, second] = edits(2, 'q').updates
    const kept = await storage.storeLocal(segment, first ?? new Uint8Array())
    const quota = new DOMException('The quota has been exceeded.', 'QuotaExceededError')
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the store as `this`
    const add = IDBObjectStore.prototype.add
    vi.spyOn(IDBObjectStore.prototype, 'add').mockImplementation(function (this: IDBObjectStore, ...args) {
      if (this.name === 'outbox') throw quota
      return add.apply(this, args)
    })
    await expect(storage.storeLocal(segment, second ?? new Uint8Array())).rejects.toBe(quota)
    vi.restoreAllMocks()
    expect(await storage.outbox()).toEqual([kept])
    expect(await storage.logLength(segment)).toBe(1)
  })

  it('surfaces a quota abort of the transaction as the browser’s error', async () => {
    const storage = opener().open('alice')
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the store as `this`
    const add = IDBObjectStore.prototype.add
    vi.spyOn(IDBObjectStore.prototype, 'add').mockImplementation(function (this: IDBObjectStore, ...args) {
      const request = add.apply(this, args)
      // Chrome aborts the transaction with QuotaExceededError; fake-indexeddb's internal
      // `_abort(name)` is the only way to reproduce that abort reason.
      ;(this.transaction as unknown as { _abort(name: string): void })._abort('QuotaExceededError')
      return request
    })
    const error: unknown = await storage.storeRemote(segment, edits(1, 'a').updates[0] ?? new Uint8Array()).then(
      () => null,
      (err: unknown) => err,
    )
    expect(error).toBeInstanceOf(DOMException)
    expect((error as DOMException).name).toBe('QuotaExceededError')
    vi.restoreAllMocks()
    expect(await storage.logLength(segment)).toBe(0)
  })

  it('loads updates stored as ArrayBuffer as Uint8Array', async () => {
    const { indexedDB, open } = opener()
    const storage = open('alice')
    await storage.storeRemote(segment, edits(1, 'b').updates[0] ?? new Uint8Array())
    storage.close()
    const { updates, json } = edits(1, 'b')
    const raw = updates[0] ?? new Uint8Array()
    await new Promise<void>((resolve, reject) => {
      const request = indexedDB.open(dbNameFor('alice'))
      request.onerror = () => reject(request.error ?? new Error('open failed'))
      request.onsuccess = () => {
        const db = request.result
        const tx = db.transaction('updates', 'readwrite')
        tx.objectStore('updates').clear()
        tx.objectStore('updates').add({ doc: segment, update: raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength) })
        tx.oncomplete = () => {
          db.close()
          resolve()
        }
        tx.onerror = () => reject(tx.error ?? new Error('write failed'))
      }
    })
    const reopened = open('alice')
    const [loaded] = await reopened.load(segment)
    expect(loaded).toBeInstanceOf(Uint8Array)
    expect(await text(reopened)).toBe(json)
  })
})
