import { For, Show, createEffect, createMemo, createSignal, onCleanup, type Accessor, type JSX } from 'solid-js'
import type { MessageHit, RecentItem, SearchCategory, SearchModel, SearchResults } from '../../bind/model.ts'
import {
  ALL_TAB_LIMIT, SEARCH_TABS, categoryLabel, indexingText, recentForTab, relayStateText, resultCountText, tabAfterKey, type SearchTab,
} from '../format/search.ts'
import type { ContactCard } from './ContactDialogs.tsx'
import { ColleagueResult, ContactResult, ConversationResult, MessageResult, RecentResult } from './ResultRows.tsx'

/** What opening a result does: remember it, then open it (a contact without email: its card). */
export type OpenItem = (item: RecentItem, card?: ContactCard) => void

interface SearchPanelProps {
  id: string
  search: SearchModel
  query: string
  results: SearchResults | null
  tab: SearchTab
  onTab: (tab: SearchTab) => void
  /** Adds a page of messages on the Messages tab. */
  onMoreMessages: () => void
  onOpen: OpenItem
  onCreateContact: (phone: string) => void
}

/** Tabs, then the results for the query, or the recent items while the query is empty. */
export function SearchPanel(props: SearchPanelProps): JSX.Element {
  const tabId = (tab: SearchTab) => `${props.id}-tab-${tab}`
  let tablist!: HTMLDivElement

  function onTabKey(e: KeyboardEvent): void {
    const next = tabAfterKey(props.tab, e.key)
    if (next === null) return
    e.preventDefault()
    showTab(next)
  }
  /** Selects a tab and moves the focus to it (arrow keys, and "Show more" on All, which goes away). */
  function showTab(tab: SearchTab): void {
    props.onTab(tab)
    tablist.querySelector<HTMLElement>(`#${CSS.escape(tabId(tab))}`)?.focus()
  }

  const index = () => props.search.indexStatus()

  return (
    <div class="search-panel" id={`${props.id}-panel`} tabIndex={-1} role="region" aria-label="Search results">
      <div ref={(e) => (tablist = e)} role="tablist" aria-label="Search in" class="search-tabs" onKeyDown={onTabKey}>
        <For each={SEARCH_TABS}>
          {(t) => (
            <button
              type="button" role="tab" id={tabId(t.tab)} aria-controls={`${props.id}-tabpanel`}
              aria-selected={props.tab === t.tab} tabIndex={props.tab === t.tab ? 0 : -1} onClick={() => props.onTab(t.tab)}
            >
              {t.label}
            </button>
          )}
        </For>
      </div>
      <p class="search-index" aria-live="polite">
        {index().state === 'building' ? indexingText(index().done, index().total) : ''}
      </p>
      <div role="tabpanel" id={`${props.id}-tabpanel`} aria-labelledby={tabId(props.tab)} class="search-body">
        <Show when={props.query.trim() !== ''} fallback={<Recent search={props.search} tab={props.tab} onOpen={props.onOpen} />}>
          <Results {...props} onTab={showTab} />
        </Show>
      </div>
    </div>
  )
}

/** The last opened items: 3 per category on All (with headings), up to 10 on a category's tab. */
function Recent(props: { search: SearchModel; tab: SearchTab; onOpen: OpenItem }): JSX.Element {
  const groups = createMemo(() => recentForTab(props.search.recent(), props.tab))
  return (
    <Show when={groups().length > 0} fallback={<p class="search-empty">{props.tab === 'all' ? 'Type to search conversations, messages, colleagues and contacts.' : `Type to search ${categoryLabel[props.tab].toLowerCase()}.`}</p>}>
      <div class="search-recent">
        <div class="search-recent-head">
          <h2 class="search-heading">Recent</h2>
          <button type="button" class="link-button search-clear" onClick={() => props.search.clearRecent(props.tab === 'all' ? undefined : props.tab)}>Clear</button>
        </div>
        <Keyed each={groups()} key={(g) => g.category}>
          {(group) => (
            <section class="search-section" aria-label={`Recent ${categoryLabel[group().category].toLowerCase()}`}>
              <Show when={props.tab === 'all'}>
                <h3 class="search-subheading">{categoryLabel[group().category]}</h3>
              </Show>
              <ul class="search-list">
                <Keyed each={group().items} key={recentKey}>
                  {(item) => <li><RecentResult item={item()} onOpen={() => props.onOpen(item())} /></li>}
                </Keyed>
              </ul>
            </section>
          )}
        </Keyed>
      </div>
    </Show>
  )
}

function Results(props: SearchPanelProps): JSX.Element {
  const r = () => props.results
  const all = () => props.tab === 'all'
  const shows = (category: SearchCategory): boolean => all() || props.tab === category
  /** Items of a section on this tab: 3 on All, all of them on the category's tab. */
  const cut = <T,>(items: readonly T[]): readonly T[] => (all() ? items.slice(0, ALL_TAB_LIMIT) : items)

  const count = createMemo((): string => {
    const res = r()
    if (res === null) return ''
    const sizes: Record<SearchCategory, number> = {
      conversations: res.conversations.length,
      messages: res.messageTotal,
      colleagues: res.colleagues.length,
      contacts: res.contacts.length,
    }
    if (all()) {
      const total = sizes.conversations + sizes.messages + sizes.colleagues + sizes.contacts
      return resultCountText(total, !res.messageTotalExact)
    }
    const tab = props.tab as SearchCategory
    return resultCountText(sizes[tab], tab === 'messages' && !res.messageTotalExact)
  })
  // Screen readers hear the count once typing pauses, not on every key.
  const [announced, setAnnounced] = createSignal('')
  createEffect(() => {
    const text = count()
    const timer = setTimeout(() => setAnnounced(text), 400)
    onCleanup(() => clearTimeout(timer))
  })

  const nothing = () => {
    const res = r()
    return res !== null && res.conversations.length + res.messages.length + res.colleagues.length + res.contacts.length === 0
  }
  const emptyHere = () => {
    const res = r()
    if (res === null) return false
    return all() ? nothing() : res[props.tab as SearchCategory].length === 0
  }
  /** A phone number nobody has: offer to create a contact (on All, Colleagues and Contacts). */
  const newNumber = () => {
    const res = r()
    if (res === null || res.phoneNumber === null || res.colleagues.length > 0 || res.contacts.length > 0) return null
    return props.tab === 'all' || props.tab === 'contacts' || props.tab === 'colleagues' ? res.phoneNumber : null
  }
  const relayText = () => {
    const res = r()
    return res === null || !(shows('messages')) ? null : relayStateText(res.relay)
  }

  return (
    <Show when={r()} fallback={<p class="search-empty" role="status">Searching…</p>}>
      {(res) => (
        <>
          <div class="search-status">
            <Show when={!nothing()}><p class="search-count" aria-hidden="true">{count()}</p></Show>
            <p class="sr-only" aria-live="polite">{announced()}</p>
            <Show when={relayText()}>
              {(text) => <p class="search-relay" classList={{ 'search-relay-error': res().relay.state === 'error' }} role="status">{text()}</p>}
            </Show>
          </div>
          <Show when={emptyHere()}>
            <p class="search-empty">No results for “{props.query.trim()}”</p>
          </Show>
          <Show when={newNumber()}>
            {(phone) => (
              <div class="search-new-number">
                <p>No contact has this number</p>
                <button type="button" class="button button-small search-item" onClick={() => props.onCreateContact(phone())}>Create contact</button>
              </div>
            )}
          </Show>

          <Section show={shows('conversations') && res().conversations.length > 0} title="Conversations" all={all()}
            more={all() && res().conversations.length > ALL_TAB_LIMIT} onMore={() => props.onTab('conversations')}>
            <Keyed each={cut(res().conversations)} key={(h) => h.conv}>
              {(hit) => <li><ConversationResult hit={hit()} onOpen={() => props.onOpen({ category: 'conversations', conv: hit().conv, title: hit().title, at: Date.now() })} /></li>}
            </Keyed>
          </Section>

          <Section show={shows('messages') && res().messages.length > 0} title="Messages" all={all()}
            more={all() ? res().hasMoreMessages || res().messages.length > ALL_TAB_LIMIT : res().hasMoreMessages}
            onMore={() => (all() ? props.onTab('messages') : props.onMoreMessages())}>
            <MessageHits hits={cut(res().messages)} onOpen={props.onOpen} />
          </Section>

          <Section show={shows('colleagues') && res().colleagues.length > 0} title="Colleagues" all={all()}
            more={all() && res().colleagues.length > ALL_TAB_LIMIT} onMore={() => props.onTab('colleagues')}>
            <Keyed each={cut(res().colleagues)} key={(h) => h.person.id}>
              {(hit) => <li><ColleagueResult hit={hit()} onOpen={() => props.onOpen({ category: 'colleagues', user: hit().person.id, name: hit().person.name, at: Date.now() })} /></li>}
            </Keyed>
          </Section>

          <Section show={shows('contacts') && res().contacts.length > 0} title="Contacts" all={all()}
            more={all() && res().contacts.length > ALL_TAB_LIMIT} onMore={() => props.onTab('contacts')}>
            <Keyed each={cut(res().contacts)} key={(h) => h.id}>
              {(hit) => (
                <li>
                  <ContactResult hit={hit()} onOpen={() => {
                    const h = hit()
                    props.onOpen(
                      { category: 'contacts', id: h.id, name: h.name, phone: h.phones[0] ?? '', email: h.email, at: Date.now() },
                      { name: h.name, company: h.company, phones: h.phones },
                    )
                  }} />
                </li>
              )}
            </Keyed>
          </Section>
        </>
      )}
    </Show>
  )
}

/** A section of results: its heading (on All), the rows, and "Show more". */
function Section(props: { show: boolean; title: string; all: boolean; more: boolean; onMore: () => void; children: JSX.Element }): JSX.Element {
  return (
    <Show when={props.show}>
      <section class="search-section" aria-label={props.title}>
        <Show when={props.all}><h2 class="search-heading">{props.title}</h2></Show>
        <ul class="search-list">{props.children}</ul>
        <Show when={props.more}>
          <button type="button" class="button button-small button-ghost search-item search-more" onClick={() => props.onMore()}>Show more</button>
        </Show>
      </section>
    </Show>
  )
}

/** Messages found on this device first, then those only the server has, under a note saying so. */
function MessageHits(props: { hits: readonly MessageHit[]; onOpen: OpenItem }): JSX.Element {
  const device = () => props.hits.filter((h) => h.source === 'device')
  const relay = () => props.hits.filter((h) => h.source === 'relay')
  const open = (hit: MessageHit): void => props.onOpen({
    category: 'messages', conv: hit.conv, id: hit.id, seg: hit.seg, text: hit.text, convTitle: hit.convTitle, at: Date.now(),
  })
  return (
    <>
      <Keyed each={device()} key={(h) => h.id}>{(hit) => <li><MessageResult hit={hit()} onOpen={() => open(hit())} /></li>}</Keyed>
      <Show when={relay().length > 0}>
        <li class="search-note" aria-hidden="true">Also found on the server (not on this device yet)</li>
        <Keyed each={relay()} key={(h) => h.id}>{(hit) => <li><MessageResult hit={hit()} onOpen={() => open(hit())} /></li>}</Keyed>
      </Show>
    </>
  )
}

/**
 * Rows keyed by what they show, not by object: results are new objects whenever anything
 * changes (the relay answers, the index grows), and re-created rows would drop the keyboard focus.
 */
function Keyed<T>(props: { each: readonly T[]; key: (item: T) => string; children: (item: Accessor<T>) => JSX.Element }): JSX.Element {
  const byKey = createMemo(() => new Map(props.each.map((item) => [props.key(item), item])))
  const keys = createMemo(() => props.each.map((item) => props.key(item)), [], { equals: sameList })
  return (
    <For each={keys()}>
      {(key) => <Show when={byKey().get(key)}>{(item) => props.children(item)}</Show>}
    </For>
  )
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

function recentKey(item: RecentItem): string {
  switch (item.category) {
    case 'conversations': return `c:${item.conv}`
    case 'messages': return `m:${item.conv}:${item.id}`
    case 'colleagues': return `u:${item.user}`
    case 'contacts': return `p:${item.id}`
  }
}
