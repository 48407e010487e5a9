import { tokenize, type ConvId, type MessageId, type UserId } from '@waggle/schema'

/** A message as the search index sees it: a live (not deleted) message with its text. */
export interface IndexedMessage {
  id: MessageId
  author: UserId
  time: number
  text: string
}

/**
 * A chunk as stored: the index of one conversation segment, plain data (structured-clone safe)
 * and compacted (no dead messages, no pending tail). Messages are parallel arrays indexed by
 * their local index; `postings[offsets[t]..offsets[t + 1]]` are the ascending local indices
 * of the messages containing a word `terms[t]`. A stored chunk is never changed in place.
 */
export interface StoredChunk {
  conv: ConvId
  seg: number
  ids: string[]
  authors: string[]
  times: Float64Array
  texts: string[]
  /** Sorted (UTF-16 code unit order) unique folded words of the chunk. */
  terms: string[]
  /** terms.length + 1 offsets into postings. */
  offsets: Uint32Array
  /** Uint16 while there are fewer than 65536 messages: half the bytes, the usual case. */
  postings: Uint16Array | Uint32Array
}

/** A message's time as indexed: a finite number (a stored chunk with NaN would not load again). */
export const timeOf = (m: IndexedMessage): number => (Number.isFinite(m.time) ? m.time : 0)

export function postingArray(size: number, messages: number): Uint16Array | Uint32Array {
  return messages < 0x10000 ? new Uint16Array(size) : new Uint32Array(size)
}

/** Builds a compacted chunk from scratch; `messages` must have distinct ids. */
export function buildStored(conv: ConvId, seg: number, messages: readonly IndexedMessage[]): StoredChunk {
  const n = messages.length
  const termIds = new Map<string, number>()
  const words: string[] = []
  const lastLocal: number[] = []
  // (term id, local) pairs in local order: counted and scattered below, no per-term arrays.
  const pairTerms: number[] = []
  const pairLocals: number[] = []
  const ids: string[] = new Array<string>(n)
  const authors: string[] = new Array<string>(n)
  const texts: string[] = new Array<string>(n)
  const times = new Float64Array(n)
  for (let local = 0; local < n; local++) {
    const m = messages[local]
    if (m === undefined) continue
    ids[local] = m.id
    authors[local] = m.author
    texts[local] = m.text
    times[local] = timeOf(m)
    for (const word of tokenize(m.text)) {
      let id = termIds.get(word)
      if (id === undefined) {
        id = words.length
        termIds.set(word, id)
        words.push(word)
        lastLocal.push(-1)
      }
      if (lastLocal[id] === local) continue
      lastLocal[id] = local
      pairTerms.push(id)
      pairLocals.push(local)
    }
  }
  const terms = [...words].sort()
  const rank = new Uint32Array(words.length)
  terms.forEach((term, r) => (rank[termIds.get(term) ?? 0] = r))
  const offsets = new Uint32Array(terms.length + 1)
  for (const id of pairTerms) {
    const r = (rank[id] ?? 0) + 1
    offsets[r] = (offsets[r] ?? 0) + 1
  }
  for (let r = 0; r < terms.length; r++) offsets[r + 1] = (offsets[r + 1] ?? 0) + (offsets[r] ?? 0)
  const cursor = offsets.slice(0, terms.length)
  const postings = postingArray(pairTerms.length, n)
  for (let k = 0; k < pairTerms.length; k++) {
    const r = rank[pairTerms[k] ?? 0] ?? 0
    postings[cursor[r] ?? 0] = pairLocals[k] ?? 0
    cursor[r] = (cursor[r] ?? 0) + 1
  }
  return { conv, seg, ids, authors, times, texts, terms, offsets, postings }
}

const isStringArray = (x: unknown, length: number): x is string[] =>
  Array.isArray(x) && x.length === length && x.every((s) => typeof s === 'string')

/**
 * Whether a value read back from storage is a well-formed chunk: shapes, lengths, sorted terms,
 * offsets in range and every posting a valid local index, ascending within its term. Search
 * relies on all of these (an out-of-range posting would read past the messages).
 */
export function isStoredChunk(value: unknown): value is StoredChunk {
  if (typeof value !== 'object' || value === null) return false
  const c = value as Partial<Record<keyof StoredChunk, unknown>>
  if (typeof c.conv !== 'string' || c.conv.length === 0 || typeof c.seg !== 'number' || !Number.isSafeInteger(c.seg) || c.seg < 0) return false
  if (!Array.isArray(c.ids)) return false
  const n = c.ids.length
  if (!isStringArray(c.ids, n) || !isStringArray(c.authors, n) || !isStringArray(c.texts, n)) return false
  if (!(c.times instanceof Float64Array) || c.times.length !== n || !c.times.every(Number.isFinite)) return false
  if (!Array.isArray(c.terms) || !(c.offsets instanceof Uint32Array) || c.offsets.length !== c.terms.length + 1) return false
  if (!(c.postings instanceof Uint16Array || c.postings instanceof Uint32Array)) return false
  const { terms, offsets, postings } = c as { terms: unknown[]; offsets: Uint32Array; postings: Uint16Array | Uint32Array }
  let previous = ''
  for (let t = 0; t < terms.length; t++) {
    const term = terms[t]
    if (typeof term !== 'string' || term.length === 0 || (t > 0 && term <= previous)) return false
    previous = term
  }
  if (offsets[0] !== 0 || offsets[terms.length] !== postings.length) return false
  for (let t = 0; t < terms.length; t++) {
    const start = offsets[t] ?? 0
    const end = offsets[t + 1] ?? 0
    if (end < start) return false
    let last = -1
    for (let k = start; k < end; k++) {
      const p = postings[k] ?? 0
      if (p <= last || p >= n) return false
      last = p
    }
  }
  return true
}

/** UTF-8 length of a string without encoding it. */
export function utf8Length(s: string): number {
  let bytes = s.length
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) continue
    if (c < 0x800) bytes += 1
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      bytes += 2 // 4 bytes for 2 units
      i++
    } else bytes += 2
  }
  return bytes
}
