/** Small measuring helpers: a latency histogram, percentiles, a bounded-concurrency pool. */

const FINE_MS = 0.01
const FINE_BUCKETS = 10_000 // 10 µs buckets up to 100 ms
const COARSE_BUCKETS = 300_000 // then 1 ms buckets up to 300 s

/**
 * Latencies in ms without keeping every sample (presence delivers millions): 10 µs buckets up
 * to 100 ms, 1 ms buckets above. A quantile is the upper edge of its bucket.
 */
export class Histogram {
  readonly #fine = new Uint32Array(FINE_BUCKETS)
  readonly #coarse = new Uint32Array(COARSE_BUCKETS)
  count = 0
  max = 0
  #sum = 0

  record(ms: number): void {
    const v = ms < 0 ? 0 : ms
    this.count += 1
    this.#sum += v
    if (v > this.max) this.max = v
    const fine = Math.floor(v / FINE_MS)
    if (fine < FINE_BUCKETS) this.#fine[fine] = (this.#fine[fine] ?? 0) + 1
    else {
      const coarse = Math.min(COARSE_BUCKETS - 1, Math.floor(v))
      this.#coarse[coarse] = (this.#coarse[coarse] ?? 0) + 1
    }
  }

  get mean(): number {
    return this.count === 0 ? NaN : this.#sum / this.count
  }

  /** The `p`-th percentile (0 < p ≤ 100), NaN when empty. */
  quantile(p: number): number {
    if (this.count === 0) return NaN
    const rank = Math.max(1, Math.ceil((p / 100) * this.count))
    let seen = 0
    for (let i = 0; i < FINE_BUCKETS; i++) {
      seen += this.#fine[i] ?? 0
      if (seen >= rank) return Math.min(this.max, (i + 1) * FINE_MS)
    }
    for (let i = 0; i < COARSE_BUCKETS; i++) {
      seen += this.#coarse[i] ?? 0
      if (seen >= rank) return Math.min(this.max, i + 1)
    }
    return this.max
  }
}

/** The `p`-th percentile of `values` (nearest rank), NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN
}

/** Runs `fn(i)` for i in [0, n) with at most `concurrency` at a time; resolves with the results in order. */
export async function pool<T>(n: number, concurrency: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out = new Array<T>(n)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next++
      out[i] = await fn(i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker))
  return out
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `probe` every 20 ms until it is true; rejects after `timeoutMs` naming `what`. */
export async function until(probe: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (!probe()) {
    if (performance.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(20)
  }
}
