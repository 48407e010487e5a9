import type { StoredChunk } from './stored.ts'
import { tokenize } from '@waggle/schema'

/**
 * Checking a candidate against its text (tokenising ~60 characters) costs about as much as
 * walking this many postings; below that, the rest of the query is checked on the texts.
 */
const VERIFY_COST = 400

/** Per-search buffers, reused across chunks so matching allocates nothing per message. */
export class MatchScratch {
  /** By local index: how many query terms (in matching order) the message has matched so far. */
  counts = new Uint8Array(1024)
  /** The live local indices that matched every term (after {@link matchChunk}). */
  hits = new Int32Array(1024)
  /** The candidates of the next pass; swapped with `hits`. */
  spare = new Int32Array(1024)

  ensure(size: number): void {
    if (this.counts.length >= size) return
    this.counts = new Uint8Array(size * 2)
    this.hits = new Int32Array(size * 2)
    this.spare = new Int32Array(size * 2)
  }
}

/** What matching reads of a chunk: its compacted base, the tail's words and the dead flags. */
export interface ChunkView {
  base: StoredChunk
  /** Word → ascending local indices of tail messages having it. */
  tailTerms: ReadonlyMap<string, readonly number[]>
  /** 1 at the local index of a removed or replaced message; null when there is none. */
  dead: Uint8Array | null
  /** Messages, dead ones included: base, then tail. */
  size: number
  text(local: number): string
}

/**
 * The end of the run of terms starting with `prefix` that begins at `from`: gallops, since a
 * run is usually short next to the chunk's thousands of terms.
 */
function prefixEnd(terms: readonly string[], prefix: string, from: number): number {
  const key = prefix + '\uffff'
  let step = 1
  let lo = from
  while (lo + step <= terms.length && (terms[lo + step - 1] ?? '') < key) {
    lo += step
    step *= 2
  }
  return lowerBound(terms, key, lo, Math.min(terms.length, lo + step))
}

function lowerBound(terms: readonly string[], key: string, from: number, to = terms.length): number {
  let lo = from
  let hi = to
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((terms[mid] ?? '') < key) lo = mid + 1
    else hi = mid
  }
  return lo
}

/**
 * Finds the live messages having, for every term, a word starting with it. Writes their local
 * indices to `scratch.hits` (in no particular order) and returns how many. Terms are taken
 * rarest first: the first one's postings give the candidates, and each further term keeps
 * those it has postings for. `counts` says how many terms a message matched so far, so several
 * words of one message under one prefix count once and no union is built. Once the candidates
 * are few and the terms left are common (`un`, `the`), their texts are checked instead.
 */
export function matchChunk(chunk: ChunkView, terms: readonly string[], scratch: MatchScratch): number {
  const { terms: keys, offsets, postings } = chunk.base
  const count = terms.length
  const starts: number[] = []
  const ends: number[] = []
  const tails: (readonly number[])[][] = []
  const costs: number[] = []
  for (const term of terms) {
    const lo = lowerBound(keys, term, 0)
    const hi = prefixEnd(keys, term, lo)
    const start = offsets[lo] ?? 0
    const end = offsets[hi] ?? 0
    let cost = end - start
    const lists: (readonly number[])[] = []
    if (chunk.tailTerms.size > 0) {
      for (const [key, list] of chunk.tailTerms) {
        if (!key.startsWith(term)) continue
        lists.push(list)
        cost += list.length
      }
    }
    if (cost === 0) return 0
    starts.push(start)
    ends.push(end)
    tails.push(lists)
    costs.push(cost)
  }
  const order = costs.map((_, r) => r).sort((x, y) => (costs[x] ?? 0) - (costs[y] ?? 0))
  let remaining = costs.reduce((sum, c) => sum + c, 0)
  scratch.ensure(chunk.size)
  const counts = scratch.counts
  let found = 0
  let r = 0
  for (; r < count; r++) {
    const t = order[r] ?? 0
    if (r > 0 && found * VERIFY_COST < remaining) break
    remaining -= costs[t] ?? 0
    const out = scratch.spare
    const candidates = scratch.hits
    let kept = 0
    // The hot loop of a search: kept flat (no callback) over the typed arrays.
    for (let k = starts[t] ?? 0, end = ends[t] ?? 0; k < end; k++) {
      const p = postings[k] ?? 0
      if (counts[p] !== r) continue
      counts[p] = r + 1
      out[kept++] = p
    }
    for (const list of tails[t] ?? []) {
      for (const p of list) {
        if (counts[p] !== r) continue
        counts[p] = r + 1
        out[kept++] = p
      }
    }
    // Reset only what was touched: candidates that this term dropped keep a stale count.
    for (let i = 0; i < found; i++) counts[candidates[i] ?? 0] = 0
    for (let i = 0; i < kept; i++) counts[out[i] ?? 0] = r + 1
    scratch.spare = candidates
    scratch.hits = out
    found = kept
    if (found === 0) break
  }
  const hits = scratch.hits
  for (let i = 0; i < found; i++) counts[hits[i] ?? 0] = 0
  const rest = r < count && found > 0 ? order.slice(r).map((t) => terms[t] ?? '') : []
  const dead = chunk.dead
  let live = 0
  for (let i = 0; i < found; i++) {
    const p = hits[i] ?? 0
    if (dead !== null && dead[p] === 1) continue
    if (rest.length > 0 && !hasPrefixes(chunk.text(p), rest)) continue
    hits[live++] = p
  }
  return live
}

/** Whether every term starts some word of the text. */
function hasPrefixes(text: string, terms: readonly string[]): boolean {
  const words = tokenize(text)
  return terms.every((term) => words.some((word) => word.startsWith(term)))
}
