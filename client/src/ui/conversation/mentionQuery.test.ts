import type { UserId } from '@waggle/schema'
import { describe, expect, it } from 'vitest'
import type { Person } from '../../bind/model.ts'
import { mentionCandidates, mentionQueryAt } from './mentionQuery.ts'

const person = (name: string): Person => ({ id: name.toLowerCase() as UserId, name, email: '', title: '', extension: '', external: false, initials: '', hue: 0 })

describe('mention autocomplete', () => {
  it('finds the @query before the caret, only at a word start', () => {
    expect(mentionQueryAt('hi @Mar', 7)).toEqual({ start: 3, query: 'Mar' })
    expect(mentionQueryAt('@', 1)).toEqual({ start: 0, query: '' })
    expect(mentionQueryAt('ana@example', 11)).toBeNull()
    expect(mentionQueryAt('@Marco Bianchi ', 15)).toBeNull()
  })

  it('matches any word of a name, case-insensitively', () => {
    const people = [person('Marco Bianchi'), person('Luca Romano'), person('Anna Rossi')]
    expect(mentionCandidates(people, 'bi').map((p) => p.name)).toEqual(['Marco Bianchi'])
    expect(mentionCandidates(people, 'r').map((p) => p.name)).toEqual(['Luca Romano', 'Anna Rossi'])
  })
})
