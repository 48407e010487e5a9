import type { Person } from '../../bind/model.ts'

/** The `@query` just before the caret: where it starts and what is typed after the `@`. */
export function mentionQueryAt(text: string, caret: number): { start: number; query: string } | null {
  const match = /(^|\s)@([^\s@]{0,30})$/.exec(text.slice(0, caret))
  if (match === null) return null
  return { start: caret - (match[2]?.length ?? 0) - 1, query: match[2] ?? '' }
}

/** Members whose name has a word starting with `query` (case-insensitive), at most 8. */
export function mentionCandidates(members: readonly Person[], query: string): Person[] {
  const q = query.toLowerCase()
  return members.filter((p) => p.name.toLowerCase().split(/\s+/).some((w) => w.startsWith(q)) || p.name.toLowerCase().startsWith(q)).slice(0, 8)
}
