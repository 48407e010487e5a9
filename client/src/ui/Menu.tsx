import { For, Show, createSignal, createUniqueId, onCleanup, type JSX } from 'solid-js'
import { Portal } from 'solid-js/web'
import './menu.css'

export interface MenuEntry {
  label: string
  onSelect: () => void
  danger?: boolean
  /** A choice among entries (role menuitemradio): whether it is the chosen one. */
  checked?: boolean
  class?: string
}

interface MenuButtonProps {
  /** The button's accessible name, e.g. "More actions for Ana Ruiz". */
  label: string
  items: MenuEntry[]
  children: JSX.Element
  class?: string
  tabIndex?: number
  /**
   * Render the menu at the end of the body: needed inside a transformed ancestor (the
   * virtualised message list), which would otherwise be the fixed menu's containing block.
   */
  portal?: boolean
  /** The id of an element describing the button (e.g. the account's presence). */
  describedBy?: string
}

/**
 * A menu button (WAI-ARIA APG "menu button"): Enter, Space or the arrow keys open it, arrows
 * move, Escape closes and returns focus, Tab or a click elsewhere closes. The menu is fixed-
 * positioned so scrolling containers do not clip it.
 */
export function MenuButton(props: MenuButtonProps): JSX.Element {
  const [position, setPosition] = createSignal<{ top: number; right: number } | null>(null)
  const id = createUniqueId()
  let button!: HTMLButtonElement
  let menu: HTMLUListElement | undefined

  const entries = (): HTMLElement[] => (menu ? [...menu.querySelectorAll<HTMLElement>('[role="menuitem"], [role="menuitemradio"]')] : [])
  const focusEntry = (index: number): void => {
    const all = entries()
    all[(index + all.length) % all.length]?.focus()
  }

  function open(focus: 'first' | 'last'): void {
    const r = button.getBoundingClientRect()
    const below = r.bottom + 4
    const estimated = 8 + props.items.length * 40
    setPosition({ top: below + estimated > window.innerHeight ? Math.max(4, r.top - 4 - estimated) : below, right: window.innerWidth - r.right })
    document.addEventListener('pointerdown', onOutside, true)
    window.addEventListener('resize', close)
    window.addEventListener('scroll', onScroll, true)
    queueMicrotask(() => focusEntry(focus === 'first' ? 0 : -1))
  }

  function close(): void {
    setPosition(null)
    document.removeEventListener('pointerdown', onOutside, true)
    window.removeEventListener('resize', close)
    window.removeEventListener('scroll', onScroll, true)
  }
  // A scrolling container would leave the fixed menu behind; scrolling the menu itself is fine.
  const onScroll = (e: Event): void => {
    if (!(e.target instanceof Node) || !menu?.contains(e.target)) close()
  }
  const onOutside = (e: PointerEvent): void => {
    if (!(e.target instanceof Node) || (!menu?.contains(e.target) && !button.contains(e.target))) close()
  }
  onCleanup(close)

  function onButtonKey(e: KeyboardEvent): void {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault()
      open(e.key === 'ArrowDown' ? 'first' : 'last')
    }
  }

  function onMenuKey(e: KeyboardEvent): void {
    const all = entries()
    const current = all.indexOf(document.activeElement as HTMLElement)
    const moves: Record<string, number> = { ArrowDown: current + 1, ArrowUp: current - 1, Home: 0, End: -1 }
    const target = moves[e.key]
    if (target !== undefined) {
      e.preventDefault()
      focusEntry(target)
    } else if (e.key === 'Escape') {
      e.preventDefault()
      e.stopPropagation()
      close()
      button.focus()
    } else if (e.key === 'Tab') {
      close()
    }
  }

  function select(entry: MenuEntry): void {
    close()
    button.focus()
    entry.onSelect()
    // The action may move this button in the DOM (a pinned row goes to the top), which blurs it.
    requestAnimationFrame(() => {
      if (button.isConnected && (document.activeElement === null || document.activeElement === document.body)) button.focus()
    })
  }

  const wrap = (menuElement: JSX.Element): JSX.Element => (props.portal === true ? <Portal>{menuElement}</Portal> : menuElement)

  return (
    <>
      <button
        ref={(e) => (button = e)} type="button" id={`${id}-button`} class={props.class ?? 'icon-button'}
        aria-label={props.label} aria-describedby={props.describedBy} aria-haspopup="menu" aria-expanded={position() !== null}
        aria-controls={position() !== null ? `${id}-menu` : undefined} tabIndex={props.tabIndex ?? 0}
        onClick={() => (position() === null ? open('first') : close())} onKeyDown={onButtonKey}
      >
        {props.children}
      </button>
      <Show when={position()}>
        {(p) => wrap(
          <ul ref={(e) => (menu = e)} id={`${id}-menu`} role="menu" aria-labelledby={`${id}-button`} class="menu"
            style={{ top: `${p().top}px`, right: `${p().right}px` }} onKeyDown={onMenuKey}>
            <For each={props.items}>
              {(entry) => (
                <li role="none">
                  <button
                    type="button" role={entry.checked === undefined ? 'menuitem' : 'menuitemradio'} aria-checked={entry.checked}
                    tabIndex={-1} class={[entry.class, entry.danger === true ? 'danger' : ''].filter((c) => c !== undefined && c !== '').join(' ') || undefined} onClick={() => select(entry)}
                  >
                    {entry.label}
                  </button>
                </li>
              )}
            </For>
          </ul>,
        )}
      </Show>
    </>
  )
}
