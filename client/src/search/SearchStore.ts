import { liveQuery, type Dexie, type EntityTable, type Table } from 'dexie'
import { Reason, WaggleError, type ConvId } from '@waggle/schema'
import { openAccountDb, type AccountDbOptions } from '../sync/index.ts'
import type { StoredChunk } from './MessageIndex.ts'

/**
 * Bumped when tokenising or the chunk layout changes: a store of another format is emptied
 * and the index is built again from the documents on the device.
 */
export const SEARCH_FORMAT = 1

interface ChunkRow {
  /** `conv/seg`. */
  key: string
  /** The store's revision when this chunk was last written: readers in other tabs follow it. */
  rev: number
  chunk: StoredChunk
}

interface MetaRow {
  key: 'state'
  format: number
  /** Position in the document storage's change feed up to which everything is indexed. */
  cursor: number
  /** Last revision given to a chunk. */
  rev: number
}

type SearchDb = Dexie & {
  chunks: EntityTable<ChunkRow, 'key'>
  meta: Table<MetaRow, string>
}

/** IndexedDB name of an account's search index. */
export function searchDbNameFor(account: string): string {
  if (account.length === 0) throw new WaggleError(Reason.badRequest, 'An account is required to open the search index')
  return `waggle-${account}-search`
}

export const chunkKey = (conv: ConvId, seg: number): string => `${conv}/${String(seg)}`

/**
 * The device's message index in its own Dexie database (ARCHITECTURE §5: derived local
 * indexes): one row per conversation segment, and where the indexer stands in the document
 * storage's change feed. The leader tab's indexer writes it; every tab's reader follows it by
 * revision. Chunks and cursor are written in one transaction, so after a crash the indexer
 * resumes exactly where the stored chunks end.
 */
export class SearchStore {
  readonly #db: SearchDb
  #ready: Promise<MetaRow> | null = null

  constructor(options: AccountDbOptions) {
    this.#db = openAccountDb(searchDbNameFor(options.account), options, true) as SearchDb
    this.#db.version(1).stores({ chunks: 'key, rev', meta: 'key' })
  }

  /** The indexer's position in the change feed (0 for an empty or outdated store). */
  async cursor(): Promise<number> {
    await this.#state()
    return (await this.#db.meta.get('state'))?.cursor ?? 0
  }

  /** Chunks by key; missing ones are left out. */
  async get(keys: readonly string[]): Promise<StoredChunk[]> {
    const rows = await this.#db.chunks.bulkGet([...keys])
    return rows.flatMap((row) => (row === undefined ? [] : [row.chunk]))
  }

  /**
   * Every chunk, in pages of `pageSize` (a first load: one huge read would hold the page for
   * the time Chromium takes to deserialise it all), and the revision they are current for.
   */
  async *all(pageSize: number): AsyncGenerator<StoredChunk[], number> {
    const rev = (await this.#db.meta.get('state'))?.rev ?? 0
    let after: string | null = null
    for (;;) {
      const from: string | null = after
      const rows: ChunkRow[] = await (from === null ? this.#db.chunks.orderBy('key') : this.#db.chunks.where('key').above(from)).limit(pageSize).toArray()
      if (rows.length === 0) return rev
      yield rows.map((row) => row.chunk)
      after = rows[rows.length - 1]?.key ?? null
    }
  }

  /** Chunks written after revision `rev`, and the newest revision. */
  async since(rev: number): Promise<{ chunks: StoredChunk[]; rev: number }> {
    return this.#db.transaction('r', [this.#db.chunks, this.#db.meta], async () => {
      const rows = await this.#db.chunks.where('rev').above(rev).toArray()
      const state = await this.#db.meta.get('state')
      return { chunks: rows.map((row) => row.chunk), rev: Math.max(rev, state?.rev ?? 0, ...rows.map((row) => row.rev)) }
    })
  }

  /** Writes changed chunks and moves the cursor, atomically. */
  async save(chunks: readonly StoredChunk[], cursor: number): Promise<void> {
    await this.#state()
    await this.#db.transaction('rw', [this.#db.chunks, this.#db.meta], async () => {
      const state = await this.#db.meta.get('state')
      const rev = (state?.rev ?? 0) + 1
      if (chunks.length > 0) await this.#db.chunks.bulkPut(chunks.map((chunk) => ({ key: chunkKey(chunk.conv, chunk.seg), rev, chunk })))
      await this.#db.meta.put({ key: 'state', format: SEARCH_FORMAT, cursor, rev })
    })
  }

  /** Calls `next` after the leader saved (in any tab; possibly once at first). */
  onSaved(next: () => void): () => void {
    const sub = liveQuery(() => this.#db.meta.get('state')).subscribe({
      next: () => next(),
      error: (err: unknown) => console.error('waggle: watching the search index', err),
    })
    return () => sub.unsubscribe()
  }

  /** Deletes the database (sign-out with "clear local data"); this instance is closed afterwards. */
  async destroy(): Promise<void> {
    await this.#db.delete()
  }

  close(): void {
    this.#db.close()
  }

  /** The stored state; a store of another format is emptied first (the indexer starts over). */
  #state(): Promise<MetaRow> {
    this.#ready ??= this.#db.transaction('rw', [this.#db.chunks, this.#db.meta], async () => {
      const state = await this.#db.meta.get('state')
      if (state !== undefined && state.format === SEARCH_FORMAT && Number.isSafeInteger(state.cursor) && Number.isSafeInteger(state.rev)) return state
      await this.#db.chunks.clear()
      const fresh: MetaRow = { key: 'state', format: SEARCH_FORMAT, cursor: 0, rev: (state?.rev ?? 0) + 1 }
      await this.#db.meta.put(fresh)
      return fresh
    })
    return this.#ready
  }
}
