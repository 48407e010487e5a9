import { tokenize, type ConvId } from '@waggle/schema'
import { matchChunk, type ChunkView, type MatchScratch } from './match.ts'
import { buildStored, postingArray, timeOf, utf8Length, type IndexedMessage, type StoredChunk } from './stored.ts'

/** A chunk is compacted once its tail and dead messages pass max(this, a quarter of it). */
const COMPACT_MIN = 64

/**
 * The index of one segment: an immutable compacted base ({@link StoredChunk}) plus a small
 * mutable tail of messages added or edited since, and dead flags for messages removed or
 * replaced. Local indices run over the base, then the tail.
 */
export class Chunk implements ChunkView {
  #base: StoredChunk
  #tailIds: string[] = []
  #tailAuthors: string[] = []
  #tailTimes: number[] = []
  #tailTexts: string[] = []
  #tailTerms = new Map<string, number[]>()
  #dead: Uint8Array | null = null
  #deadCount = 0
  /** Id → local index of the live message; built on the first change (1M entries would cost memory). */
  #live: Map<string, number> | null = null
  /** Newest live time; only grows between compactions, so it may be newer than the truth. */
  maxTime = -Infinity

  constructor(base: StoredChunk) {
    this.#base = base
    this.#resetFrom(base)
  }

  get conv(): ConvId {
    return this.#base.conv
  }
  get seg(): number {
    return this.#base.seg
  }
  get size(): number {
    return this.#base.ids.length + this.#tailIds.length
  }
  get liveCount(): number {
    return this.size - this.#deadCount
  }

  id(local: number): string {
    const b = this.#base.ids.length
    return (local < b ? this.#base.ids[local] : this.#tailIds[local - b]) ?? ''
  }
  author(local: number): string {
    const b = this.#base.ids.length
    return (local < b ? this.#base.authors[local] : this.#tailAuthors[local - b]) ?? ''
  }
  time(local: number): number {
    const b = this.#base.ids.length
    return (local < b ? this.#base.times[local] : this.#tailTimes[local - b]) ?? 0
  }
  text(local: number): string {
    const b = this.#base.ids.length
    return (local < b ? this.#base.texts[local] : this.#tailTexts[local - b]) ?? ''
  }
  isDead(local: number): boolean {
    return this.#dead !== null && this.#dead[local] === 1
  }

  /** Adds or replaces one message; false when it is already there as it is. */
  put(message: IndexedMessage): boolean {
    const local = this.#liveIds().get(message.id)
    if (local !== undefined && this.#same(local, message)) return false
    if (local !== undefined) this.#kill(local)
    this.#append(message)
    this.#maybeCompact()
    return true
  }

  remove(id: string): boolean {
    const local = this.#liveIds().get(id)
    if (local === undefined) return false
    this.#kill(local)
    this.#maybeCompact()
    return true
  }

  /** Makes the chunk hold exactly `messages` (first of each id wins); false when nothing changed. */
  setMessages(messages: readonly IndexedMessage[]): boolean {
    const live = this.#liveIds()
    // Marks instead of a Set of every id: this runs on each segment change, so little garbage.
    const kept = new Uint8Array(this.size)
    const added = new Set<string>()
    const changed: IndexedMessage[] = []
    let unique = 0
    for (const m of messages) {
      const local = live.get(m.id)
      if (local === undefined ? added.has(m.id) : kept[local] === 1) continue
      unique++
      if (local === undefined) added.add(m.id)
      else kept[local] = 1
      if (local === undefined || !this.#same(local, m)) changed.push(m)
    }
    const removed = this.liveCount - (unique - added.size)
    if (changed.length === 0 && removed === 0) return false
    if (this.#tailIds.length + this.#deadCount + changed.length + removed > Math.max(COMPACT_MIN, unique >> 2)) {
      // Mostly new: building afresh is cheaper than a tail that is compacted right away.
      const seen = new Set<string>()
      this.#base = buildStored(this.conv, this.seg, messages.filter((m) => !seen.has(m.id) && seen.add(m.id)))
      this.#resetFrom(this.#base)
      return true
    }
    for (let local = 0; local < kept.length; local++) if (kept[local] === 0 && !this.isDead(local)) this.#kill(local)
    for (const m of changed) {
      const local = live.get(m.id)
      if (local !== undefined) this.#kill(local)
      this.#append(m)
    }
    return true
  }

  /**
   * The chunk as stored, merging the tail into the base and leaving out dead messages, without
   * re-tokenising: postings are renumbered and merged term by term, so it is linear in the chunk.
   */
  compact(): StoredChunk {
    if (this.#tailIds.length === 0 && this.#deadCount === 0) return this.#base
    const base = this.#base
    const n = this.size
    const remap = new Int32Array(n)
    const ids: string[] = []
    const authors: string[] = []
    const texts: string[] = []
    const times = new Float64Array(this.liveCount)
    for (let local = 0; local < n; local++) {
      if (this.isDead(local)) {
        remap[local] = -1
        continue
      }
      remap[local] = ids.length
      times[ids.length] = this.time(local)
      ids.push(this.id(local))
      authors.push(this.author(local))
      texts.push(this.text(local))
    }
    const tailKeys = [...this.#tailTerms.keys()].sort()
    let tailPostings = 0
    for (const list of this.#tailTerms.values()) tailPostings += list.length
    const merged = new Uint32Array(base.postings.length + tailPostings)
    const terms: string[] = []
    const ends: number[] = [0]
    let pos = 0
    let i = 0
    let j = 0
    while (i < base.terms.length || j < tailKeys.length) {
      const a = base.terms[i]
      const b = tailKeys[j]
      const term = b === undefined || (a !== undefined && a <= b) ? (a ?? '') : b
      if (term === a) {
        for (let k = base.offsets[i] ?? 0, end = base.offsets[i + 1] ?? 0; k < end; k++) {
          const to = remap[base.postings[k] ?? 0] ?? -1
          if (to >= 0) merged[pos++] = to
        }
        i++
      }
      if (term === b) {
        for (const local of this.#tailTerms.get(b) ?? []) {
          const to = remap[local] ?? -1
          if (to >= 0) merged[pos++] = to
        }
        j++
      }
      if (pos > (ends[ends.length - 1] ?? 0)) {
        terms.push(term)
        ends.push(pos)
      }
    }
    const postings = postingArray(pos, ids.length)
    postings.set(merged.subarray(0, pos))
    this.#base = { conv: base.conv, seg: base.seg, ids, authors, times, texts, terms, offsets: Uint32Array.from(ends), postings }
    this.#resetFrom(this.#base)
    return this.#base
  }

  /** See {@link matchChunk}. */
  match(terms: readonly string[], scratch: MatchScratch): number {
    return matchChunk(this, terms, scratch)
  }

  // What matching reads (ChunkView): no view object or closure per chunk and query.
  get base(): StoredChunk {
    return this.#base
  }
  get tailTerms(): ReadonlyMap<string, readonly number[]> {
    return this.#tailTerms
  }
  get dead(): Uint8Array | null {
    return this.#dead
  }

  /** Sizes for stats: UTF-8 of live texts, and of everything else a compacted copy would store. */
  sizes(): { terms: number; postings: number; textBytes: number; otherBytes: number } {
    const base = this.#base
    let textBytes = 0
    let otherBytes = 0
    for (let local = 0; local < this.size; local++) {
      if (this.isDead(local)) continue
      textBytes += utf8Length(this.text(local))
      otherBytes += utf8Length(this.id(local)) + utf8Length(this.author(local)) + 8
    }
    let postings = base.postings.length
    for (const [term, list] of this.#tailTerms) {
      postings += list.length
      otherBytes += utf8Length(term) + 4
    }
    for (const term of base.terms) otherBytes += utf8Length(term)
    otherBytes += 4 * (base.terms.length + 1) + postings * (this.size < 0x10000 ? 2 : 4)
    return { terms: base.terms.length + this.#tailTerms.size, postings, textBytes, otherBytes }
  }

  #resetFrom(base: StoredChunk): void {
    this.#tailIds = []
    this.#tailAuthors = []
    this.#tailTimes = []
    this.#tailTexts = []
    this.#tailTerms = new Map()
    this.#dead = null
    this.#deadCount = 0
    this.#live = null
    this.maxTime = -Infinity
    for (const t of base.times) if (t > this.maxTime) this.maxTime = t
  }

  #liveIds(): Map<string, number> {
    if (this.#live !== null) return this.#live
    const live = new Map<string, number>()
    for (let local = 0; local < this.size; local++) {
      if (this.isDead(local)) continue
      // A stored chunk with an id twice (a bug elsewhere): the older copy could never be removed.
      const before = live.get(this.id(local))
      if (before !== undefined) this.#kill(before)
      live.set(this.id(local), local)
    }
    this.#live = live
    return live
  }

  #same(local: number, m: IndexedMessage): boolean {
    return this.text(local) === m.text && this.time(local) === timeOf(m) && this.author(local) === m.author
  }

  #append(m: IndexedMessage): void {
    const local = this.size
    this.#tailIds.push(m.id)
    this.#tailAuthors.push(m.author)
    this.#tailTimes.push(timeOf(m))
    this.#tailTexts.push(m.text)
    for (const word of tokenize(m.text)) {
      const list = this.#tailTerms.get(word)
      if (list === undefined) this.#tailTerms.set(word, [local])
      else if (list[list.length - 1] !== local) list.push(local)
    }
    this.#live?.set(m.id, local)
    if (timeOf(m) > this.maxTime) this.maxTime = timeOf(m)
  }

  #kill(local: number): void {
    if (this.isDead(local)) return
    if (this.#dead === null || this.#dead.length < this.size) {
      const grown = new Uint8Array(Math.max(this.size * 2, 64))
      if (this.#dead !== null) grown.set(this.#dead)
      this.#dead = grown
    }
    this.#dead[local] = 1
    this.#deadCount++
    const id = this.id(local)
    if (this.#live?.get(id) === local) this.#live.delete(id)
  }

  #maybeCompact(): void {
    if (this.#tailIds.length + this.#deadCount > Math.max(COMPACT_MIN, this.size >> 2)) this.compact()
  }
}
