/**
 * The relay's side of message search. Folding and words come from `@waggle/schema`
 * (`foldText`, `tokenize`, `queryTerms`), the same functions the device's index uses, so a word
 * found on the device is found by the relay too (`perche` finds `Perché`, `strasse` `Straße`).
 */

/**
 * An FTS5 MATCH expression for `words`: each word a quoted prefix term, all of them required
 * (FTS5's implicit AND). Words hold only letters and digits (schema's `tokenize`), so user
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
