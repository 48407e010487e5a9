import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb'
import { Origin, appendMessage, deleteMessage, docName, editMessage, newMessageId, type ConvId, type MessageId, type UserId } from '@waggle/schema'
import { DexieDocStorage } from '../sync/DexieDocStorage.ts'
import { SearchIndexer } from './SearchIndexer.ts'
import { SearchReader } from './SearchReader.ts'
import { SearchStore } from './SearchStore.ts'

/**
 * The device's search pipeline on Dexie over fake-indexeddb: segments stored as a device
 * stores them, the leader's indexer following the change feed, and a reader as another tab
 * holds it. What users rely on: new, edited and deleted messages are reflected; a restart
 * resumes; nothing is found that is not there.
 */

const anna = 'anna' as UserId
const c1 = 'c1' as ConvId
const c2 = 'c2' as ConvId

interface Device {
  storage: DexieDocStorage
  store: SearchStore
  indexer: SearchIndexer
  reader: SearchReader
  errors: unknown[]
  close(): void
}

const opened: Device[] = []
afterEach(() => {
  for (const d of opened.splice(0)) d.close()
})

function device(indexedDB: IDBFactory): Device {
  const errors: unknown[] = []
  const onError = (err: unknown) => errors.push(err)
  const storage = new DexieDocStorage({ account: 'ws.anna', indexedDB, IDBKeyRange })
  const store = new SearchStore({ account: 'ws.anna', indexedDB, IDBKeyRange })
  const indexer = new SearchIndexer({ storage, store, onError, batch: 2 })
  const reader = new SearchReader(store, onError)
  const d: Device = {
    storage, store, indexer, reader, errors,
    close() {
      indexer.dispose()
      reader.dispose()
      storage.close()
      store.close()
    },
  }
  opened.push(d)
  return d
}

/** A segment written the way the relay delivers it: updates stored as they arrive. */
class Segment {
  readonly doc = new Y.Doc()
  constructor(readonly storage: DexieDocStorage, readonly conv: ConvId, readonly seg = 0) {
    this.doc.on('update', (update: Uint8Array) => void storage.storeRemote(docName.segment(conv, seg), update))
  }
  send(text: string, time = Date.now()): MessageId {
    const id = newMessageId(time)
    appendMessage(this.doc, { id, author: anna, time, text }, Origin.remote)
    return id
  }
}

const found = (d: Device, q: string) => d.reader.search(q, { limit: 30 }).hits.map((h) => h.text)

/** Waits until the indexer caught up and the reader applied what it saved. */
async function caughtUp(d: Device): Promise<void> {
  await d.indexer.settled()
  await d.reader.open()
}

describe('the search indexer and reader', () => {
  it('indexes stored segments in the background and follows new, edited and deleted messages', async () => {
    const idb = new IDBFactory()
    const d = device(idb)
    const s1 = new Segment(d.storage, c1)
    const s2 = new Segment(d.storage, c2)
    s1.send('Il rapporto è pronto, perché domani parto', 1000)
    const gone = s1.send('Report for the Straße site', 2000)
    s2.send('Über den Bericht sprechen wir morgen', 3000)
    await expect.poll(async () => (await d.storage.docs()).length).toBe(2)

    await d.indexer.start()
    await caughtUp(d)
    expect(found(d, 'perche')).toEqual(['Il rapporto è pronto, perché domani parto'])
    expect(found(d, 'strasse')).toEqual(['Report for the Straße site'])
    expect(found(d, 'uber bericht')).toEqual(['Über den Bericht sprechen wir morgen'])
    expect(found(d, 'rap')).toHaveLength(1)
    expect(d.indexer.progress).toMatchObject({ state: 'ready', done: 2, total: 2 })

    const edited = s2.send('Reunión mañana con el niño', 4000)
    editMessage(s2.doc, edited, 'Reunión el lunes con la escuela', 5000, Origin.remote)
    deleteMessage(s1.doc, gone, 6000, Origin.remote)
    await expect.poll(async () => {
      await caughtUp(d)
      return [found(d, 'reunion'), found(d, 'strasse'), found(d, 'manana')]
    }, { timeout: 5000 }).toEqual([['Reunión el lunes con la escuela'], [], []])
    expect(d.errors).toEqual([])
  })

  it('a restart resumes from the saved cursor and a new tab reads the same index', async () => {
    const idb = new IDBFactory()
    const first = device(idb)
    const s = new Segment(first.storage, c1)
    for (let i = 0; i < 20; i++) s.send(`Messaggio numero ${String(i)} dall'ufficio`, 1000 + i)
    await expect.poll(async () => (await first.storage.logLength(docName.segment(c1, 0)))).toBe(20)
    await first.indexer.start()
    await caughtUp(first)
    expect(first.reader.search('ufficio', { limit: 30 }).total).toBe(20)
    const cursor = await first.store.cursor()
    expect(cursor).toBeGreaterThan(0)
    first.close()

    const again = device(idb)
    await again.indexer.start()
    // Nothing new was stored: nothing is read again.
    expect(again.indexer.progress).toMatchObject({ state: 'ready', total: 0 })
    await again.reader.open()
    const page = again.reader.search('messaggio', { limit: 5, offset: 5 })
    expect(page.total).toBe(20)
    expect(page.hits.map((h) => h.text)).toEqual([14, 13, 12, 11, 10].map((i) => `Messaggio numero ${String(i)} dall'ufficio`))
    expect(again.reader.segments()).toEqual(new Map([[c1, [0]]]))
  })

  it('reports progress batch by batch during a first build', async () => {
    const idb = new IDBFactory()
    const d = device(idb)
    const segments = Array.from({ length: 6 }, (_, i) => new Segment(d.storage, `c${String(i)}` as ConvId))
    for (const [i, s] of segments.entries()) {
      s.doc.transact(() => {
        for (let m = 0; m < 300; m++) s.send(`Nachricht ${String(m)} über das Projekt ${String(i)}`, 1000 + m)
      })
    }
    await expect.poll(async () => (await d.storage.docs()).length, { timeout: 10_000 }).toBe(6)
    const progress: number[] = []
    d.indexer.onProgress((p) => progress.push(p.done))
    await d.indexer.start()
    await caughtUp(d)
    expect(d.reader.search('projekt', { limit: 1 }).total).toBe(1800)
    // Batches of 2 segments: progress is reported as it goes, not only at the end.
    expect(progress.filter((n) => n > 0 && n < 6).length).toBeGreaterThan(0)
    expect(progress.at(-1)).toBe(6)
  })
})
