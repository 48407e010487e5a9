import { describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import { Origin } from '../origins.ts'
import { MAX_SAVED_STATUSES, removeSavedStatus, saveStatus, savedStatuses, type SavedStatus } from './userPrivate.ts'

const saved = (id: string, message: string, emoji: string | null = null): SavedStatus => ({ id, availability: 'busy', message, emoji, clearAfter: { kind: 'hour1' } })

describe('saved statuses in the private document', () => {
  test('newest first; removing one', () => {
    const doc = new Y.Doc()
    saveStatus(doc, saved('a', 'Lunch', '🍝'), Origin.local)
    saveStatus(doc, saved('b', 'Visiting customers'), Origin.local)
    saveStatus(doc, { ...saved('c', 'Vacation', '🌴'), clearAfter: { kind: 'at', time: 123 } }, Origin.local)
    expect(savedStatuses(doc).map((s) => s.id)).toEqual(['c', 'b', 'a'])
    expect(savedStatuses(doc)[0]).toEqual({ id: 'c', availability: 'busy', message: 'Vacation', emoji: '🌴', clearAfter: { kind: 'at', time: 123 } })
    removeSavedStatus(doc, 'b', Origin.local)
    expect(savedStatuses(doc).map((s) => s.id)).toEqual(['c', 'a'])
    removeSavedStatus(doc, 'missing', Origin.local)
    expect(savedStatuses(doc).map((s) => s.id)).toEqual(['c', 'a'])
  })

  test('the same message and emoji replaces the older one and moves to the front; another emoji does not', () => {
    const doc = new Y.Doc()
    saveStatus(doc, saved('a', 'Lunch', '🍝'), Origin.local)
    saveStatus(doc, saved('b', 'Focus'), Origin.local)
    saveStatus(doc, { ...saved('c', 'Lunch', '🍝'), availability: 'away' }, Origin.local)
    expect(savedStatuses(doc).map((s) => [s.id, s.availability])).toEqual([['c', 'away'], ['b', 'busy']])
    saveStatus(doc, saved('d', 'Lunch', '🥗'), Origin.local)
    expect(savedStatuses(doc).map((s) => s.id)).toEqual(['d', 'c', 'b'])
    // Saving under the same id updates it in place and moves it to the front.
    saveStatus(doc, saved('b', 'Deep focus'), Origin.local)
    expect(savedStatuses(doc).map((s) => [s.id, s.message])).toEqual([['b', 'Deep focus'], ['d', 'Lunch'], ['c', 'Lunch']])
  })

  test('at most 20: the oldest are dropped', () => {
    const doc = new Y.Doc()
    for (let i = 0; i < 25; i++) saveStatus(doc, saved(`s${i}`, `Status ${i}`), Origin.local)
    const list = savedStatuses(doc)
    expect(MAX_SAVED_STATUSES).toBe(20)
    expect(list).toHaveLength(20)
    expect(list[0]?.id).toBe('s24')
    expect(list[19]?.id).toBe('s5')
    // Replacing one does not drop another.
    saveStatus(doc, saved('x', 'Status 10'), Origin.local)
    expect(savedStatuses(doc)).toHaveLength(20)
    expect(savedStatuses(doc).map((s) => s.id)).toContain('s5')
  })

  test('refuses an invalid status and survives a round trip to another replica', () => {
    const doc = new Y.Doc()
    expect(() => saveStatus(doc, saved('a', 'x'.repeat(101)), Origin.local)).toThrow(/at most 100 characters/)
    expect(() => saveStatus(doc, { ...saved('a', 'ok'), clearAfter: { kind: 'soon' } as never }, Origin.local)).toThrow()
    saveStatus(doc, saved('a', '👍'.repeat(100)), Origin.local)
    const other = new Y.Doc()
    Y.applyUpdate(other, Y.encodeStateAsUpdate(doc))
    expect(savedStatuses(other).map((s) => s.id)).toEqual(['a'])
  })
})
