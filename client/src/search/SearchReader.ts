import type { ConvId } from '@waggle/schema'
import { MessageIndex, type SearchPage } from './MessageIndex.ts'
import type { SearchStore } from './SearchStore.ts'

/** Chunks read per page on a first load (each about a thousand messages). */
const LOAD_PAGE_CHUNKS = 32

/**
 * A tab's view of the device's message index: the whole index in memory, loaded from the
 * search store on first use and kept current by following the store's revisions (the leader
 * tab's indexer writes them). Queries never touch IndexedDB.
 */
export class SearchReader {
  readonly #store: Pick<SearchStore, 'since' | 'onSaved' | 'all'>
  readonly #onError: (err: unknown) => void
  #index: MessageIndex | null = null
  #rev = 0
  #loading: Promise<void> | null = null
  #again = false
  #stopWatch: (() => void) | null = null
  readonly #listeners = new Set<() => void>()
  #disposed = false

  constructor(store: Pick<SearchStore, 'since' | 'onSaved' | 'all'>, onError: (err: unknown) => void) {
    this.#store = store
    this.#onError = onError
  }

  /** Loads the index (once) and follows the store from then on. */
  open(): Promise<void> {
    if (this.#stopWatch === null && !this.#disposed) this.#stopWatch = this.#store.onSaved(() => void this.#refresh())
    return this.#refresh()
  }

  get ready(): boolean {
    return this.#index !== null
  }

  /** Calls `listener` after the index changed (results may differ). */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  search(query: string, options: { limit: number; offset?: number; include?: (conv: ConvId) => boolean }): SearchPage {
    return this.#index?.search(query, options) ?? { hits: [], total: 0 }
  }

  /** Segments in the index, per conversation (the relay leaves these out of its search). */
  segments(): Map<ConvId, number[]> {
    return this.#index?.segments() ?? new Map<ConvId, number[]>()
  }

  /** Live messages in the index; 0 before it is loaded. */
  messageCount(): number {
    return this.#index?.messageCount() ?? 0
  }

  /** Sizes (walks every text: not for the UI path). */
  stats(): ReturnType<MessageIndex['stats']> | null {
    return this.#index?.stats() ?? null
  }

  dispose(): void {
    this.#disposed = true
    this.#stopWatch?.()
    this.#listeners.clear()
    this.#index = null
  }

  /** The first load, page by page, letting the page paint in between (a million messages take a while). */
  async #loadAll(): Promise<void> {
    const index = new MessageIndex()
    const pages = this.#store.all(LOAD_PAGE_CHUNKS)
    for (;;) {
      const page = await pages.next()
      if (page.done === true) {
        this.#rev = page.value
        break
      }
      for (const chunk of page.value) index.putChunk(chunk)
      if (this.#disposed) return
      await new Promise((resolve) => setTimeout(resolve, 0))
    }
    this.#index = index
    // Chunks saved while loading have a newer revision: the next refresh reads them.
    this.#again = true
  }

  /** Applies the chunks written since the last revision; one refresh at a time, coalesced. */
  #refresh(): Promise<void> {
    if (this.#loading !== null) {
      this.#again = true
      return this.#loading
    }
    this.#loading = (async () => {
      try {
        do {
          this.#again = false
          if (this.#index === null) {
            await this.#loadAll()
            if (this.#disposed) return
            for (const listener of [...this.#listeners]) listener()
            continue
          }
          const { chunks, rev } = await this.#store.since(this.#rev)
          if (this.#disposed) return
          for (const chunk of chunks) this.#index.putChunk(chunk)
          const changed = chunks.length > 0 || rev !== this.#rev
          this.#rev = rev
          if (changed) for (const listener of [...this.#listeners]) listener()
        } while (this.#again && !this.#disposed)
      } catch (err) {
        this.#onError(err)
      } finally {
        this.#loading = null
      }
    })()
    return this.#loading
  }
}
