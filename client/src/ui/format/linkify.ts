/**
 * Splits message text into plain text, links and mentions, for rendering as DOM nodes (text
 * nodes and `<a>` elements; never HTML). Only http(s) and mailto URLs become links.
 */
export type TextPart =
  | { kind: 'text'; text: string }
  | { kind: 'link'; text: string; href: string }
  | { kind: 'mention'; text: string }

const URL_PATTERN = /\b(?:https?:\/\/|mailto:)[^\s<>"]+/gi
/** Punctuation that ends a sentence rather than the URL ("see https://x.it/a."). */
const TRAILING = /[.,;:!?'")\]}]+$/

/** The URL's `href` when it is safe to link (http, https or mailto); null otherwise. */
export function safeHref(raw: string): string | null {
  try {
    const url = new URL(raw)
    return url.protocol === 'http:' || url.protocol === 'https:' || url.protocol === 'mailto:' ? url.href : null
  } catch {
    return null
  }
}

function linkParts(text: string): TextPart[] {
  const out: TextPart[] = []
  let at = 0
  for (const match of text.matchAll(URL_PATTERN)) {
    let raw = match[0]
    // Keep a closing parenthesis that belongs to the URL (Wikipedia-style links).
    const trailing = TRAILING.exec(raw)?.[0] ?? ''
    raw = raw.slice(0, raw.length - trailing.length)
    if (trailing.startsWith(')') && raw.includes('(')) raw += ')'
    const href = safeHref(raw)
    const start = match.index
    if (href === null || raw.length === 0) continue
    if (start > at) out.push({ kind: 'text', text: text.slice(at, start) })
    out.push({ kind: 'link', text: raw, href })
    at = start + raw.length
  }
  if (at < text.length) out.push({ kind: 'text', text: text.slice(at) })
  return out
}

function mentionParts(text: string, names: readonly string[]): TextPart[] {
  const tags = [...new Set(names.filter((n) => n.length > 0).map((n) => `@${n}`))].sort((a, b) => b.length - a.length)
  if (tags.length === 0) return [{ kind: 'text', text }]
  const out: TextPart[] = []
  let plain = ''
  for (let i = 0; i < text.length;) {
    const tag = text[i] === '@' ? tags.find((t) => text.startsWith(t, i)) : undefined
    if (tag === undefined) {
      plain += text[i] ?? ''
      i++
      continue
    }
    if (plain !== '') out.push({ kind: 'text', text: plain })
    plain = ''
    out.push({ kind: 'mention', text: tag })
    i += tag.length
  }
  if (plain !== '') out.push({ kind: 'text', text: plain })
  return out
}

/** Text parts of a message: links first, then `@Name` of the mentioned people in the rest. */
export function splitMessageText(text: string, mentionedNames: readonly string[] = []): TextPart[] {
  return linkParts(text).flatMap((part) => (part.kind === 'text' ? mentionParts(part.text, mentionedNames) : [part]))
}
