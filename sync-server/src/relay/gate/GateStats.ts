/** A summary of the write gate's decisions (times in milliseconds). */
export interface GateStatsSnapshot {
  /** Decisions made (accepted and refused). */
  count: number
  refused: number
  /** Over the most recent {@link GateStats.capacity} decisions. */
  meanMs: number
  p50Ms: number
  p90Ms: number
  p99Ms: number
  maxMs: number
  /**
   * Histogram over every decision: `[upper bound in ms, count]`, the last bound `Infinity`.
   */
  buckets: [number, number][]
}

const BOUNDS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, Infinity]

/**
 * How long the write gate takes per client write: a histogram of every decision and the most
 * recent ones for percentiles (`DocHub.gateStats()`, for tests and benchmarks).
 */
export class GateStats {
  readonly capacity: number
  readonly #recent: Float64Array
  readonly #counts = new Array<number>(BOUNDS.length).fill(0)
  #count = 0
  #refused = 0

  constructor(capacity = 10_000) {
    this.capacity = capacity
    this.#recent = new Float64Array(capacity)
  }

  record(ms: number, refused: boolean): void {
    this.#recent[this.#count % this.capacity] = ms
    this.#count += 1
    if (refused) this.#refused += 1
    const i = BOUNDS.findIndex((b) => ms <= b)
    this.#counts[i] = (this.#counts[i] ?? 0) + 1
  }

  reset(): void {
    this.#count = 0
    this.#refused = 0
    this.#counts.fill(0)
  }

  snapshot(): GateStatsSnapshot {
    const n = Math.min(this.#count, this.capacity)
    const sorted = this.#recent.slice(0, n).sort()
    const at = (q: number): number => (n === 0 ? 0 : (sorted[Math.min(n - 1, Math.floor(q * n))] ?? 0))
    let sum = 0
    for (const x of sorted) sum += x
    return {
      count: this.#count,
      refused: this.#refused,
      meanMs: n === 0 ? 0 : sum / n,
      p50Ms: at(0.5),
      p90Ms: at(0.9),
      p99Ms: at(0.99),
      maxMs: n === 0 ? 0 : (sorted[n - 1] ?? 0),
      buckets: BOUNDS.map((b, i) => [b, this.#counts[i] ?? 0]),
    }
  }
}
