import type { Colleague, Contact, ContactId, Guest, UserId } from '@waggle/schema'
import type { PhonebookContact, Person } from './model.ts'

/**
 * Avatars and names for people from the workspace directory: up to two initials and a hue
 * that stays the same for an id on every device and after every reload.
 */

/** Up to two letters: the first of the first and of the last word (`Anna Rossi` → `AR`). */
export function initialsOf(name: string): string {
  const words = name.trim().split(/\s+/).filter((w) => w.length > 0)
  const first = words[0]
  if (first === undefined) return '?'
  const letter = (word: string) => (Array.from(word)[0] ?? '').toLocaleUpperCase()
  const last = words.length > 1 ? words[words.length - 1] : undefined
  return letter(first) + (last === undefined ? '' : letter(last))
}

/** 0..359 from the id (32-bit FNV-1a), so a person keeps their colour everywhere. */
export function hueOf(id: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0
  return h % 360
}

export function avatarOf(id: string, name: string): { initials: string; hue: number } {
  return { initials: initialsOf(name), hue: hueOf(id) }
}

export function toPerson(id: UserId, colleague: Colleague): Person {
  return {
    id, name: colleague.name, email: colleague.email, title: colleague.title ?? '', extension: colleague.extension ?? '', external: false,
    initials: initialsOf(colleague.name), hue: hueOf(id),
  }
}

/** An external person the server listed in the directory when they were added to a conversation. */
export function guestPerson(id: UserId, guest: Guest): Person {
  return {
    id, name: guest.name, email: guest.email, title: guest.company ?? 'External', extension: '', external: true,
    initials: initialsOf(guest.name), hue: hueOf(id),
  }
}

/** Colleagues and guests by id; a colleague wins over a guest entry with the same id. */
export function directoryPeople(colleagues: ReadonlyMap<UserId, Colleague>, guests: ReadonlyMap<UserId, Guest>): Map<UserId, Person> {
  const out = new Map<UserId, Person>()
  for (const [id, g] of guests) out.set(id, guestPerson(id, g))
  for (const [id, c] of colleagues) out.set(id, toPerson(id, c))
  return out
}

/** Phonebook entries that can join a conversation (they have an email), by name. */
export function phonebookContacts(phonebook: ReadonlyMap<ContactId, Contact>): PhonebookContact[] {
  const out: PhonebookContact[] = []
  for (const [id, c] of phonebook) {
    const email = c.email?.trim().toLowerCase() ?? ''
    if (email === '') continue
    out.push({ id, name: c.name, company: c.company ?? '', email, initials: initialsOf(c.name), hue: hueOf(id) })
  }
  return out.sort((a, b) => a.name.localeCompare(b.name))
}

/** The person's name, or their id while the directory does not know them (yet). */
export function nameOf(people: ReadonlyMap<UserId, Person>, id: UserId): string {
  return people.get(id)?.name ?? id
}

/** The directory's person, or a stand-in with the id as name while the directory does not know them. */
export function toPersonOrStub(people: ReadonlyMap<UserId, Person>, id: UserId): Person {
  return people.get(id) ?? { id, name: id, email: '', title: '', extension: '', external: false, initials: initialsOf(id), hue: hueOf(id) }
}
