import * as Y from 'yjs'
import { parseDocName, searchableMessages, type ConvId } from '@waggle/schema'
import type { DocStorage } from '../sync/index.ts'
import { MessageIndex } from './MessageIndex.ts'
import { chunkKey, type SearchStore } from './SearchStore.ts'

export interface SearchIndexerDeps {
  storage: Pick<DocStorage, 'changedSince' | 'onStored' | 'load' | 'docs'>
  store: Pick<SearchStore, 'cursor' | 'get' | 'save'>
  onError: (err: unknown) => void
  /** Lets the page paint between slices of work (a macrotask by default). */
  yieldToUi?: () => Promise<void>
  /** Work at most this long before yielding. */
  sliceMs?: number
  /** Entries of the change feed read per batch (one save per batch). */
  batch?: number
  now?: () => number
}

/** Where the indexer stands, for "Indexing messages… n of m". */
export interface IndexerProgress {
  state: 'building' | 'ready'
  done: number
  total: number
}

/** Recently changed chunks the indexer keeps (about a thousand messages each). */
const HELD_CHUNKS = 16

const macrotask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0))

/**
 * Keeps the device's search index in step with the segments in document storage (leader tab
 * only). It follows the storage's change feed from the stored cursor: every segment stored
 * since is read from storage (not opened for sync: the index never subscribes to anything)
 * and its chunk made to hold exactly its live messages, so edits and deletes are reflected
 * and a restart or crash resumes from the last saved batch. Work is sliced and yields to the
 * page, so a first build over a million messages does not freeze the UI.
 */
export class SearchIndexer {
  readonly #deps: SearchIndexerDeps
  /** Only the chunks being changed are held here; the readers hold the whole index. */
  readonly #index = new MessageIndex()
  readonly #listeners = new Set<(progress: IndexerProgress) => void>()
  /** Chunks held in memory, least recently changed first. */
  readonly #held = new Map<string, { conv: ConvId; seg: number }>()
  #progress: IndexerProgress = { state: 'building', done: 0, total: 0 }
  #cursor = 0
  #running = false
  #again = false
  #disposed = false
  #stopFeed: (() => void) | null = null

  constructor(deps: SearchIndexerDeps) {
    this.#deps = deps
  }

  get progress(): IndexerProgress {
    return this.#progress
  }

  onProgress(listener: (progress: IndexerProgress) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Loads the cursor, counts what a first build has to read, then follows the feed. */
  async start(): Promise<void> {
    try {
      this.#cursor = await this.#deps.store.cursor()
      const total = this.#cursor === 0 ? (await this.#deps.storage.docs()).filter((name) => parseDocName(name)?.kind === 'segment').length : 0
      this.#setProgress({ state: total > 0 ? 'building' : 'ready', done: 0, total })
    } catch (err) {
      this.#deps.onError(err)
      return
    }
    if (this.#disposed) return
    this.#stopFeed = this.#deps.storage.onStored(() => this.schedule())
    this.schedule()
  }

  /** Runs a pass soon (after something was stored). */
  schedule(): void {
    if (this.#disposed) return
    if (this.#running) {
      this.#again = true
      return
    }
    this.#running = true
    void this.#run()
  }

  /** Resolves once everything stored so far is indexed and saved (tests, benchmarks). */
  async settled(): Promise<void> {
    while (!this.#disposed) {
      let stop = (): void => undefined
      const next = new Promise<void>((resolve) => {
        stop = this.onProgress(() => resolve())
      })
      try {
        if (!this.#running) {
          const pending = (await this.#deps.storage.changedSince(this.#cursor, 1)).docs.length > 0
          if (!pending && !this.#running) return
          this.schedule()
        }
        await next
      } finally {
        stop()
      }
    }
  }

  dispose(): void {
    this.#disposed = true
    this.#stopFeed?.()
    this.#listeners.clear()
  }

  async #run(): Promise<void> {
    try {
      do {
        this.#again = false
        while (!this.#disposed && (await this.#batch())) {
          // Keep reading batches until the feed is empty.
        }
      } while (this.#again && !this.#disposed)
    } catch (err) {
      this.#deps.onError(err)
    } finally {
      this.#running = false
      if (!this.#disposed) this.#setProgress({ state: 'ready', done: this.#progress.done, total: Math.max(this.#progress.total, this.#progress.done) })
    }
  }

  /** Indexes one batch of changed documents and saves it; false when there was nothing. */
  async #batch(): Promise<boolean> {
    const { storage, store } = this.#deps
    // Small batches: each one's save is one IndexedDB write the page waits for (measured: 64 segments of a
    // thousand messages gave 150-240 ms tasks, 8 none; bench/RESULTS-search.md).
    const page = await storage.changedSince(this.#cursor, this.#deps.batch ?? 8)
    if (page.docs.length === 0) return false
    const segments = page.docs.flatMap((name) => {
      const parsed = parseDocName(name)
      return parsed?.kind === 'segment' ? [{ name, conv: parsed.conv, seg: parsed.segment }] : []
    })
    // Chunks this batch changes come from the store, so unchanged messages are not tokenised again.
    const missing = segments.filter((s) => !this.#index.has(s.conv, s.seg)).map((s) => chunkKey(s.conv, s.seg))
    for (const chunk of await store.get(missing)) this.#index.putChunk(chunk)
    const sliceMs = this.#deps.sliceMs ?? 12
    const now = this.#deps.now ?? (() => performance.now())
    let sliceStart = now()
    for (const s of segments) {
      if (this.#disposed) return false
      await this.#indexSegment(s.name, s.conv, s.seg)
      if (now() - sliceStart > sliceMs) {
        await (this.#deps.yieldToUi ?? macrotask)()
        sliceStart = now()
      }
    }
    const { put } = this.#index.takeDirty()
    await store.save(put, page.cursor)
    this.#cursor = page.cursor
    this.#keepRecent(segments)
    const done = this.#progress.done + segments.length
    this.#setProgress({ state: this.#progress.state, done, total: Math.max(this.#progress.total, done) })
    return true
  }

  async #indexSegment(name: Parameters<DocStorage['load']>[0], conv: ConvId, seg: number): Promise<void> {
    const updates = await this.#deps.storage.load(name)
    const doc = new Y.Doc({ gc: true })
    try {
      // One merged update applies faster than many small ones.
      if (updates.length > 0) Y.applyUpdate(doc, updates.length === 1 ? (updates[0] as Uint8Array) : Y.mergeUpdates(updates))
      this.#index.setSegment(conv, seg, searchableMessages(doc))
    } finally {
      doc.destroy()
    }
  }

  /**
   * Keeps the chunks changed last in memory (a conversation being written to is indexed again
   * per message without reading its chunk back from the store); older ones are let go.
   */
  #keepRecent(segments: readonly { conv: ConvId; seg: number }[]): void {
    for (const s of segments) {
      const key = chunkKey(s.conv, s.seg)
      this.#held.delete(key)
      this.#held.set(key, s)
    }
    for (const [key, s] of this.#held) {
      if (this.#held.size <= HELD_CHUNKS) break
      this.#held.delete(key)
      this.#index.evict(s.conv, s.seg)
    }
  }

  #setProgress(progress: IndexerProgress): void {
    this.#progress = progress
    for (const listener of [...this.#listeners]) listener(progress)
  }
}
