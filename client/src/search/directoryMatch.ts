import { foldText, isPhoneQuery, matchRanges, phoneMatches, queryTerms, tokenize, type Colleague, type Contact, type ContactId, type Guest, type UserId } from '@waggle/schema'
import type { ColleagueHit, ContactHit, ConversationHit, InboxItem, MatchRange } from '../bind/model.ts'
import { guestPerson, hueOf, initialsOf, toPerson } from '../bind/people.ts'

/**
 * Conversations, colleagues and contacts matched on the device (issue 6). These lists are small
 * (a workspace's directory and the inbox), so they are scanned on every keystroke; messages
 * go through the inverted index instead.
 */

/** Whether every term starts some word of one of the texts. */
function allTermsMatch(terms: readonly string[], texts: readonly string[]): boolean {
  const words = texts.flatMap((t) => tokenize(t))
  return terms.every((term) => words.some((w) => w.startsWith(term)))
}

/** An email matches as words (`anna`, `rossi`, `example`) and as typed from its start (`anna.ro`). */
function emailMatches(query: string, email: string): boolean {
  const q = foldText(query.trim())
  return q.length > 0 && foldText(email).startsWith(q)
}

const ranges = (text: string, terms: readonly string[]): MatchRange[] => matchRanges(text, terms)

export function matchConversations(query: string, inbox: readonly InboxItem[]): ConversationHit[] {
  const terms = queryTerms(query)
  if (terms.length === 0) return []
  return inbox
    .filter((item) => item.creation !== 'rejected' && allTermsMatch(terms, [item.title]))
    .map((item) => ({ conv: item.conv, kind: item.kind, title: item.title, peer: item.peer, avatar: item.avatar, ranges: ranges(item.title, terms) }))
}

/** Digits of a phone query typed with spaces, `+`, `00` or a leading 0 match the stored number. */
const anyPhone = (query: string, phones: readonly string[]) => isPhoneQuery(query) && phones.some((p) => p !== '' && phoneMatches(query, p))

export function matchColleagues(query: string, colleagues: ReadonlyMap<UserId, Colleague>, me: UserId): ColleagueHit[] {
  const terms = queryTerms(query)
  if (terms.length === 0) return []
  const out: ColleagueHit[] = []
  for (const [id, c] of colleagues) {
    if (id === me) continue
    const phones = [c.phone ?? '', c.extension ?? ''].filter((p) => p !== '')
    const hit = allTermsMatch(terms, [c.name, c.title ?? '', c.email]) || emailMatches(query, c.email) || anyPhone(query, phones)
    if (hit) out.push({ person: toPerson(id, c), phones, ranges: { name: ranges(c.name, terms), email: ranges(c.email, terms), title: ranges(c.title ?? '', terms) } })
  }
  return out.sort((a, b) => a.person.name.localeCompare(b.person.name))
}

/** Phonebook contacts first, then external people known from conversations (the reference's order). */
export function matchContacts(query: string, phonebook: ReadonlyMap<ContactId, Contact>, guests: ReadonlyMap<UserId, Guest>, colleagues: ReadonlyMap<UserId, Colleague>): ContactHit[] {
  const terms = queryTerms(query)
  if (terms.length === 0) return []
  const byName = (a: ContactHit, b: ContactHit) => a.name.localeCompare(b.name)
  const book: ContactHit[] = []
  for (const [id, c] of phonebook) {
    const email = c.email ?? ''
    const hit = allTermsMatch(terms, [c.name, c.company ?? '', email]) || (email !== '' && emailMatches(query, email)) || anyPhone(query, c.phones)
    if (!hit) continue
    book.push({ id, source: 'phonebook', name: c.name, company: c.company ?? '', email, phones: [...c.phones], initials: initialsOf(c.name), hue: hueOf(id), ranges: { name: ranges(c.name, terms), email: ranges(email, terms) } })
  }
  const inBook = new Set(book.map((c) => c.email.toLowerCase()).filter((e) => e !== ''))
  const known: ContactHit[] = []
  for (const [id, g] of guests) {
    if (colleagues.has(id) || inBook.has(g.email.toLowerCase())) continue
    if (!allTermsMatch(terms, [g.name, g.company ?? '', g.email]) && !emailMatches(query, g.email)) continue
    const person = guestPerson(id, g)
    known.push({ id, source: 'guest', name: g.name, company: g.company ?? '', email: g.email, phones: [], initials: person.initials, hue: person.hue, ranges: { name: ranges(g.name, terms), email: ranges(g.email, terms) } })
  }
  return [...book.sort(byName), ...known.sort(byName)]
}

/** The query as a phone number for "Create contact", or null. */
export const phoneNumberOf = (query: string): string | null => (isPhoneQuery(query) ? query.trim() : null)
