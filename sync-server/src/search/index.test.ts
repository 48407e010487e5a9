import { docName, type ConvId, type MessageId, type UserId } from '@waggle/schema'
import { describe, expect, onTestFinished, test } from 'vitest'
import { SqliteStore } from '../storage/SqliteStore.ts'
import { removeDir, tempDataDir } from '../testing/relayHarness.ts'
import { MemoryMessageSearch } from './MemoryMessageSearch.ts'
import type { MessageSearch, SegmentRef } from './MessageSearch.ts'
import { foldText, queryTerms, tokenize } from '@waggle/schema'
import { ftsPrefixQuery } from './fold.ts'

describe('folding and query words (the device rules)', () => {
  test('lower case, accents and the letters NFD keeps are folded', () => {
    expect(foldText('Perché ÜBER Straße Æble Œuvre Søren Łódź Đaković ΟΔΟΣ İstanbul')).toBe('perche uber strasse aeble oeuvre soren lodz dakovic οδοσ istanbul')
    expect(foldText('Cafe\u0301')).toBe('cafe')
  })

  test('words are runs of letters and digits, cut to 40; a query has at most 8 distinct words', () => {
    expect(tokenize("l'uomo E-Mail 4711, \"foo\" OR bar* NEAR(x)")).toEqual(['l', 'uomo', 'e', 'mail', '4711', 'foo', 'or', 'bar', 'near', 'x'])
    expect(tokenize('a'.repeat(50))).toEqual(['a'.repeat(40)])
    expect(queryTerms('one two three one four five six seven eight nine')).toEqual(['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight'])
    expect(queryTerms('!!! ???')).toEqual([])
  })

  test('the FTS expression is quoted prefix terms only', () => {
    expect(ftsPrefixQuery(queryTerms('"foo" OR bar* NEAR(')))
      .toBe('"foo"* "or"* "bar"* "near"*')
    // Even a word with a quote (which queryTerms never makes) stays one string.
    expect(ftsPrefixQuery(['a"b'])).toBe('"a""b"*')
  })
})

const conv = 'c1' as ConvId
const seg = (n: number): SegmentRef => ({ doc: docName.segment(conv, n), conv, seg: n })
const msg = (id: string, time: number, text: string) => ({ id: id as MessageId, author: 'u' as UserId, time, text })
const query = (q: string, firstSegment = 0) => ({ words: queryTerms(q), readable: [{ conv, firstSegment }], local: [], limit: 10, offset: 0 })

function openSqlite(): SqliteStore {
  const dir = tempDataDir()
  const store = SqliteStore.open(dir)
  onTestFinished(async () => {
    await store.close()
    removeDir(dir)
  })
  return store
}

describe.each([
  ['SQLite', () => openSqlite().search as MessageSearch],
  ['memory', () => new MemoryMessageSearch() as MessageSearch],
])('MessageSearch (%s)', (_name, make) => {
  test('upserts, removes, replaces a segment and answers newest first within what is readable', async () => {
    const index = make()
    await index.update(seg(0), [msg('a', 1, 'alpha beta'), msg('b', 2, 'alpha gamma')], [])
    await index.update(seg(1), [msg('c', 3, 'alpha delta')], [])
    expect((await index.search(query('alpha'))).hits.map((h) => h.id)).toEqual(['c', 'b', 'a'])
    expect((await index.search(query('alpha', 1))).hits.map((h) => h.id)).toEqual(['c'])
    expect((await index.search({ ...query('alpha'), local: [{ conv, seg: 1 }] })).hits.map((h) => h.id)).toEqual(['b', 'a'])
    expect((await index.search({ ...query('alpha'), readable: [] })).hits).toEqual([])

    await index.update(seg(0), [msg('a', 1, 'epsilon')], ['b' as MessageId])
    expect((await index.search(query('alpha'))).hits.map((h) => h.id)).toEqual(['c'])
    expect((await index.search(query('beta'))).hits).toEqual([])
    expect((await index.search(query('eps'))).hits.map((h) => h.text)).toEqual(['epsilon'])

    await index.replace(seg(0), [msg('z', 9, 'zeta alpha')])
    expect((await index.search(query('alpha'))).hits.map((h) => h.id)).toEqual(['z', 'c'])
    expect((await index.search(query('eps'))).hits).toEqual([])
  })
})

describe('SqliteMessageSearch progress marks', () => {
  test('a write whose index update never ran leaves the segment reported until it is replaced', async () => {
    const store = openSqlite()
    const s = seg(0)
    // Sequence numbers come from the document log; the update bytes do not matter here.
    await store.persistence.append(s.doc, new Uint8Array([0, 0]))
    await store.search.update(s, [msg('a', 1, 'alpha')], [])
    expect(await store.search.unindexed()).toEqual([])

    // Appended, then "crashed" before indexing; the next write's index update cannot close the gap.
    await store.persistence.append(s.doc, new Uint8Array([0, 0]))
    await store.persistence.append(s.doc, new Uint8Array([0, 0]))
    await store.search.update(s, [msg('b', 2, 'beta')], [])
    expect(await store.search.unindexed()).toEqual([s])

    await store.search.replace(s, [msg('a', 1, 'alpha'), msg('b', 2, 'beta'), msg('c', 3, 'gamma')])
    expect(await store.search.unindexed()).toEqual([])
    // Only segment documents are reported.
    await store.persistence.append(docName.convMeta(conv), new Uint8Array([0, 0]))
    await store.persistence.append(docName.reactions(conv, 0), new Uint8Array([0, 0]))
    expect(await store.search.unindexed()).toEqual([])
  })
})

test('SqliteMessageSearch leaves the connection fsyncing every commit (synchronous = FULL) after its writes', async () => {
  const store = openSqlite()
  await store.search.update(seg(0), [msg('a', 1, 'alpha')], [])
  await store.search.replace(seg(1), [msg('b', 2, 'beta')])
  expect(store.db.pragma('synchronous', { simple: true })).toBe(2)
})
