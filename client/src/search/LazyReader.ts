import type { ConvId } from '@waggle/schema'
import type { SearchPage } from './MessageIndex.ts'
import type { SearchReader } from './SearchReader.ts'

/** What the binding layer uses of a tab's search index. */
export type SearchReaderPort = Pick<SearchReader, 'open' | 'onChange' | 'search' | 'segments' | 'messageCount' | 'ready' | 'dispose'>

/**
 * A {@link SearchReader} loaded with `import()` on the first search: the index code and the
 * index itself stay out of the app's first load (README: initial bundle), and a tab that never
 * searches never holds the index in memory.
 */
export class LazyReader implements SearchReaderPort {
  readonly #load: () => Promise<SearchReader>
  readonly #listeners = new Set<() => void>()
  #real: SearchReader | null = null
  #loading: Promise<SearchReader> | null = null
  #disposed = false

  constructor(load: () => Promise<SearchReader>) {
    this.#load = load
  }

  get ready(): boolean {
    return this.#real?.ready ?? false
  }

  async open(): Promise<void> {
    this.#loading ??= this.#load().then((real) => {
      if (this.#disposed) real.dispose()
      this.#real = real
      real.onChange(() => {
        for (const listener of [...this.#listeners]) listener()
      })
      return real
    })
    const real = await this.#loading
    if (!this.#disposed) await real.open()
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  search(query: string, options: { limit: number; offset?: number; include?: (conv: ConvId) => boolean }): SearchPage {
    return this.#real?.search(query, options) ?? { hits: [], total: 0 }
  }

  segments(): Map<ConvId, number[]> {
    return this.#real?.segments() ?? new Map<ConvId, number[]>()
  }

  messageCount(): number {
    return this.#real?.messageCount() ?? 0
  }

  dispose(): void {
    this.#disposed = true
    this.#listeners.clear()
    this.#real?.dispose()
  }
}
