import type { DocName } from '@waggle/schema'
import { MemoryClientIdStore } from './ClientIdStore.ts'
import { assertThroughSeq, type Persistence, type StoredDoc } from './Persistence.ts'
import { promised } from './promised.ts'

interface Entry {
  snapshot: Uint8Array | null
  /** The `throughSeq` of the last compaction that replaced the snapshot. */
  snapshotSeq: number
  log: { seq: number; update: Uint8Array }[]
  lastSeq: number
}

/**
 * Copies bytes into a plain Uint8Array. Not `.slice()`: on a Node Buffer that returns a view of
 * the same memory, so a caller reusing its buffer would change what was "stored".
 */
const copyBytes = (b: Uint8Array): Uint8Array => new Uint8Array(b)

/** In-memory {@link Persistence} for unit tests; copies bytes in and out like a real store. */
export class MemoryPersistence implements Persistence {
  readonly #docs = new Map<DocName, Entry>()
  readonly clientIds = new MemoryClientIdStore()

  #entry(doc: DocName): Entry {
    let e = this.#docs.get(doc)
    if (e === undefined) {
      e = { snapshot: null, snapshotSeq: 0, log: [], lastSeq: 0 }
      this.#docs.set(doc, e)
    }
    return e
  }

  load(doc: DocName): Promise<StoredDoc> {
    const e = this.#docs.get(doc)
    if (e === undefined) return Promise.resolve({ snapshot: null, updates: [], lastSeq: 0 })
    return Promise.resolve({
      snapshot: e.snapshot && copyBytes(e.snapshot),
      updates: e.log.map((x) => copyBytes(x.update)),
      lastSeq: e.lastSeq,
    })
  }

  append(doc: DocName, update: Uint8Array): Promise<number> {
    const e = this.#entry(doc)
    e.lastSeq += 1
    e.log.push({ seq: e.lastSeq, update: copyBytes(update) })
    return Promise.resolve(e.lastSeq)
  }

  compact(doc: DocName, snapshot: Uint8Array, throughSeq: number): Promise<void> {
    return promised(() => {
      assertThroughSeq(doc, throughSeq, this.#docs.get(doc)?.lastSeq ?? 0)
      const e = this.#entry(doc)
      // Same rule as SqlitePersistence: a stale compaction must not replace a newer snapshot.
      if (e.snapshot !== null && e.snapshotSeq > throughSeq) return
      e.snapshot = copyBytes(snapshot)
      e.snapshotSeq = throughSeq
      e.log = e.log.filter((x) => x.seq > throughSeq)
    })
  }

  logLength(doc: DocName): Promise<number> {
    return Promise.resolve(this.#docs.get(doc)?.log.length ?? 0)
  }

  close(): Promise<void> {
    return Promise.resolve()
  }
}
