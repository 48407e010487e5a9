import { describe, expect, test } from 'vitest'
import { isHidden } from './organise.ts'

describe('hiding a conversation', () => {
  test('a conversation never hidden is shown', () => {
    expect(isHidden(undefined, 10)).toBe(false)
    expect(isHidden(undefined, undefined)).toBe(false)
  })

  test('a hidden conversation stays hidden while nothing newer arrives', () => {
    expect(isHidden(100, 50)).toBe(true)
    expect(isHidden(100, 100)).toBe(true)
    expect(isHidden(100, undefined)).toBe(true)
  })

  test('a message after the hide time brings it back', () => {
    expect(isHidden(100, 101)).toBe(false)
  })
})
