import { useNavigate } from '@solidjs/router'
import { Show, createEffect, createSignal, createUniqueId, lazy, on, onCleanup, type JSX } from 'solid-js'
import type { RecentItem } from '../../bind/model.ts'
import { useApp } from '../context.ts'
import { ALL_TAB_LIMIT, MESSAGE_PAGE, type SearchTab } from '../format/search.ts'
import type { ContactCard } from './ContactDialogs.tsx'
import './search.css'

// Loaded on first use: the panel and its dialogs are not needed to show the inbox.
const SearchPanel = lazy(async () => ({ default: (await import('./SearchPanel.tsx')).SearchPanel }))
const ContactCardDialog = lazy(async () => ({ default: (await import('./ContactDialogs.tsx')).ContactCardDialog }))
const CreateContactDialog = lazy(async () => ({ default: (await import('./ContactDialogs.tsx')).CreateContactDialog }))

/**
 * The search field at the top of the inbox and, while it is focused or holds text, the search
 * panel in place of the conversation list (`onActive` tells the inbox).
 */
export function InboxSearch(props: { onActive: (active: boolean) => void }): JSX.Element {
  const { model } = useApp()
  const navigate = useNavigate()
  const id = createUniqueId()
  const search = model.search
  // Lives as long as the inbox: the query's results update as documents and the index change.
  const session = search.session()
  const [query, setQuery] = createSignal('')
  const [tab, setTab] = createSignal<SearchTab>('all')
  const [pages, setPages] = createSignal(1)
  const [focused, setFocused] = createSignal(false)
  const [card, setCard] = createSignal<ContactCard | null>(null)
  const [newContact, setNewContact] = createSignal<string | null>(null)
  const active = () => focused() || query() !== '' || newContact() !== null
  let box!: HTMLDivElement
  let field!: HTMLInputElement
  /** Where the focus was before a shortcut moved it to the field (Escape returns there). */
  let returnTo: HTMLElement | null = null

  createEffect(() => props.onActive(active()))
  onCleanup(() => props.onActive(false))

  // 3 messages on All (enough to know whether there are more), pages of 30 on Messages.
  createEffect(() => session.setMessageLimit(tab() === 'messages' ? MESSAGE_PAGE * pages() : ALL_TAB_LIMIT))
  createEffect(on([query, tab], () => setPages(1), { defer: true }))

  function type(text: string): void {
    setQuery(text)
    session.setQuery(text)
  }

  /** Clears the query and takes the focus out of the search (back where a shortcut found it). */
  function leave(restoreFocus: boolean): void {
    type('')
    setTab('all')
    const back = returnTo
    returnTo = null
    if (restoreFocus && back !== null && back.isConnected && !box.contains(back)) back.focus()
    else if (document.activeElement instanceof HTMLElement && box.contains(document.activeElement)) document.activeElement.blur()
    setFocused(false)
  }

  function open(item: RecentItem, contactCard?: ContactCard): void {
    search.remember({ ...item, at: Date.now() })
    switch (item.category) {
      case 'conversations':
        navigate(`/c/${item.conv}`)
        break
      case 'messages':
        navigate(`/c/${item.conv}?m=${encodeURIComponent(item.id)}`)
        break
      case 'colleagues':
        navigate(`/c/${model.createDirect(item.user)}`)
        break
      case 'contacts':
        if (item.email !== '') navigate(`/c/${model.createDirectWith(item.email)}`)
        else setCard(contactCard ?? { name: item.name, company: '', phones: item.phone === '' ? [] : [item.phone] })
        break
    }
    leave(false)
  }

  // Ctrl+K (⌘K) anywhere, and "/" when not typing elsewhere, focus the field.
  function onDocumentKey(e: KeyboardEvent): void {
    if (e.defaultPrevented || e.altKey) return
    const shortcut = (e.key === 'k' || e.key === 'K') && (e.ctrlKey || e.metaKey) && !e.shiftKey
    const slash = e.key === '/' && !e.ctrlKey && !e.metaKey && !typingIn(e.target)
    if (!shortcut && !slash) return
    if (document.querySelector('dialog[open]') !== null) return
    e.preventDefault()
    if (document.activeElement === field) return
    returnTo = document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : null
    // On a phone the inbox is hidden while a conversation is open: go back to it first.
    if (field.offsetParent === null) {
      navigate('/')
      requestAnimationFrame(() => field.focus())
    } else field.focus()
  }
  document.addEventListener('keydown', onDocumentKey)
  onCleanup(() => document.removeEventListener('keydown', onDocumentKey))

  const items = (): HTMLElement[] => [...box.querySelectorAll<HTMLElement>('.search-panel .search-item')]

  function onFieldKey(e: KeyboardEvent): void {
    if (e.key === 'ArrowDown') {
      const first = items()[0]
      if (first === undefined) return
      e.preventDefault()
      first.focus()
    } else if (e.key === 'Enter') {
      e.preventDefault()
      items()[0]?.click()
    }
  }

  function onKey(e: KeyboardEvent): void {
    if (e.target instanceof Element && e.target.closest('dialog') !== null) return
    if (e.key === 'Escape') {
      e.preventDefault()
      leave(true)
      return
    }
    if ((e.key !== 'ArrowDown' && e.key !== 'ArrowUp') || e.target === field) return
    const all = items()
    const at = all.indexOf(e.target as HTMLElement)
    if (at < 0) return
    e.preventDefault()
    const next = at + (e.key === 'ArrowDown' ? 1 : -1)
    if (next < 0) field.focus()
    else all[Math.min(next, all.length - 1)]?.focus()
  }

  return (
    <>
      <div
        ref={(e) => (box = e)} class="search" classList={{ 'search-active': active() }} role="search"
        onFocusIn={() => setFocused(true)}
        onFocusOut={(e) => {
          const to = e.relatedTarget
          if (to instanceof Node && box.contains(to)) return
          const from = e.target
          requestAnimationFrame(() => {
            // Left on purpose (a result opened, Escape): nothing to do.
            if (!focused()) return
            // The focused control went away (Clear, Show more): keep the search open, focus in the field.
            if (to === null && from instanceof Element && !from.isConnected && (document.activeElement === null || document.activeElement === document.body)) {
              field.focus()
              return
            }
            if (!box.contains(document.activeElement)) setFocused(false)
          })
        }}
        onKeyDown={onKey}
      >
        <div class="search-field">
          <svg class="search-icon" width="16" height="16" viewBox="0 0 16 16" aria-hidden="true">
            <circle cx="7" cy="7" r="4.75" fill="none" stroke="currentColor" stroke-width="1.6" />
            <path d="m10.5 10.5 3.5 3.5" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" />
          </svg>
          <input
            ref={(e) => (field = e)} type="search" aria-label="Search" placeholder="Search" autocomplete="off" spellcheck={false}
            enterkeyhint="search" aria-keyshortcuts="Control+K /" aria-controls={`${id}-panel`}
            value={query()} onInput={(e) => type(e.currentTarget.value)} onKeyDown={onFieldKey}
          />
          <kbd class="search-kbd" aria-hidden="true">Ctrl K</kbd>
        </div>
        <Show when={active()}>
          <SearchPanel
            id={id} search={search} query={query()} results={session.results()} tab={tab()} onTab={setTab}
            onMoreMessages={() => setPages((n) => n + 1)} onOpen={open} onCreateContact={setNewContact}
          />
        </Show>
        <Show when={newContact()}>
          {(phone) => (
            <CreateContactDialog search={search} phone={phone()} onClose={() => {
              setNewContact(null)
              // The contact shows in the results once the directory syncs: keep the query.
              requestAnimationFrame(() => field.focus())
            }} />
          )}
        </Show>
      </div>
      <Show when={card()}>
        {(c) => <ContactCardDialog contact={c()} onClose={() => setCard(null)} />}
      </Show>
    </>
  )
}

function typingIn(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  if (target.isContentEditable) return true
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true
  return target instanceof HTMLInputElement && !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file'].includes(target.type)
}
