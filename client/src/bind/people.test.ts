import { describe, expect, it } from 'vitest'
import type { UserId } from '@waggle/schema'
import { hueOf, initialsOf, nameOf, toPerson } from './people.ts'

describe('people', () => {
  it('makes up to two initials from the first and last word', () => {
    expect(initialsOf('Anna Rossi')).toBe('AR')
    expect(initialsOf('  sofia  maría garcía ')).toBe('SG')
    expect(initialsOf('Claire')).toBe('C')
    expect(initialsOf('')).toBe('?')
    expect(initialsOf('😀 Team')).toBe('😀T')
  })

  it('gives an id the same hue every time, within 0..359', () => {
    const ids = ['anna', 'marco', 'lena', 'a', '', 'dm_anna_marco']
    for (const id of ids) {
      expect(hueOf(id)).toBe(hueOf(id))
      expect(hueOf(id)).toBeGreaterThanOrEqual(0)
      expect(hueOf(id)).toBeLessThan(360)
    }
    expect(new Set(ids.map(hueOf)).size).toBeGreaterThan(1)
  })

  it('names a person from the directory, or by id until it knows them', () => {
    const anna = toPerson('anna' as UserId, { name: 'Anna Rossi', email: 'anna@example.com', title: 'Sales Manager' })
    expect(anna).toMatchObject({ initials: 'AR', title: 'Sales Manager', extension: '' })
    const people = new Map([[anna.id, anna]])
    expect(nameOf(people, 'anna' as UserId)).toBe('Anna Rossi')
    expect(nameOf(people, 'ghost' as UserId)).toBe('ghost')
  })
})
