import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { makeDraftSaver } from './drafts.ts'

describe('draft saving', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  test('typing saves once, 500 ms after the last change', () => {
    const saved: [string, string][] = []
    const saver = makeDraftSaver<string>((k, t) => saved.push([k, t]))
    saver.change('c1', 'h')
    vi.advanceTimersByTime(300)
    saver.change('c1', 'he')
    vi.advanceTimersByTime(300)
    saver.change('c1', 'hey')
    expect(saved).toEqual([])
    vi.advanceTimersByTime(499)
    expect(saved).toEqual([])
    vi.advanceTimersByTime(1)
    expect(saved).toEqual([['c1', 'hey']])
  })

  test('flush saves the waiting text at once, and only once', () => {
    const saved: [string, string][] = []
    const saver = makeDraftSaver<string>((k, t) => saved.push([k, t]))
    saver.change('c1', 'draft')
    saver.flush()
    vi.advanceTimersByTime(1000)
    saver.flush()
    expect(saved).toEqual([['c1', 'draft']])
  })

  test('a change in another conversation saves the first one before waiting', () => {
    const saved: [string, string][] = []
    const saver = makeDraftSaver<string>((k, t) => saved.push([k, t]))
    saver.change('c1', 'one')
    saver.change('c2', 'two')
    expect(saved).toEqual([['c1', 'one']])
    vi.advanceTimersByTime(500)
    expect(saved).toEqual([['c1', 'one'], ['c2', 'two']])
  })

  test('cancel drops the waiting text (sent messages do not come back as drafts)', () => {
    const saved: [string, string][] = []
    const saver = makeDraftSaver<string>((k, t) => saved.push([k, t]))
    saver.change('c1', 'sent text')
    saver.cancel()
    vi.advanceTimersByTime(1000)
    saver.flush()
    expect(saved).toEqual([])
  })
})
