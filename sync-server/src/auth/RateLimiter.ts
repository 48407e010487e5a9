/** A fixed-window counter per key, in memory (per relay instance). */
export class RateLimiter {
  readonly #windows = new Map<string, { start: number; count: number }>()

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    readonly now: () => number,
  ) {}

  /** Counts one use of `key`; false when the key is over its limit for this window. */
  take(key: string): boolean {
    const t = this.now()
    const w = this.#windows.get(key)
    if (w === undefined || t - w.start >= this.windowMs) {
      if (this.#windows.size > 100_000) this.#prune(t)
      this.#windows.set(key, { start: t, count: 1 })
      return true
    }
    w.count += 1
    return w.count <= this.limit
  }

  #prune(t: number): void {
    for (const [k, w] of this.#windows) if (t - w.start >= this.windowMs) this.#windows.delete(k)
  }
}
