import type { MessageId } from '@waggle/schema'
import { tokenize } from '@waggle/schema'
import { matchesAllPrefixes } from './fold.ts'
import type { IndexedMessage, MessagePage, MessageQuery, MessageSearch, SegmentRef } from './MessageSearch.ts'

interface Row extends IndexedMessage {
  conv: SegmentRef['conv']
  seg: number
  /** Folded words of the text. */
  words: string[]
}

const keyOf = (seg: SegmentRef, id: string): string => `${seg.doc}\n${id}`

/**
 * {@link MessageSearch} in memory, for relays on the memory stores (tests, `createServer`
 * without a search store). It matches the way the device does, word by word, so it doubles as
 * the reference the SQLite index is tested against. It lives as long as the memory persistence
 * next to it, so nothing is ever stored but not indexed: {@link unindexed} is always empty.
 */
export class MemoryMessageSearch implements MessageSearch {
  readonly #rows = new Map<string, Row>()

  update(seg: SegmentRef, put: readonly IndexedMessage[], removed: readonly MessageId[]): Promise<void> {
    for (const m of put) this.#put(seg, m)
    for (const id of removed) this.#rows.delete(keyOf(seg, id))
    return Promise.resolve()
  }

  replace(seg: SegmentRef, messages: readonly IndexedMessage[]): Promise<void> {
    for (const [key, row] of this.#rows) if (row.conv === seg.conv && row.seg === seg.seg) this.#rows.delete(key)
    for (const m of messages) this.#put(seg, m)
    return Promise.resolve()
  }

  unindexed(): Promise<SegmentRef[]> {
    return Promise.resolve([])
  }

  search(q: MessageQuery): Promise<MessagePage> {
    const first = new Map(q.readable.map((r) => [r.conv as string, r.firstSegment]))
    const local = new Set(q.local.map((l) => `${l.conv}/${l.seg}`))
    const found = q.words.length === 0 ? [] : [...this.#rows.values()].filter((r) => {
      const from = first.get(r.conv)
      return from !== undefined && r.seg >= from && !local.has(`${r.conv}/${r.seg}`) && matchesAllPrefixes(r.words, q.words)
    })
    found.sort((a, b) => b.time - a.time || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    const page = found.slice(q.offset, q.offset + q.limit)
    return Promise.resolve({
      hits: page.map((r) => ({ conv: r.conv, seg: r.seg, id: r.id, author: r.author, time: r.time, text: r.text })),
      more: found.length > q.offset + q.limit,
    })
  }

  close(): Promise<void> {
    return Promise.resolve()
  }

  #put(seg: SegmentRef, m: IndexedMessage): void {
    this.#rows.set(keyOf(seg, m.id), { id: m.id, author: m.author, time: m.time, text: m.text, conv: seg.conv, seg: seg.seg, words: tokenize(m.text) })
  }
}
