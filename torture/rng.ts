import { Rng as Sfc32 } from '../bench/search/corpus.ts'

/** The torture suite's seeded randomness (sfc32, shared with the benchmarks' corpus). */
export class Rng {
  readonly #source: Sfc32

  constructor(readonly seed: number, stream = 0) {
    this.#source = new Sfc32(seed, stream)
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.#source.next()
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return this.#source.int(n)
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return p > 0 && this.next() < p
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from nothing')
    return items[this.int(items.length)] as T
  }

  /** An integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1)
  }
}

/** A seed from `TORTURE_SEED` or `--seed`, else a random one (always printed by the caller). */
export function seedFrom(raw: string | undefined): number {
  if (raw === undefined || raw === '') return Math.floor(Math.random() * 0x7fffffff)
  const n = Number(raw)
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`A seed is a non-negative integer, not ${raw}`)
  return n
}
