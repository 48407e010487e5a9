import type { UserId } from '@waggle/schema'
import { For, Show, createMemo, createSignal, createUniqueId, type Accessor, type JSX } from 'solid-js'
import type { Person } from '../../bind/model.ts'
import { PresenceDot, PresenceText, usePresence } from '../Presence.tsx'
import { mentionCandidates, mentionQueryAt } from './mentionQuery.ts'

export interface Mentions {
  /** Call after every input and caret move. */
  track(area: HTMLTextAreaElement): void
  /** Arrow keys, Enter/Tab and Escape while suggestions show; true when the key was used. */
  onKeyDown(e: KeyboardEvent, area: HTMLTextAreaElement): boolean
  /** Members mentioned with `@Name` that is still in `text`. */
  mentionsIn(text: string): UserId[]
  /** Remembers mentions of an existing text (editing a message). */
  remember(ids: readonly UserId[]): void
  reset(): void
  /** Props for the textarea (listbox relation). */
  ariaFor(): { 'aria-controls'?: string; 'aria-activedescendant'?: string; 'aria-autocomplete': 'list' }
  view: () => JSX.Element
}

/**
 * `@` autocomplete of the conversation's members (WAI-ARIA listbox pattern, focus stays in the
 * textarea): arrows move, Enter or Tab inserts `@Name `, Escape closes.
 */
export function createMentions(members: Accessor<Person[]>, setText: (value: string, caret: number) => void): Mentions {
  const id = createUniqueId()
  const [query, setQuery] = createSignal<{ start: number; query: string } | null>(null)
  const [active, setActive] = createSignal(0)
  const picked = new Map<UserId, string>()
  const options = createMemo(() => {
    const q = query()
    return q === null ? [] : mentionCandidates(members(), q.query)
  })
  const open = () => options().length > 0
  const optionId = (i: number) => `${id}-opt-${i}`

  function choose(person: Person, area: HTMLTextAreaElement): void {
    const q = query()
    if (q === null) return
    const caret = area.selectionStart
    const insert = `@${person.name} `
    picked.set(person.id, person.name)
    setText(area.value.slice(0, q.start) + insert + area.value.slice(caret), q.start + insert.length)
    setQuery(null)
  }

  return {
    track(area) {
      const q = mentionQueryAt(area.value, area.selectionStart)
      if (q?.start !== query()?.start) setActive(0)
      setQuery(q)
    },
    onKeyDown(e, area) {
      if (!open()) return false
      const count = options().length
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        setActive((i) => (i + (e.key === 'ArrowDown' ? 1 : count - 1)) % count)
      } else if ((e.key === 'Enter' || e.key === 'Tab') && !e.shiftKey && !e.isComposing) {
        const person = options()[active()]
        if (person !== undefined) choose(person, area)
      } else if (e.key === 'Escape') {
        setQuery(null)
      } else {
        return false
      }
      e.preventDefault()
      e.stopPropagation()
      return true
    },
    mentionsIn(text) {
      return [...picked].filter(([, name]) => text.includes(`@${name}`)).map(([user]) => user)
    },
    remember(ids) {
      for (const user of ids) {
        const person = members().find((p) => p.id === user)
        if (person !== undefined) picked.set(user, person.name)
      }
    },
    reset() {
      picked.clear()
      setQuery(null)
    },
    ariaFor() {
      return open()
        ? { 'aria-controls': `${id}-list`, 'aria-activedescendant': optionId(active()), 'aria-autocomplete': 'list' }
        : { 'aria-autocomplete': 'list' }
    },
    view: () => (
      <Show when={open()}>
        <ul id={`${id}-list`} role="listbox" aria-label="Mention suggestions" class="mention-picker">
          <For each={options()}>
            {(person, i) => (
              <MentionOption id={optionId(i())} person={person} selected={i() === active()} onChoose={() => {
                const area = document.activeElement
                if (area instanceof HTMLTextAreaElement) choose(person, area)
              }} />
            )}
          </For>
        </ul>
      </Show>
    ),
  }
}

/** One suggestion: the person's name (the option's name) with their presence dot and, as its description, their presence. */
function MentionOption(props: { id: string; person: Person; selected: boolean; onChoose: () => void }): JSX.Element {
  const presence = usePresence(() => props.person.id)
  return (
    <li id={props.id} role="option" aria-selected={props.selected} class="mention-option" aria-label={props.person.name}
      aria-describedby={presence() === null ? undefined : `${props.id}-presence`}
      onPointerDown={(e) => e.preventDefault()} onClick={() => props.onChoose()}>
      <PresenceDot presence={presence()} />
      {props.person.name}
      <PresenceText presence={presence()} id={`${props.id}-presence`} describes />
    </li>
  )
}
