import type { MatchRange, RecentItem, RelaySearchState, SearchCategory } from '../../bind/model.ts'

/**
 * Pure helpers of the search panel (issue 6): highlight segments from match ranges, a snippet
 * around the first match, counts and status texts, recent items per tab, and the "load older
 * until the message is there" loop of a jump to a message.
 */

export type SearchTab = 'all' | SearchCategory

export const SEARCH_TABS: readonly { tab: SearchTab; label: string }[] = [
  { tab: 'all', label: 'All' },
  { tab: 'conversations', label: 'Conversations' },
  { tab: 'messages', label: 'Messages' },
  { tab: 'colleagues', label: 'Colleagues' },
  { tab: 'contacts', label: 'Contacts' },
]

/** Results per section on the All tab. */
export const ALL_TAB_LIMIT = 3
/** Messages shown on the Messages tab, and how many more each "Show more" adds. */
export const MESSAGE_PAGE = 30
/** Recent items per category on the All tab, and on a category's tab. */
export const RECENT_ON_ALL = 3
export const RECENT_ON_TAB = 10

/** One piece of a text: matched (shown in `<mark>`) or not. */
export interface TextSegment {
  text: string
  match: boolean
}

/**
 * Splits `text` into plain and matched segments. Ranges may be unsorted, overlapping, touching,
 * empty, reversed or out of bounds: they are clamped to the text and merged. Empty segments are
 * left out; a range never splits a surrogate pair.
 */
export function highlightSegments(text: string, ranges: readonly MatchRange[]): TextSegment[] {
  const merged = normaliseRanges(text, ranges)
  const out: TextSegment[] = []
  let at = 0
  for (const [start, end] of merged) {
    if (start > at) out.push({ text: text.slice(at, start), match: false })
    out.push({ text: text.slice(start, end), match: true })
    at = end
  }
  if (at < text.length) out.push({ text: text.slice(at), match: false })
  return out
}

/** Ranges clamped to `text`, widened off split surrogate pairs, sorted, and merged where they overlap or touch. */
export function normaliseRanges(text: string, ranges: readonly MatchRange[]): [number, number][] {
  const clamped: [number, number][] = []
  for (const [a, b] of ranges) {
    if (!Number.isFinite(a) || !Number.isFinite(b)) continue
    let start = Math.max(0, Math.min(text.length, Math.trunc(Math.min(a, b))))
    let end = Math.max(0, Math.min(text.length, Math.trunc(Math.max(a, b))))
    if (start > 0 && isLowSurrogate(text.charCodeAt(start))) start--
    if (end < text.length && isLowSurrogate(text.charCodeAt(end))) end++
    if (end > start) clamped.push([start, end])
  }
  clamped.sort((x, y) => x[0] - y[0] || x[1] - y[1])
  const merged: [number, number][] = []
  for (const r of clamped) {
    const last = merged.at(-1)
    if (last !== undefined && r[0] <= last[1]) last[1] = Math.max(last[1], r[1])
    else merged.push([r[0], r[1]])
  }
  return merged
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff
}

export interface Snippet {
  text: string
  ranges: MatchRange[]
}

export interface SnippetOptions {
  /** Characters to keep before the first match (about). */
  before?: number
  /** Characters of the whole snippet (about), ellipses not counted. */
  length?: number
}

/**
 * A one-line excerpt of a message around its first match: line breaks and runs of spaces become
 * one space, the cut is moved to a word boundary when one is near, "…" marks a cut, and the
 * ranges are moved to the excerpt (those outside it are dropped, those across a cut shortened).
 */
export function snippet(text: string, ranges: readonly MatchRange[], options: SnippetOptions = {}): Snippet {
  const before = options.before ?? 40
  const length = Math.max(1, options.length ?? 160)
  // Collapse whitespace and keep a map from new offsets to old ones to move the ranges along.
  const { text: flat, map } = collapseWhitespace(text)
  const toFlat = (offset: number): number => {
    // The first flat position whose source offset is at or after `offset`.
    let lo = 0
    let hi = map.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if ((map[mid] ?? 0) < offset) lo = mid + 1
      else hi = mid
    }
    return lo
  }
  const moved = normaliseRanges(text, ranges)
    .map(([s, e]): [number, number] => [toFlat(s), toFlat(e)])
    .filter(([s, e]) => e > s)
  const first = moved[0]
  let start = 0
  if (first !== undefined && first[0] > before) {
    start = first[0] - before
    // Start at the next word if there is one close by.
    const space = flat.indexOf(' ', start)
    if (space !== -1 && space < first[0] && space - start < 15) start = space + 1
  }
  let end = Math.min(flat.length, start + length)
  if (first !== undefined && end < first[1]) end = Math.min(flat.length, first[1])
  if (end < flat.length) {
    const space = flat.lastIndexOf(' ', end)
    if (space > start && end - space < 15 && (first === undefined || space >= first[1])) end = space
  }
  if (start > 0 && isLowSurrogate(flat.charCodeAt(start))) start--
  if (end < flat.length && isLowSurrogate(flat.charCodeAt(end))) end++
  if (flat.charAt(start) === ' ') start++
  if (end > start && flat.charAt(end - 1) === ' ') end--
  const lead = start > 0 ? '…' : ''
  const tail = end < flat.length ? '…' : ''
  const body = flat.slice(start, end)
  const shift = lead.length - start
  const out: MatchRange[] = []
  for (const [s, e] of moved) {
    const a = Math.max(s, start)
    const b = Math.min(e, end)
    if (b > a) out.push([a + shift, b + shift])
  }
  return { text: lead + body + tail, ranges: out }
}

/** Whitespace runs as one space, trimmed; `map[i]` is the source offset of character `i` (and `map[length]` the source's length). */
function collapseWhitespace(text: string): { text: string; map: number[] } {
  let out = ''
  const map: number[] = []
  let space = false
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i)
    if (/\s/.test(ch)) {
      space = out.length > 0
      continue
    }
    if (space) {
      out += ' '
      map.push(i - 1)
      space = false
    }
    out += ch
    map.push(i)
  }
  map.push(text.length)
  return { text: out, map }
}

/** "1 result", "1,234 results", "More than 30 results" (a lower bound), "No results". */
export function resultCountText(count: number, more = false): string {
  const n = count.toLocaleString('en-US')
  if (more) return `More than ${n} results`
  if (count === 0) return 'No results'
  return count === 1 ? '1 result' : `${n} results`
}

/** What the panel says about the relay's part of a message search; null when nothing needs saying. */
export function relayStateText(state: RelaySearchState): string | null {
  switch (state.state) {
    case 'idle': return null
    case 'searching': return 'Searching the server…'
    case 'done': return null
    case 'offline': return 'Offline: showing what is on this device'
    case 'error': return `Could not search the server: ${state.message}`
  }
}

/** "Indexing messages… 3 of 12". */
export function indexingText(done: number, total: number): string {
  return `Indexing messages… ${done} of ${total}`
}

export const categoryLabel: Record<SearchCategory, string> = {
  conversations: 'Conversations',
  messages: 'Messages',
  colleagues: 'Colleagues',
  contacts: 'Contacts',
}

/** The recent items a tab shows: the last 3 of each category on All, up to 10 on a category's tab. */
export function recentForTab(recent: Record<SearchCategory, readonly RecentItem[]>, tab: SearchTab): { category: SearchCategory; items: RecentItem[] }[] {
  const categories: SearchCategory[] = tab === 'all' ? ['conversations', 'messages', 'colleagues', 'contacts'] : [tab]
  const limit = tab === 'all' ? RECENT_ON_ALL : RECENT_ON_TAB
  return categories
    .map((category) => ({ category, items: [...(recent[category] ?? [])].sort((a, b) => b.at - a.at).slice(0, limit) }))
    .filter((group) => group.items.length > 0)
}

/** The tab an arrow key (or Home/End) moves to from `current`, wrapping around; null for other keys. */
export function tabAfterKey(current: SearchTab, key: string): SearchTab | null {
  const tabs = SEARCH_TABS.map((t) => t.tab)
  const at = tabs.indexOf(current)
  switch (key) {
    case 'ArrowRight': return tabs[(at + 1) % tabs.length] ?? null
    case 'ArrowLeft': return tabs[(at - 1 + tabs.length) % tabs.length] ?? null
    case 'Home': return tabs[0] ?? null
    case 'End': return tabs.at(-1) ?? null
    default: return null
  }
}

/** A message to find in a conversation whose older segments load on demand. */
export interface OlderMessages {
  /** The message is among the loaded ones. */
  has(): boolean
  /** Loading (the newest segment, or an older one): wait. */
  busy(): boolean
  hasOlder(): boolean
  loadOlder(): Promise<void>
}

export interface FindOptions {
  /** Gives up (false) after this long without finding it. */
  timeoutMs?: number
  /** Stops (false) when true, e.g. once the view closed or another jump started. */
  cancelled?: () => boolean
  wait?: (ms: number) => Promise<void>
  now?: () => number
}

/**
 * Loads older segments until the message is loaded (true), or there is nothing older, the time
 * is up or the caller cancelled (false). Waits while a segment is still loading.
 */
export async function loadUntilFound(source: OlderMessages, options: FindOptions = {}): Promise<boolean> {
  const wait = options.wait ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)))
  const now = options.now ?? Date.now
  const cancelled = options.cancelled ?? (() => false)
  const deadline = now() + (options.timeoutMs ?? 30_000)
  for (;;) {
    if (cancelled()) return false
    if (source.has()) return true
    if (now() > deadline) return false
    if (source.busy()) {
      await wait(50)
      continue
    }
    if (!source.hasOlder()) return false
    await source.loadOlder()
    // Let the loaded messages reach the list (and the loading flags settle).
    await wait(0)
  }
}
