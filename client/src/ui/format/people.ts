import type { Person } from '../../bind/model.ts'

/** Case- and accent-insensitive match of a query against a person's name, title, email and extension. */
export function matchesPerson(person: Person, query: string): boolean {
  const q = fold(query.trim())
  if (q === '') return true
  const haystack = fold(`${person.name} ${person.title} ${person.email} ${person.extension}`)
  return q.split(/\s+/).every((word) => haystack.includes(word))
}

function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()
}
