import { useMatch } from '@solidjs/router'
import { For, Show, createEffect, createMemo, createSignal, on, type JSX } from 'solid-js'
import type { InboxItem } from '../../bind/model.ts'
import { InboxRow } from './InboxRow.tsx'

/**
 * The conversation list with roving focus: one row is in the Tab order (the active or last
 * focused one); Up/Down/Home/End move between conversations.
 */
export function ConversationList(props: { items: InboxItem[] }): JSX.Element {
  const match = useMatch(() => '/c/:conv')
  const active = () => match()?.params['conv']
  const [focused, setFocused] = createSignal<string | null>(null)
  // Rows are keyed by conversation id: the model makes new item objects on every change, and
  // re-creating the rows would drop the keyboard focus whenever a message arrives.
  // An item equal to the one before keeps that object, so its row does not render again: the
  // model makes new objects for every conversation on any change (a send re-rendered all 200
  // rows of the client benchmark's inbox several times).
  const byId = createMemo<Map<string, InboxItem>>((before) => new Map(props.items.map((i) => {
    const old = before.get(i.conv)
    return [i.conv, old !== undefined && sameItem(old, i) ? old : i]
  })), new Map())
  const ids = createMemo(() => props.items.map((i) => i.conv as string), [], { equals: sameList })
  let list!: HTMLUListElement

  // The row in the Tab order: the last focused one if still listed, else the open one, else the first.
  const tabStop = (): string | undefined => {
    const ids = props.items.map((i) => i.conv as string)
    const f = focused()
    if (f !== null && ids.includes(f)) return f
    const a = active()
    return a !== undefined && ids.includes(a) ? a : ids[0]
  }

  // Back from a conversation on a narrow screen: its view (and the focus) went away; return to its row.
  createEffect(on(active, (now, before) => {
    if (now !== undefined || before === undefined) return
    requestAnimationFrame(() => {
      if (document.activeElement !== null && document.activeElement !== document.body) return
      list.querySelector<HTMLElement>(`a.conv-link[href="/c/${CSS.escape(before)}"]`)?.focus()
    })
  }, { defer: true }))

  function onKeyDown(e: KeyboardEvent): void {
    if (!['ArrowDown', 'ArrowUp', 'Home', 'End'].includes(e.key)) return
    if (!(e.target instanceof HTMLElement) || !e.target.classList.contains('conv-link')) return
    const links = [...list.querySelectorAll<HTMLAnchorElement>('a.conv-link')]
    const at = links.indexOf(e.target as HTMLAnchorElement)
    const next = e.key === 'Home' ? 0 : e.key === 'End' ? links.length - 1 : at + (e.key === 'ArrowDown' ? 1 : -1)
    const link = links[Math.max(0, Math.min(links.length - 1, next))]
    if (link === undefined) return
    e.preventDefault()
    link.focus()
  }

  return (
    <ul ref={(e) => (list = e)} class="conv-list" aria-label="Conversations" onKeyDown={onKeyDown}>
      <For each={ids()}>
        {(conv) => {
          // Its own memo: the row hears of its item only when that object changed.
          const current = createMemo(() => byId().get(conv))
          return (
            <Show when={current()}>
              {(item) => (
                <InboxRow item={item()} active={active() === conv} inTabOrder={tabStop() === conv} onFocus={() => setFocused(conv)} />
              )}
            </Show>
          )
        }}
      </For>
    </ul>
  )
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

/** Field by field, nested objects (`last`, `avatar`) one level deep. */
function sameItem(a: InboxItem, b: InboxItem): boolean {
  const keys = Object.keys(a) as (keyof InboxItem)[]
  if (keys.length !== Object.keys(b).length) return false
  return keys.every((k) => {
    const x: unknown = a[k]
    const y: unknown = b[k]
    if (x === y) return true
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false
    const xs = Object.entries(x)
    return xs.length === Object.keys(y).length && xs.every(([key, v]) => (y as Record<string, unknown>)[key] === v)
  })
}
