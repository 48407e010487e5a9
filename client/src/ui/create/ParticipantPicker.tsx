import { EMAIL_PATTERN, guestUserId, type ContactId, type UserId } from '@waggle/schema'
import { For, Show, createMemo, createSignal, createUniqueId, type Accessor, type JSX } from 'solid-js'
import type { PhonebookContact } from '../../bind/model.ts'
import { useApp } from '../context.ts'
import { matchesFields, matchesPerson } from '../format/people.ts'
import { PersonText, contactDetail } from './PersonText.tsx'

/** Who is chosen: colleagues (and known guests) by id, phonebook contacts and typed addresses by email. */
export interface Participants {
  members: UserId[]
  emails: string[]
}

export interface ParticipantState {
  count: Accessor<number>
  /** The choice, or the message for a typed address that is not one. */
  result(): Participants | { error: string }
  people: Accessor<ReadonlySet<UserId>>
  togglePerson(id: UserId, on: boolean): void
  contacts: Accessor<ReadonlySet<ContactId>>
  toggleContact(id: ContactId, on: boolean): void
  emails: Accessor<string>
  setEmails(text: string): void
}

/** Addresses typed into the field: split on spaces, commas and semicolons, lowercased, once each. */
export function parseEmails(text: string): string[] {
  return [...new Set(text.split(/[\s,;]+/).map((s) => s.trim().toLowerCase()).filter((s) => s !== ''))]
}

/** The picker's state, owned by the form that submits it. */
export function createParticipants(contactList: Accessor<PhonebookContact[]>): ParticipantState {
  const [people, setPeople] = createSignal<ReadonlySet<UserId>>(new Set())
  const [contacts, setContacts] = createSignal<ReadonlySet<ContactId>>(new Set())
  const [emails, setEmails] = createSignal('')
  const toggle = <T,>(set: (f: (s: ReadonlySet<T>) => ReadonlySet<T>) => void, id: T, on: boolean) => set((s) => {
    const next = new Set(s)
    if (on) next.add(id)
    else next.delete(id)
    return next
  })
  return {
    count: () => people().size + contacts().size + parseEmails(emails()).length,
    result() {
      const typed = parseEmails(emails())
      const bad = typed.find((e) => !EMAIL_PATTERN.test(e))
      if (bad !== undefined) return { error: `“${bad}” is not an email address.` }
      const fromContacts = contactList().filter((c) => contacts().has(c.id)).map((c) => c.email)
      return { members: [...people()], emails: [...new Set([...fromContacts, ...typed])] }
    },
    people,
    togglePerson: (id, on) => toggle(setPeople, id, on),
    contacts,
    toggleContact: (id, on) => toggle(setContacts, id, on),
    emails,
    setEmails,
  }
}

/**
 * Participants for a new group or for "Add members": a filter, colleagues, phonebook contacts
 * (who join as external members) and a field for any other email address. Everyone added needs
 * an email address; contacts without one are not offered.
 */
export function ParticipantPicker(props: { state: ParticipantState; exclude?: ReadonlySet<UserId>; error?: string | undefined; autofocus?: boolean }): JSX.Element {
  const { model } = useApp()
  const id = createUniqueId()
  const [filter, setFilter] = createSignal('')
  const excluded = (user: UserId) => props.exclude?.has(user) === true || user === model.me.userId
  const colleagueEmails = createMemo(() => new Set(model.colleagues().map((p) => p.email.toLowerCase())))
  const people = createMemo(() => model.colleagues().filter((p) => !excluded(p.id) && matchesPerson(p, filter())))
  const contacts = createMemo(() => model.contacts().filter((c) =>
    !colleagueEmails().has(c.email) && !excluded(guestUserId(c.email)) && matchesFields([c.name, c.company, c.email], filter())))
  const s = props.state
  return (
    <fieldset class="participants" aria-describedby={props.error !== undefined ? `${id}-error` : undefined}>
      <legend>Participants <span class="count">{s.count() > 0 ? `(${s.count()} selected)` : ''}</span></legend>
      <label class="field">
        <span class="sr-only">Filter people</span>
        <input type="search" placeholder="Filter people" autocomplete="off" autofocus={props.autofocus} value={filter()} onInput={(e) => setFilter(e.currentTarget.value)} />
      </label>
      <Show when={props.error}>{(m) => <p class="field-error" id={`${id}-error`}>{m()}</p>}</Show>
      <ul class="people people-check" aria-label="People">
        <For each={people()}>
          {(p) => (
            <li>
              <label class="person">
                <input type="checkbox" aria-label={p.name} aria-describedby={`${id}-${p.id}`} checked={s.people().has(p.id)} onChange={(e) => s.togglePerson(p.id, e.currentTarget.checked)} />
                <PersonText initials={p.initials} hue={p.hue} name={p.name} detail={p.title} detailId={`${id}-${p.id}`} user={p.id} size="sm" />
              </label>
            </li>
          )}
        </For>
        <Show when={contacts().length > 0}>
          <li class="people-heading" aria-hidden="true">Phonebook contacts</li>
        </Show>
        <For each={contacts()}>
          {(c) => (
            <li>
              <label class="person">
                <input type="checkbox" aria-label={`${c.name} (external)`} aria-describedby={`${id}-${c.id}`} checked={s.contacts().has(c.id)} onChange={(e) => s.toggleContact(c.id, e.currentTarget.checked)} />
                <PersonText initials={c.initials} hue={c.hue} name={c.name} detail={contactDetail(c)} detailId={`${id}-${c.id}`} size="sm" />
              </label>
            </li>
          )}
        </For>
        <Show when={people().length === 0 && contacts().length === 0}>
          <li class="picker-empty">Nobody matches the filter.</li>
        </Show>
      </ul>
      <label class="field">
        <span>Email addresses</span>
        <input type="text" inputMode="email" autocomplete="off" placeholder="name@example.com, …" value={s.emails()} aria-describedby={`${id}-emails-hint`}
          onInput={(e) => s.setEmails(e.currentTarget.value)} />
      </label>
      <p class="field-hint" id={`${id}-emails-hint`}>People without an account here join as external members.</p>
    </fieldset>
  )
}
