import { queryTerms, type ConvId, type MessageId, type UserId } from '@waggle/schema'
import { Chunk } from './chunk.ts'
import { MatchScratch } from './match.ts'
import { buildStored, isStoredChunk, type IndexedMessage, type StoredChunk } from './stored.ts'

export type { IndexedMessage, StoredChunk } from './stored.ts'

export interface MessageHitRef {
  conv: ConvId
  seg: number
  id: MessageId
  author: UserId
  time: number
  text: string
}

export interface SearchPage {
  hits: MessageHitRef[]
  /** Every live message matching the query in the included conversations (exact). */
  total: number
}

export interface SearchOptions {
  limit: number
  offset?: number
  /** Conversations to search (e.g. only those still in the inbox); all when absent. */
  include?: (conv: ConvId) => boolean
}

export interface IndexStats {
  chunks: number
  /** Live messages. */
  messages: number
  /** Distinct words summed over chunks (tail words counted as well). */
  terms: number
  postings: number
  /** About the bytes of all chunks as stored: UTF-8 of the strings plus the typed arrays. */
  bytes: number
  /** UTF-8 bytes of the live messages' texts. */
  rawTextBytes: number
}

interface Candidate {
  time: number
  id: string
  chunk: Chunk
  local: number
}

/** Whether `a` comes before `b` in results: newer, then the greater id. */
const before = (a: Candidate, b: Candidate) => a.time > b.time || (a.time === b.time && a.id > b.id)

/**
 * The device's full-text message search: an inverted index in chunks, one per conversation
 * segment, each stored as one {@link StoredChunk} (persisting is the caller's: {@link takeDirty}
 * and {@link fromChunks}). Words match accent- and case-insensitively, as prefixes (text.ts).
 */
export class MessageIndex {
  readonly #convs = new Map<ConvId, Map<number, Chunk>>()
  readonly #dirty = new Set<Chunk>()
  readonly #dropped = new Map<string, { conv: ConvId; seg: number }>()
  readonly #scratch = new MatchScratch()
  #invalid = 0

  /** An index of stored chunks, taken as they are (not re-tokenised); malformed ones are skipped and counted in {@link invalid}. */
  static fromChunks(chunks: Iterable<StoredChunk>): MessageIndex {
    const index = new MessageIndex()
    for (const stored of chunks) {
      if (!isStoredChunk(stored) || index.has(stored.conv, stored.seg)) index.#invalid++
      else index.#add(new Chunk(stored))
    }
    return index
  }

  /** Stored chunks that {@link fromChunks} skipped as malformed or repeated. */
  get invalid(): number {
    return this.#invalid
  }

  /**
   * Loads or replaces one stored chunk as it is (e.g. written by another tab's indexer), not
   * marking it dirty; a malformed one is skipped and counted in {@link invalid}.
   */
  putChunk(stored: StoredChunk): void {
    if (!isStoredChunk(stored)) {
      this.#invalid++
      return
    }
    const old = this.#convs.get(stored.conv)?.get(stored.seg)
    if (old !== undefined) this.#dirty.delete(old)
    this.#add(new Chunk(stored))
  }

  /** Forgets a chunk in memory only (it stays stored: not reported as dropped); unsaved changes to it are lost. */
  evict(conv: ConvId, seg: number): void {
    const segs = this.#convs.get(conv)
    const chunk = segs?.get(seg)
    if (segs === undefined || chunk === undefined) return
    this.#dirty.delete(chunk)
    segs.delete(seg)
    if (segs.size === 0) this.#convs.delete(conv)
  }

  /** The segments held, per conversation, in ascending order. */
  segments(): Map<ConvId, number[]> {
    const out = new Map<ConvId, number[]>()
    for (const [conv, segs] of this.#convs) out.set(conv, [...segs.keys()].sort((a, b) => a - b))
    return out
  }

  has(conv: ConvId, seg: number): boolean {
    return this.#convs.get(conv)?.has(seg) ?? false
  }

  /**
   * Makes the segment's chunk hold exactly these live messages. Cheap when few changed: it diffs
   * by id and text, so only new and edited messages are tokenised (into the chunk's tail).
   */
  setSegment(conv: ConvId, seg: number, messages: readonly IndexedMessage[]): void {
    const chunk = this.#convs.get(conv)?.get(seg)
    if (chunk === undefined) {
      const seen = new Set<string>()
      this.#add(new Chunk(buildStored(conv, seg, messages.filter((m) => !seen.has(m.id) && seen.add(m.id)))), true)
    } else if (chunk.setMessages(messages)) this.#dirty.add(chunk)
  }

  /** Adds or replaces one message (an edit). */
  put(conv: ConvId, seg: number, message: IndexedMessage): void {
    const chunk = this.#convs.get(conv)?.get(seg)
    if (chunk === undefined) this.#add(new Chunk(buildStored(conv, seg, [message])), true)
    else if (chunk.put(message)) this.#dirty.add(chunk)
  }

  remove(conv: ConvId, seg: number, id: MessageId): void {
    const chunk = this.#convs.get(conv)?.get(seg)
    if (chunk?.remove(id) === true) this.#dirty.add(chunk)
  }

  dropConversation(conv: ConvId): void {
    const segs = this.#convs.get(conv)
    if (segs === undefined) return
    for (const chunk of segs.values()) {
      this.#dirty.delete(chunk)
      this.#dropped.set(keyOf(conv, chunk.seg), { conv, seg: chunk.seg })
    }
    this.#convs.delete(conv)
  }

  /**
   * Chunks changed since the last call, compacted for storing, and the keys of chunks dropped
   * (never one also in `put`). Clears both. The arrays are shared with the index: read only.
   */
  takeDirty(): { put: StoredChunk[]; dropped: { conv: ConvId; seg: number }[] } {
    const put = [...this.#dirty].map((chunk) => chunk.compact())
    const dropped = [...this.#dropped.values()]
    this.#dirty.clear()
    this.#dropped.clear()
    return { put, dropped }
  }

  /**
   * Live messages having, for every query term ({@link queryTerms}), a word starting with it;
   * newest first (time desc, then id desc), `offset`..`offset + limit`. `total` is exact: every
   * included chunk is matched, but only chunks that may hold a message newer than the current
   * k-th best are ranked, with a bounded heap, so nothing is sorted but the page.
   */
  search(query: string, options: SearchOptions): SearchPage {
    const all = queryTerms(query)
    if (all.length === 0) return { hits: [], total: 0 }
    // A term that is a prefix of another adds nothing: a word matching the longer one matches it.
    const terms = all.filter((t) => !all.some((u) => u !== t && u.startsWith(t)))
    const offset = Math.max(0, Math.floor(options.offset ?? 0))
    const want = offset + Math.max(0, Math.floor(options.limit))
    const chunks: Chunk[] = []
    for (const [conv, segs] of this.#convs) {
      if (options.include !== undefined && !options.include(conv)) continue
      for (const chunk of segs.values()) if (chunk.liveCount > 0) chunks.push(chunk)
    }
    chunks.sort((a, b) => b.maxTime - a.maxTime)
    const heap: Candidate[] = [] // a min-heap by result order: heap[0] is the worst kept
    let total = 0
    for (const chunk of chunks) {
      const found = chunk.match(terms, this.#scratch)
      total += found
      if (want === 0 || (heap.length === want && chunk.maxTime < (heap[0]?.time ?? Infinity))) continue
      const hits = this.#scratch.hits
      for (let i = 0; i < found; i++) {
        const local = hits[i] ?? 0
        const time = chunk.time(local)
        const worst = heap[0]
        if (heap.length === want && worst !== undefined && time < worst.time) continue
        const candidate = { time, id: chunk.id(local), chunk, local }
        if (heap.length < want) heapPush(heap, candidate)
        else if (worst !== undefined && before(candidate, worst)) heapReplaceTop(heap, candidate)
      }
    }
    const page = heap.sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0)).slice(offset)
    const hits = page.map(({ chunk, local }) => ({
      conv: chunk.conv,
      seg: chunk.seg,
      id: chunk.id(local) as MessageId,
      author: chunk.author(local) as UserId,
      time: chunk.time(local),
      text: chunk.text(local),
    }))
    return { hits, total }
  }

  /** Live messages in the index (cheap: no text is walked). */
  messageCount(): number {
    let n = 0
    for (const segs of this.#convs.values()) for (const chunk of segs.values()) n += chunk.liveCount
    return n
  }

  /** Sizes, for diagnostics and the storage budget; walks every text (tens of ms for 1M messages). */
  stats(): IndexStats {
    const stats: IndexStats = { chunks: 0, messages: 0, terms: 0, postings: 0, bytes: 0, rawTextBytes: 0 }
    for (const segs of this.#convs.values()) {
      for (const chunk of segs.values()) {
        const s = chunk.sizes()
        stats.chunks++
        stats.messages += chunk.liveCount
        stats.terms += s.terms
        stats.postings += s.postings
        stats.rawTextBytes += s.textBytes
        stats.bytes += s.textBytes + s.otherBytes
      }
    }
    return stats
  }

  #add(chunk: Chunk, dirty = false): void {
    let segs = this.#convs.get(chunk.conv)
    if (segs === undefined) {
      segs = new Map()
      this.#convs.set(chunk.conv, segs)
    }
    segs.set(chunk.seg, chunk)
    this.#dropped.delete(keyOf(chunk.conv, chunk.seg))
    if (dirty) this.#dirty.add(chunk)
  }
}

const keyOf = (conv: ConvId, seg: number) => `${conv}/${seg}`

function heapPush(heap: Candidate[], item: Candidate): void {
  let i = heap.length
  heap.push(item)
  while (i > 0) {
    const parent = (i - 1) >> 1
    const p = heap[parent]
    if (p === undefined || !before(p, item)) break
    heap[i] = p
    i = parent
  }
  heap[i] = item
}

function heapReplaceTop(heap: Candidate[], item: Candidate): void {
  let i = 0
  const n = heap.length
  for (;;) {
    let worst = i
    let worstItem = item
    const left = heap[2 * i + 1]
    const right = heap[2 * i + 2]
    if (2 * i + 1 < n && left !== undefined && before(worstItem, left)) {
      worst = 2 * i + 1
      worstItem = left
    }
    if (2 * i + 2 < n && right !== undefined && before(worstItem, right)) {
      worst = 2 * i + 2
      worstItem = right
    }
    if (worst === i) break
    heap[i] = worstItem
    i = worst
  }
  heap[i] = item
}
