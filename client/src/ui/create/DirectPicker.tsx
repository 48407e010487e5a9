import { EMAIL_PATTERN, guestUserId, type ConvId } from '@waggle/schema'
import { For, Show, createMemo, createSignal, createUniqueId, type JSX } from 'solid-js'
import type { Person, PhonebookContact } from '../../bind/model.ts'
import { useApp } from '../context.ts'
import { matchesFields, matchesPerson } from '../format/people.ts'
import { PersonText, contactDetail } from './PersonText.tsx'

/**
 * A searchable list of colleagues, external people already in the workspace and phonebook
 * contacts, plus any typed email address; choosing one opens (or creates) the direct conversation.
 */
export function DirectPicker(props: { onOpened: (conv: ConvId) => void }): JSX.Element {
  const { model } = useApp()
  const id = createUniqueId()
  const [query, setQuery] = createSignal('')
  const people = createMemo(() => [...model.colleagues(), ...model.guests()].filter((p) => matchesPerson(p, query())))
  const known = createMemo(() => new Set([...model.colleagues(), ...model.guests()].map((p) => p.email.toLowerCase())))
  const contacts = createMemo(() => model.contacts().filter((c) => !known().has(c.email) && guestUserId(c.email) !== model.me.userId && matchesFields([c.name, c.company, c.email], query())))
  /** A typed address nobody in the lists has. */
  const typed = createMemo(() => {
    const q = query().trim().toLowerCase()
    return EMAIL_PATTERN.test(q) && !known().has(q) && !contacts().some((c) => c.email === q) ? q : null
  })
  let list!: HTMLUListElement

  const choose = (person: Person): void => props.onOpened(model.createDirect(person.id))
  const chooseEmail = (email: string): void => props.onOpened(model.createDirectWith(email))
  const chooseContact = (contact: PhonebookContact): void => chooseEmail(contact.email)
  const buttons = (): HTMLButtonElement[] => [...list.querySelectorAll<HTMLButtonElement>('button')]

  function onSearchKey(e: KeyboardEvent): void {
    if (e.key === 'Enter') {
      e.preventDefault()
      const first = people()[0]
      const contact = contacts()[0]
      const email = typed()
      if (first !== undefined) choose(first)
      else if (contact !== undefined) chooseContact(contact)
      else if (email !== null) chooseEmail(email)
    } else if (e.key === 'ArrowDown') {
      e.preventDefault()
      buttons()[0]?.focus()
    }
  }

  function onListKey(e: KeyboardEvent): void {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return
    e.preventDefault()
    const all = buttons()
    const at = all.indexOf(document.activeElement as HTMLButtonElement)
    const next = at + (e.key === 'ArrowDown' ? 1 : -1)
    if (next < 0) document.getElementById(`${id}-search`)?.focus()
    else all[Math.min(next, all.length - 1)]?.focus()
  }

  return (
    <div class="picker">
      <label class="field">
        <span>Search people or type an email address</span>
        <input id={`${id}-search`} type="search" autocomplete="off" autofocus value={query()} onInput={(e) => setQuery(e.currentTarget.value)} onKeyDown={onSearchKey} />
      </label>
      <ul ref={(e) => (list = e)} class="people" aria-label="People" onKeyDown={onListKey}>
        <For each={people()}>
          {(p) => (
            <li>
              <button type="button" class="person" aria-label={p.name} aria-describedby={`${id}-${p.id}`} onClick={() => choose(p)}>
                <PersonText initials={p.initials} hue={p.hue} name={p.name} detail={p.title} detailId={`${id}-${p.id}`} user={p.id} />
              </button>
            </li>
          )}
        </For>
        <Show when={contacts().length > 0}>
          <li class="people-heading" aria-hidden="true">Phonebook contacts</li>
        </Show>
        <For each={contacts()}>
          {(c) => (
            <li>
              <button type="button" class="person" aria-label={`${c.name} (external)`} aria-describedby={`${id}-${c.id}`} onClick={() => chooseContact(c)}>
                <PersonText initials={c.initials} hue={c.hue} name={c.name} detail={contactDetail(c)} detailId={`${id}-${c.id}`} />
              </button>
            </li>
          )}
        </For>
        <Show when={typed()}>
          {(email) => (
            <li>
              <button type="button" class="person" onClick={() => chooseEmail(email())}>
                <PersonText initials="@" hue={200} name={`Chat with ${email()}`} detail="Someone outside the company, who joins as an external person" />
              </button>
            </li>
          )}
        </Show>
      </ul>
      <Show when={people().length === 0 && contacts().length === 0 && typed() === null}>
        <p class="picker-empty">{model.colleagues().length === 0 ? 'The directory is not on this device yet.' : 'Nobody matches your search. Type a full email address to chat with someone outside the company.'}</p>
      </Show>
    </div>
  )
}
