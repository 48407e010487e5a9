import type { ConvId } from '@waggle/schema'
import { For, Show, createMemo, createSignal, createUniqueId, type JSX } from 'solid-js'
import type { Person } from '../../bind/model.ts'
import { Avatar } from '../Avatar.tsx'
import { useApp } from '../context.ts'
import { matchesPerson } from '../format/people.ts'

/** A searchable list of colleagues; choosing one opens (or creates) the direct conversation. */
export function DirectPicker(props: { onOpened: (conv: ConvId) => void }): JSX.Element {
  const { model } = useApp()
  const id = createUniqueId()
  const [query, setQuery] = createSignal('')
  const people = createMemo(() => model.colleagues().filter((p) => matchesPerson(p, query())))
  let list!: HTMLUListElement

  const choose = (person: Person): void => props.onOpened(model.createDirect(person.id))
  const buttons = (): HTMLButtonElement[] => [...list.querySelectorAll<HTMLButtonElement>('button')]

  function onSearchKey(e: KeyboardEvent): void {
    const first = people()[0]
    if (e.key === 'Enter' && first !== undefined) {
      e.preventDefault()
      choose(first)
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
        <span>Search colleagues</span>
        <input id={`${id}-search`} type="search" autocomplete="off" autofocus value={query()} onInput={(e) => setQuery(e.currentTarget.value)} onKeyDown={onSearchKey} />
      </label>
      <ul ref={(e) => (list = e)} class="people" aria-label="Colleagues" onKeyDown={onListKey}>
        <For each={people()}>
          {(p) => (
            <li>
              <button type="button" class="person" aria-label={p.name} aria-describedby={`${id}-${p.id}`} onClick={() => choose(p)}>
                <Avatar initials={p.initials} hue={p.hue} />
                <span class="person-text">
                  <span class="person-name">{p.name}</span>
                  <span class="person-title" id={`${id}-${p.id}`}>{p.title}</span>
                </span>
              </button>
            </li>
          )}
        </For>
      </ul>
      <Show when={people().length === 0}>
        <p class="picker-empty">{model.colleagues().length === 0 ? 'The directory is not on this device yet.' : 'Nobody matches your search.'}</p>
      </Show>
    </div>
  )
}
