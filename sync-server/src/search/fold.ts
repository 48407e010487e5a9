/**
 * Text folding and query words for message search. The relay folds both the text it indexes
 * and the query with the same rules as the device's matcher (`client/src/search/text.ts`,
 * which an app may not import: keep the two in step), so a word found on the device is found
 * by the relay too: lower case, accents removed (NFD minus combining marks), and the letters
 * NFD leaves alone written out (ß → ss, æ → ae, œ → oe, ø → o, ł → l, đ → d, final ς → σ).
 * `perche` finds `Perché`, `uber` finds `über`, `strasse` finds `Straße` (and the other way round).
 */

/** Letters that carry no combining mark to strip, spelled the way people type them without the key. */
const LIGATURES: Readonly<Record<string, string>> = { 'ß': 'ss', 'æ': 'ae', 'œ': 'oe', 'ø': 'o', 'ł': 'l', 'đ': 'd', 'ς': 'σ' }
const LIGATURE = /[ßæœøłđς]/g

/** The device cuts longer words; a query word is cut the same way, so prefixes agree. */
export const MAX_WORD_LENGTH = 40
/** The device matches at most this many query words (the first ones); so does the relay. */
export const MAX_QUERY_WORDS = 8

/** Folds `text` for matching: lower case first (so `İ` → `i̇` loses its dot too), then NFD without marks, then ligatures. */
export function foldForSearch(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(LIGATURE, (ch) => LIGATURES[ch] ?? ch)
}

/**
 * Word characters: letters and digits, as on the device and as the FTS5 tokenizer is told
 * (`categories 'L* N*'`, migration 6), so splitting here and tokenizing there agree.
 * Everything else (spaces, punctuation, apostrophes, quotes, operators) separates words.
 */
const SEPARATORS = /[^\p{L}\p{N}]+/u

/** The folded words of `text`, in order (empty strings dropped), each cut to {@link MAX_WORD_LENGTH}. */
export function searchWords(text: string): string[] {
  return foldForSearch(text).split(SEPARATORS).flatMap((w) => (w.length > 0 ? [w.slice(0, MAX_WORD_LENGTH)] : []))
}

/** The distinct folded words of a query, at most {@link MAX_QUERY_WORDS}; a message must match every one as a word prefix. */
export function queryWords(query: string): string[] {
  return [...new Set(searchWords(query))].slice(0, MAX_QUERY_WORDS)
}

/**
 * An FTS5 MATCH expression for `words`: each word a quoted prefix term, all of them required
 * (FTS5's implicit AND). Words hold only letters and digits (see {@link SEPARATORS}), so user
 * input cannot form operators (`OR`, `NEAR(`, `*`, `^`, column filters); quotes are doubled
 * anyway, so the expression stays well-formed whatever a caller passes.
 */
export function ftsPrefixQuery(words: readonly string[]): string {
  return words.map((w) => `"${w.replaceAll('"', '""')}"*`).join(' ')
}

/** True when every query word is a prefix of one of `textWords` (folded words of a message): the device's rule. */
export function matchesAllPrefixes(textWords: readonly string[], words: readonly string[]): boolean {
  return words.every((w) => textWords.some((t) => t.startsWith(w)))
}
