import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { queryTerms, tokenize, type ConvId, type MessageId, type UserId } from '@waggle/schema'
import { MessageIndex, type IndexedMessage, type SearchPage, type StoredChunk } from './MessageIndex.ts'

const anna = 'anna' as UserId
const c1 = 'c1' as ConvId
const c2 = 'c2' as ConvId
const msg = (id: string, time: number, text: string, author: UserId = anna): IndexedMessage => ({ id: id as MessageId, author, time, text })
const ids = (page: SearchPage) => page.hits.map((h) => h.id as string)
const find = (index: MessageIndex, query: string) => ids(index.search(query, { limit: 100 }))

function indexOf(texts: readonly string[]): MessageIndex {
  const index = new MessageIndex()
  index.setSegment(c1, 0, texts.map((text, i) => msg(`m${i}`, i, text)))
  return index
}

describe('MessageIndex matching', () => {
  it('ignores accents and case in the five languages', () => {
    const index = indexOf(['Perché no?', 'Die Straße', 'über alles', 'El niño', "L'École", 'CAFÉ', 'un café'])
    expect(find(index, 'perche')).toEqual(['m0'])
    expect(find(index, 'strasse')).toEqual(['m1'])
    expect(find(index, 'Straße')).toEqual(['m1'])
    expect(find(index, 'uber')).toEqual(['m2'])
    expect(find(index, 'nino')).toEqual(['m3'])
    expect(find(index, 'ecole')).toEqual(['m4'])
    expect(find(index, 'cafe')).toEqual(['m6', 'm5'])
    expect(find(index, 'CAFÉ')).toEqual(['m6', 'm5'])
  })

  it('matches query words as word prefixes only', () => {
    const index = indexOf(['the report', 'reporting now', 'preport', 'repo'])
    expect(find(index, 'repo')).toEqual(['m3', 'm1', 'm0'])
    expect(find(index, 'report')).toEqual(['m1', 'm0'])
    expect(find(index, 'reports')).toEqual([])
  })

  it('needs every query word (AND), in any order and in any word', () => {
    const index = indexOf(['domani riunione', 'riunione oggi', 'domani mattina riunione alle 9', "dell'ufficio domani"])
    expect(find(index, 'riunione domani')).toEqual(['m2', 'm0'])
    expect(find(index, 'dom riu 9')).toEqual(['m2'])
    expect(find(index, 'ufficio dell')).toEqual(['m3'])
    expect(find(index, 'domani zebra')).toEqual([])
  })

  it('finds nothing for an empty query', () => {
    const index = indexOf(['anything'])
    expect(index.search('', { limit: 10 })).toEqual({ hits: [], total: 0 })
    expect(index.search(' ,; ', { limit: 10 })).toEqual({ hits: [], total: 0 })
  })
})

describe('MessageIndex ordering and paging', () => {
  it('gives newest first, then greater id first, across conversations, with an exact total', () => {
    const index = new MessageIndex()
    index.setSegment(c1, 0, [msg('a1', 10, 'hello'), msg('a2', 30, 'hello there'), msg('a3', 50, 'bye')])
    index.setSegment(c1, 1, [msg('a4', 60, 'hello again')])
    index.setSegment(c2, 0, [msg('b1', 20, 'Hello'), msg('b2', 30, 'hello!'), msg('b3', 70, 'hello')])
    const page = index.search('hello', { limit: 3 })
    expect(ids(page)).toEqual(['b3', 'a4', 'b2'])
    expect(page.total).toBe(6)
    expect(page.hits[0]).toEqual({ conv: c2, seg: 0, id: 'b3', author: anna, time: 70, text: 'hello' })
    expect(ids(index.search('hello', { limit: 3, offset: 3 }))).toEqual(['a2', 'b1', 'a1'])
    expect(ids(index.search('hello', { limit: 3, offset: 6 }))).toEqual([])
    expect(index.search('hello', { limit: 0 }).total).toBe(6)
  })

  it('searches only the included conversations', () => {
    const index = new MessageIndex()
    index.setSegment(c1, 0, [msg('a1', 1, 'ciao')])
    index.setSegment(c2, 0, [msg('b1', 2, 'ciao')])
    const page = index.search('ciao', { limit: 10, include: (conv) => conv === c1 })
    expect(ids(page)).toEqual(['a1'])
    expect(page.total).toBe(1)
  })
})

describe('MessageIndex changes', () => {
  it('reflects edits: the old text is no longer found, the new one is', () => {
    const index = indexOf(['first draft', 'other'])
    index.put(c1, 0, msg('m0', 0, 'final version'))
    expect(find(index, 'draft')).toEqual([])
    expect(find(index, 'final')).toEqual(['m0'])
    index.put(c1, 0, msg('m9', 9, 'a new draft'))
    expect(find(index, 'draft')).toEqual(['m9'])
  })

  it('never finds a deleted message, also after storing and loading', () => {
    const index = indexOf(['secret plan', 'secret recipe', 'public plan'])
    index.remove(c1, 0, 'm0' as MessageId)
    expect(find(index, 'secret')).toEqual(['m1'])
    index.setSegment(c1, 0, [msg('m2', 2, 'public plan')])
    expect(find(index, 'secret')).toEqual([])
    const loaded = MessageIndex.fromChunks(index.takeDirty().put)
    expect(find(loaded, 'secret')).toEqual([])
    expect(find(loaded, 'plan')).toEqual(['m2'])
    expect(find(index, 'plan')).toEqual(['m2'])
  })

  it('diffs setSegment by id and text, storing only the segments that changed', () => {
    const index = new MessageIndex()
    const first = [msg('a', 1, 'alpha'), msg('b', 2, 'beta'), msg('c', 3, 'gamma')]
    index.setSegment(c1, 0, first)
    index.setSegment(c2, 0, [msg('x', 1, 'alpha')])
    index.takeDirty()
    index.setSegment(c1, 0, first)
    expect(index.takeDirty().put).toEqual([])
    index.setSegment(c1, 0, [msg('a', 1, 'alpha'), msg('b', 2, 'beta changed'), msg('d', 4, 'delta')])
    const { put } = index.takeDirty()
    expect(put.map((c) => [c.conv, c.seg, [...c.ids].sort()])).toEqual([[c1, 0, ['a', 'b', 'd']]])
    expect(find(index, 'gamma')).toEqual([])
    expect(find(index, 'beta')).toEqual(['b'])
    expect(find(index, 'changed')).toEqual(['b'])
    expect(find(index, 'alpha')).toEqual(['x', 'a'])
  })

  it('drops conversations and reports the dropped chunks once', () => {
    const index = new MessageIndex()
    index.setSegment(c1, 0, [msg('a', 1, 'hello')])
    index.setSegment(c1, 1, [msg('b', 2, 'hello')])
    index.setSegment(c2, 0, [msg('c', 3, 'hello')])
    index.takeDirty()
    index.dropConversation(c1)
    expect(index.has(c1, 0)).toBe(false)
    expect(find(index, 'hello')).toEqual(['c'])
    const { put, dropped } = index.takeDirty()
    expect(put).toEqual([])
    expect(dropped).toEqual(expect.arrayContaining([{ conv: c1, seg: 0 }, { conv: c1, seg: 1 }]))
    expect(dropped).toHaveLength(2)
    expect(index.takeDirty().dropped).toEqual([])
  })

  it('stays exact through many edits and deletes of a large segment', () => {
    const vocabulary = ['alpha', 'beta', 'gamma', 'delta', 'Perché', 'Straße', 'niño', 'école']
    const textOf = (n: number) => `${vocabulary[n % 8] ?? ''} ${vocabulary[(n * 7 + 3) % 8] ?? ''} n${n} common`
    const live = new Map<string, IndexedMessage>()
    const index = new MessageIndex()
    const all = Array.from({ length: 1200 }, (_, n) => msg(`m${String(n).padStart(4, '0')}`, n, textOf(n)))
    index.setSegment(c1, 0, all)
    for (const m of all) live.set(m.id, m)
    for (let step = 0; step < 600; step++) {
      const n = (step * 37) % 1300
      const id = `m${String(n).padStart(4, '0')}`
      if (step % 3 === 0) {
        index.remove(c1, 0, id as MessageId)
        live.delete(id)
      } else {
        const m = msg(id, n, textOf(n + step))
        index.put(c1, 0, m)
        live.set(id, m)
      }
      if (step % 150 === 149) index.setSegment(c1, 0, [...live.values()].filter((_, i) => i % 5 !== 0))
      if (step % 150 === 149) for (const [key] of [...live].filter((_, i) => i % 5 === 0)) live.delete(key)
    }
    const loaded = MessageIndex.fromChunks(index.takeDirty().put)
    // Rare and common terms together: the common ones are checked on the texts of the few candidates.
    for (const query of [...vocabulary.map((w) => w.slice(0, 3)), 'n12 com', 'n777 com', 'com n1234', 'n1 alp', 'gam n301 com', 'common n1111']) {
      const terms = queryTerms(query)
      const expected = [...live.values()].filter((m) => terms.every((t) => tokenize(m.text).some((w) => w.startsWith(t)))).map((m) => m.id as string)
      expected.sort().reverse()
      expect(ids(index.search(query, { limit: 2000 })).sort().reverse(), query).toEqual(expected)
      expect(ids(loaded.search(query, { limit: 2000 })).sort().reverse(), query).toEqual(expected)
    }
  })
})

describe('MessageIndex storage', () => {
  it('gives identical results after a round trip through stored chunks', () => {
    const index = new MessageIndex()
    index.setSegment(c1, 0, [msg('a', 1, 'Perché la riunione?'), msg('b', 2, 'Die Straße'), msg('c', 3, 'la strada')])
    index.put(c1, 0, msg('d', 4, 'la riunione di domani'))
    index.remove(c1, 0, 'b' as MessageId)
    index.setSegment(c2, 3, [msg('e', 5, 'reunión mañana')])
    const loaded = MessageIndex.fromChunks(structuredClone(index.takeDirty().put))
    expect(loaded.invalid).toBe(0)
    for (const query of ['la', 'riunione', 'strasse', 'reu', 'mañana', 'str', 'perche la']) {
      expect(loaded.search(query, { limit: 10 }), query).toEqual(index.search(query, { limit: 10 }))
    }
    expect(loaded.has(c2, 3)).toBe(true)
    expect(loaded.stats().messages).toBe(4)
  })

  it('skips malformed chunks and counts them', () => {
    const index = new MessageIndex()
    index.setSegment(c1, 0, [msg('a', 1, 'hello world')])
    const [good] = index.takeDirty().put
    if (good === undefined) throw new Error('no chunk')
    const broken: unknown[] = [
      null,
      { ...good, seg: 1, postings: Uint16Array.of(7, 7) },
      { ...good, seg: 2, terms: [...good.terms].reverse() },
      { ...good, seg: 3, times: [1] },
      { ...good, seg: 4, ids: [] },
      good,
    ]
    const loaded = MessageIndex.fromChunks(broken as StoredChunk[])
    expect(loaded.invalid).toBe(5)
    expect(find(loaded, 'world')).toEqual(['a'])
  })

  it('reports sizes', () => {
    const index = indexOf(['Straße', 'hello'])
    const stats = index.stats()
    expect(stats).toMatchObject({ chunks: 1, messages: 2, terms: 2, postings: 2, rawTextBytes: 7 + 5 })
    expect(stats.bytes).toBeGreaterThan(stats.rawTextBytes)
  })
})

describe('MessageIndex against a naive filter', () => {
  const words = ['Perché', 'perche', 'Straße', 'strasse', 'über', 'uber', 'niño', 'École', 'café', 'CAFÉ', 'report', 'reporting', 'preport', "l'uomo", 'E-Mail', 'dell’ufficio', 'año', 'Größe', 'œuvre', 'a', 'e', '42']
  const queries = ['perche', 'per', 'strasse', 'str', 'uber', 'u', 'nino', 'ecole', 'cafe', 'repo', 'report', 'pre', 'l uomo', 'mail e', 'uff', 'ano', 'gro', 'oeuvre', 'a e', '4', 'zzz', 'e c']
  const text = fc.array(fc.constantFrom(...words), { minLength: 1, maxLength: 5 }).map((ws) => ws.join(' '))
  const conv = fc.constantFrom(c1, c2)
  const seg = fc.integer({ min: 0, max: 1 })
  const msgId = fc.integer({ min: 0, max: 40 })
  const op = fc.oneof(
    fc.record({ kind: fc.constant('set' as const), conv, seg, messages: fc.array(fc.record({ n: msgId, time: fc.integer({ min: 0, max: 20 }), text }), { maxLength: 90 }) }),
    fc.record({ kind: fc.constant('put' as const), conv, seg, n: msgId, time: fc.integer({ min: 0, max: 20 }), text }),
    fc.record({ kind: fc.constant('remove' as const), conv, seg, n: msgId }),
    fc.record({ kind: fc.constant('drop' as const), conv }),
    fc.record({ kind: fc.constant('reload' as const) }),
  )

  it('finds exactly the live messages whose words start with every query term, newest first', () => {
    const seed = Number(process.env.SEED ?? Date.now())
    console.log('seed', seed)
    const prop = fc.property(fc.array(op, { maxLength: 25 }), fc.constantFrom(...queries), fc.integer({ min: 0, max: 5 }), (ops, query, offset) => {
      let index = new MessageIndex()
      const storage = new Map<string, StoredChunk>()
      const model = new Map<string, IndexedMessage & { conv: ConvId; seg: number }>()
      // Ids are unique across segments, as message ids are.
      const idOf = (c: ConvId, s: number, n: number) => `${c}-${s}-${String(n).padStart(2, '0')}` as MessageId
      for (const o of ops) {
        if (o.kind === 'set') {
          const list = o.messages.map((m) => msg(idOf(o.conv, o.seg, m.n), m.time, m.text))
          index.setSegment(o.conv, o.seg, list)
          for (const [id, m] of model) if (m.conv === o.conv && m.seg === o.seg) model.delete(id)
          for (const m of list) if (!model.has(m.id)) model.set(m.id, { ...m, conv: o.conv, seg: o.seg })
        } else if (o.kind === 'put') {
          const m = msg(idOf(o.conv, o.seg, o.n), o.time, o.text)
          index.put(o.conv, o.seg, m)
          model.set(m.id, { ...m, conv: o.conv, seg: o.seg })
        } else if (o.kind === 'remove') {
          index.remove(o.conv, o.seg, idOf(o.conv, o.seg, o.n))
          model.delete(idOf(o.conv, o.seg, o.n))
        } else if (o.kind === 'drop') {
          index.dropConversation(o.conv)
          for (const [id, m] of model) if (m.conv === o.conv) model.delete(id)
        } else {
          // A fresh index from what storage holds after applying the dirty chunks and the drops.
          const { put, dropped } = index.takeDirty()
          for (const d of dropped) storage.delete(`${d.conv}/${d.seg}`)
          for (const c of put) storage.set(`${c.conv}/${c.seg}`, structuredClone(c))
          index = MessageIndex.fromChunks(storage.values())
        }
      }
      const terms = queryTerms(query)
      const expected = [...model.values()]
        .filter((m) => terms.every((t) => tokenize(m.text).some((w) => w.startsWith(t))))
        .sort((a, b) => b.time - a.time || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
      const page = index.search(query, { limit: 4, offset })
      expect(page.total).toBe(expected.length)
      expect(page.hits).toEqual(expected.slice(offset, offset + 4).map(({ conv, seg, id, author, time, text }) => ({ conv, seg, id, author, time, text })))
    })
    fc.assert(prop, { seed, verbose: true })
  })
})
