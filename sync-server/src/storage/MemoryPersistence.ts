import type { DocName } from '@waggle/schema'
import type { Persistence, StoredDoc } from './Persistence.ts'

interface Entry {
  snapshot: Uint8Array | null
  log: { seq: number; update: Uint8Array }[]
  lastSeq: number
}

/** In-memory {@link Persistence} for unit tests; copies bytes in and out like a real store. */
export class MemoryPersistence implements Persistence {
  readonly #docs = new Map<DocName, Entry>()

  #entry(doc: DocName): Entry {
    let e = this.#docs.get(doc)
    if (e === undefined) {
      e = { snapshot: null, log: [], lastSeq: 0 }
      this.#docs.set(doc, e)
    }
    return e
  }

  load(doc: DocName): Promise<StoredDoc> {
    const e = this.#docs.get(doc)
    if (e === undefined) return Promise.resolve({ snapshot: null, updates: [], lastSeq: 0 })
    return Promise.resolve({
      snapshot: e.snapshot && e.snapshot.slice(),
      updates: e.log.map((x) => x.update.slice()),
      lastSeq: e.lastSeq,
    })
  }

  append(doc: DocName, update: Uint8Array): Promise<number> {
    const e = this.#entry(doc)
    e.lastSeq += 1
    e.log.push({ seq: e.lastSeq, update: update.slice() })
    return Promise.resolve(e.lastSeq)
  }

  compact(doc: DocName, snapshot: Uint8Array, throughSeq: number): Promise<void> {
    const e = this.#entry(doc)
    e.snapshot = snapshot.slice()
    e.log = e.log.filter((x) => x.seq > throughSeq)
    return Promise.resolve()
  }

  logLength(doc: DocName): Promise<number> {
    return Promise.resolve(this.#docs.get(doc)?.log.length ?? 0)
  }

  close(): Promise<void> {
    return Promise.resolve()
  }
}
