import type { UserId } from '@waggle/schema'
import { describe, expect, it } from 'vitest'
import type { Person } from '../../bind/model.ts'
import { matchesPerson } from './people.ts'

const ana: Person = { id: 'u1' as UserId, name: 'Ana Muñoz', email: 'ana@example.com', title: 'Sales lead', extension: '201', external: false, initials: 'AM', hue: 10 }

describe('people filter', () => {
  it('matches every word anywhere, ignoring case and accents', () => {
    expect(matchesPerson(ana, 'munoz')).toBe(true)
    expect(matchesPerson(ana, 'SALES ana')).toBe(true)
    expect(matchesPerson(ana, '201')).toBe(true)
    expect(matchesPerson(ana, 'marco')).toBe(false)
  })

  it('matches everyone for an empty query', () => {
    expect(matchesPerson(ana, '  ')).toBe(true)
  })
})
