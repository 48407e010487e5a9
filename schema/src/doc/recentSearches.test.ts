import { describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import type { ConvId, MessageId, UserId } from '../ids.ts'
import { Origin } from '../origins.ts'
import { MAX_RECENT_PER_CATEGORY, clearRecentSearches, recentSearches, rememberSearch, type RecentSearch } from './userPrivate.ts'

const conv = (n: number, at: number): RecentSearch => ({ category: 'conversations', conv: `c${n}` as ConvId, title: `Conversation ${n}`, at })
const colleague = (n: number, at: number): RecentSearch => ({ category: 'colleagues', user: `u${n}` as UserId, name: `Person ${n}`, at })

describe('recent searches in the private document', () => {
  test('newest first across categories; opening an item again moves it to the front without a duplicate', () => {
    const doc = new Y.Doc()
    rememberSearch(doc, conv(1, 10), Origin.local)
    rememberSearch(doc, colleague(1, 20), Origin.local)
    rememberSearch(doc, { category: 'messages', conv: 'c1' as ConvId, id: 'm1' as MessageId, seg: 0, text: 'Hello', convTitle: 'Conversation 1', at: 30 }, Origin.local)
    rememberSearch(doc, conv(1, 40), Origin.local)
    expect(recentSearches(doc).map((r) => [r.category, r.at])).toEqual([['conversations', 40], ['messages', 30], ['colleagues', 20]])
  })

  test('keeps at most 10 per category, dropping the oldest of that category only', () => {
    const doc = new Y.Doc()
    rememberSearch(doc, colleague(0, 1), Origin.local)
    for (let i = 0; i < MAX_RECENT_PER_CATEGORY + 3; i++) rememberSearch(doc, conv(i, 100 + i), Origin.local)
    const convs = recentSearches(doc).filter((r) => r.category === 'conversations')
    expect(convs).toHaveLength(MAX_RECENT_PER_CATEGORY)
    expect(convs[0]?.at).toBe(100 + MAX_RECENT_PER_CATEGORY + 2)
    expect(convs.at(-1)?.at).toBe(103)
    expect(recentSearches(doc).filter((r) => r.category === 'colleagues')).toHaveLength(1)
  })

  test('clear one category or all; long texts are cut; invalid items are refused', () => {
    const doc = new Y.Doc()
    rememberSearch(doc, conv(1, 1), Origin.local)
    rememberSearch(doc, colleague(1, 2), Origin.local)
    rememberSearch(doc, { category: 'messages', conv: 'c1' as ConvId, id: 'm1' as MessageId, seg: 0, text: 'x'.repeat(500), convTitle: 'C', at: 3 }, Origin.local)
    const message = recentSearches(doc)[0]
    expect(message?.category === 'messages' && [...message.text].length).toBe(200)
    clearRecentSearches(doc, 'colleagues', Origin.local)
    expect(recentSearches(doc).map((r) => r.category)).toEqual(['messages', 'conversations'])
    clearRecentSearches(doc, null, Origin.local)
    expect(recentSearches(doc)).toEqual([])
    expect(() => rememberSearch(doc, { category: 'conversations', conv: 'not an id!' as ConvId, title: 'x', at: 1 }, Origin.local)).toThrow(TypeError)
  })

  test('two devices merge their items', () => {
    const a = new Y.Doc()
    const b = new Y.Doc()
    rememberSearch(a, conv(1, 1), Origin.local)
    rememberSearch(b, colleague(2, 2), Origin.local)
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b))
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a))
    expect(recentSearches(a)).toEqual(recentSearches(b))
    expect(recentSearches(a)).toHaveLength(2)
  })
})
