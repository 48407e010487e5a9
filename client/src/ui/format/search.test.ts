import { describe, expect, test } from 'vitest'
import type { RecentItem, SearchCategory } from '../../bind/model.ts'
import type { ConvId, MessageId, UserId } from '@waggle/schema'
import {
  highlightSegments, indexingText, loadUntilFound, normaliseRanges, recentForTab, relayStateText, resultCountText, snippet, tabAfterKey,
} from './search.ts'

const marked = (text: string, ranges: [number, number][]): string =>
  highlightSegments(text, ranges).map((s) => (s.match ? `[${s.text}]` : s.text)).join('')

describe('highlightSegments', () => {
  test('no ranges: the whole text, unmarked', () => {
    expect(highlightSegments('hello', [])).toEqual([{ text: 'hello', match: false }])
  })
  test('empty text gives no segments', () => {
    expect(highlightSegments('', [[0, 3]])).toEqual([])
  })
  test('ranges at the start, middle and end', () => {
    expect(marked('Report 12: Verona', [[0, 6], [11, 17]])).toBe('[Report] 12: [Verona]')
    expect(marked('abcdef', [[2, 4]])).toBe('ab[cd]ef')
    expect(marked('abcdef', [[0, 6]])).toBe('[abcdef]')
  })
  test('unsorted, overlapping and touching ranges are merged', () => {
    expect(marked('abcdefgh', [[5, 7], [1, 3], [2, 4]])).toBe('a[bcd]e[fg]h')
    expect(marked('abcdefgh', [[1, 3], [3, 5]])).toBe('a[bcde]fgh')
  })
  test('empty, reversed and out-of-range ranges', () => {
    expect(marked('abcdef', [[2, 2]])).toBe('abcdef')
    expect(marked('abcdef', [[4, 2]])).toBe('ab[cd]ef')
    expect(marked('abcdef', [[-5, 2], [4, 99]])).toBe('[ab]cd[ef]')
    expect(marked('abcdef', [[10, 12]])).toBe('abcdef')
    expect(marked('abcdef', [[Number.NaN, 3]])).toBe('abcdef')
  })
  test('a range never splits a surrogate pair', () => {
    // '🍕' is two UTF-16 code units at 2..4.
    expect(marked('a 🍕 b', [[3, 4]])).toBe('a [🍕] b')
    expect(marked('a 🍕 b', [[0, 3]])).toBe('[a 🍕] b')
    expect(normaliseRanges('a 🍕 b', [[3, 4]])).toEqual([[2, 4]])
  })
})

describe('snippet', () => {
  const long = `${'word '.repeat(40)}the needle is here ${'tail '.repeat(40)}`.trim()

  test('a short text is kept whole with its ranges', () => {
    expect(snippet('Check the SIP trunk', [[10, 13]])).toEqual({ text: 'Check the SIP trunk', ranges: [[10, 13]] })
  })
  test('cut before and after the first match, at word boundaries, with ellipses', () => {
    const at = long.indexOf('needle')
    const s = snippet(long, [[at, at + 6]], { before: 20, length: 60 })
    expect(s.text.startsWith('…')).toBe(true)
    expect(s.text.endsWith('…')).toBe(true)
    const [range] = s.ranges
    expect(range).toBeDefined()
    expect(s.text.slice(range?.[0], range?.[1])).toBe('needle')
    // Whole words: no "ord" or "ail" fragments at the cuts.
    expect(s.text).toMatch(/^…(word )+the needle/)
    expect(s.text).toMatch(/ tail…$/)
    expect(s.text.length).toBeLessThanOrEqual(62)
  })
  test('a match near the start keeps the start', () => {
    const s = snippet(long, [[0, 4]], { length: 30 })
    expect(s.text.startsWith('word')).toBe(true)
    expect(s.text.endsWith('…')).toBe(true)
    expect(s.ranges).toEqual([[0, 4]])
  })
  test('line breaks and runs of spaces become one space; ranges follow', () => {
    const text = 'First line\n\n  second   needle\tend'
    const at = text.indexOf('needle')
    const s = snippet(text, [[at, at + 6]])
    expect(s.text).toBe('First line second needle end')
    const [range] = s.ranges
    expect(s.text.slice(range?.[0], range?.[1])).toBe('needle')
  })
  test('ranges outside the excerpt are dropped; one across the cut is shortened', () => {
    const at = long.indexOf('needle')
    const s = snippet(long, [[at, at + 6], [long.length - 4, long.length]], { before: 10, length: 30 })
    expect(s.ranges).toHaveLength(1)
  })
  test('no ranges: the start of the text', () => {
    const s = snippet(long, [], { length: 20 })
    expect(s.text.startsWith('word word')).toBe(true)
    expect(s.ranges).toEqual([])
  })
  test('a match longer than the length is shown whole', () => {
    const text = `${'a '.repeat(50)}${'x'.repeat(50)} b`
    const at = text.indexOf('x')
    const s = snippet(text, [[at, at + 50]], { before: 5, length: 10 })
    expect(s.text).toContain('x'.repeat(50))
    const [range] = s.ranges
    expect(range !== undefined && range[1] - range[0]).toBe(50)
  })
  test('does not start inside a surrogate pair', () => {
    const text = `${'🍕'.repeat(40)} match`
    const at = text.indexOf('match')
    const s = snippet(text, [[at, at + 5]], { before: 5, length: 20 })
    expect(/^…[\uDC00-\uDFFF]/.test(s.text)).toBe(false)
    const [range] = s.ranges
    expect(s.text.slice(range?.[0], range?.[1])).toBe('match')
  })
})

describe('texts', () => {
  test('result counts', () => {
    expect(resultCountText(0)).toBe('No results')
    expect(resultCountText(1)).toBe('1 result')
    expect(resultCountText(12)).toBe('12 results')
    expect(resultCountText(12345)).toBe('12,345 results')
    expect(resultCountText(30, true)).toBe('More than 30 results')
  })
  test('relay states', () => {
    expect(relayStateText({ state: 'idle' })).toBeNull()
    expect(relayStateText({ state: 'searching' })).toBe('Searching the server…')
    expect(relayStateText({ state: 'done', found: 3 })).toBeNull()
    expect(relayStateText({ state: 'offline' })).toBe('Offline: showing what is on this device')
    expect(relayStateText({ state: 'error', message: 'Too many searches' })).toBe('Could not search the server: Too many searches')
  })
  test('indexing', () => {
    expect(indexingText(3, 12)).toBe('Indexing messages… 3 of 12')
  })
})

describe('recentForTab', () => {
  const conv = (n: number): RecentItem => ({ category: 'conversations', conv: `c${n}` as ConvId, title: `Conv ${n}`, at: n })
  const colleague = (n: number): RecentItem => ({ category: 'colleagues', user: `u${n}` as UserId, name: `User ${n}`, at: n })
  const message: RecentItem = { category: 'messages', conv: 'c1' as ConvId, id: 'm1' as MessageId, seg: 0, text: 'hi', convTitle: 'Conv 1', at: 5 }
  const recent: Record<SearchCategory, RecentItem[]> = {
    conversations: Array.from({ length: 12 }, (_, i) => conv(i)),
    messages: [message],
    colleagues: [colleague(1), colleague(2)],
    contacts: [],
  }
  test('All: the newest 3 of each category, empty categories left out, in category order', () => {
    const groups = recentForTab(recent, 'all')
    expect(groups.map((g) => g.category)).toEqual(['conversations', 'messages', 'colleagues'])
    expect(groups[0]?.items.map((i) => i.at)).toEqual([11, 10, 9])
    expect(groups[2]?.items.map((i) => i.at)).toEqual([2, 1])
  })
  test('a category tab: up to 10 of that category', () => {
    const groups = recentForTab(recent, 'conversations')
    expect(groups).toHaveLength(1)
    expect(groups[0]?.items).toHaveLength(10)
    expect(recentForTab(recent, 'contacts')).toEqual([])
  })
})

describe('tabAfterKey', () => {
  test('arrows wrap; Home and End; other keys', () => {
    expect(tabAfterKey('all', 'ArrowRight')).toBe('conversations')
    expect(tabAfterKey('all', 'ArrowLeft')).toBe('contacts')
    expect(tabAfterKey('contacts', 'ArrowRight')).toBe('all')
    expect(tabAfterKey('messages', 'Home')).toBe('all')
    expect(tabAfterKey('messages', 'End')).toBe('contacts')
    expect(tabAfterKey('messages', 'Enter')).toBeNull()
  })
})

describe('loadUntilFound', () => {
  /** A conversation of `segments` segments with the target in segment `at`; the newest is loaded. */
  function conversation(segments: number, at: number | null, options: { busyFor?: number } = {}) {
    let lowest = segments - 1
    let busy = options.busyFor ?? 0
    const calls: number[] = []
    return {
      calls,
      source: {
        has: () => at !== null && lowest <= at,
        busy: () => busy-- > 0,
        hasOlder: () => lowest > 0,
        loadOlder: () => {
          calls.push(lowest - 1)
          lowest--
          return Promise.resolve()
        },
      },
    }
  }
  const wait = () => Promise.resolve()

  test('already loaded: no older segment is read', async () => {
    const c = conversation(3, 2)
    expect(await loadUntilFound(c.source, { wait })).toBe(true)
    expect(c.calls).toEqual([])
  })
  test('loads older segments until the message is there', async () => {
    const c = conversation(4, 1)
    expect(await loadUntilFound(c.source, { wait })).toBe(true)
    expect(c.calls).toEqual([2, 1])
  })
  test('waits while loading', async () => {
    const c = conversation(2, 0, { busyFor: 3 })
    expect(await loadUntilFound(c.source, { wait })).toBe(true)
    expect(c.calls).toEqual([0])
  })
  test('not in the conversation: false once nothing older is left', async () => {
    const c = conversation(3, null)
    expect(await loadUntilFound(c.source, { wait })).toBe(false)
    expect(c.calls).toEqual([1, 0])
  })
  test('cancelled, or the time is up', async () => {
    const c = conversation(3, 0)
    expect(await loadUntilFound(c.source, { wait, cancelled: () => true })).toBe(false)
    expect(c.calls).toEqual([])
    let clock = 0
    const stuck = { has: () => false, busy: () => true, hasOlder: () => true, loadOlder: () => Promise.resolve() }
    expect(await loadUntilFound(stuck, { wait: () => { clock += 1000; return Promise.resolve() }, now: () => clock, timeoutMs: 5000 })).toBe(false)
  })
})
