import type { Person } from '../../bind/model.ts'

/** Case- and accent-insensitive match of every word of a query against some fields. */
export function matchesFields(fields: readonly string[], query: string): boolean {
  const q = fold(query.trim())
  if (q === '') return true
  const haystack = fold(fields.join(' '))
  return q.split(/\s+/).every((word) => haystack.includes(word))
}

/** Case- and accent-insensitive match of a query against a person's name, title, email and extension. */
export function matchesPerson(person: Person, query: string): boolean {
  return matchesFields([person.name, person.title, person.email, person.extension], query)
}

function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()
}
