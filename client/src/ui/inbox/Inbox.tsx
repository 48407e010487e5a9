import { Match, Show, Switch, createMemo, createSignal, type JSX } from 'solid-js'
import type { InboxFilter } from '../../bind/model.ts'
import { useApp } from '../context.ts'
import { NewConversationDialog } from '../create/NewConversationDialog.tsx'
import { InboxSearch } from '../search/InboxSearch.tsx'
import { emptyText, filterInbox } from '../format/inbox.ts'
import { ConversationList } from './ConversationList.tsx'
import { InboxFilters } from './InboxFilters.tsx'
import './inbox.css'

/**
 * The inbox pane: heading, "New conversation", the search field, filters and the conversation
 * list. While the search is in use its panel takes the list's place (the list stays mounted,
 * hidden, so its focus and scroll position are there when the search closes).
 */
export function Inbox(): JSX.Element {
  const { model } = useApp()
  const [filter, setFilter] = createSignal<InboxFilter>('all')
  const [creating, setCreating] = createSignal(false)
  const [searching, setSearching] = createSignal(false)
  const items = createMemo(() => filterInbox(model.inbox(), filter()))
  const anyUnread = () => model.inbox().some((i) => !i.archived && i.unread > 0)

  return (
    <nav class="inbox" aria-label="Inbox">
      <div class="inbox-header">
        <h1 class="inbox-title">Conversations</h1>
        <button type="button" class="new-button" title="New conversation" onClick={() => setCreating(true)}>
          <svg width="20" height="20" viewBox="0 0 20 20" aria-hidden="true">
            <path d="M10 4.5v11M4.5 10h11" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
          </svg>
          <span class="sr-only">New conversation</span>
        </button>
      </div>
      <InboxSearch onActive={setSearching} />
      <div class="inbox-body" hidden={searching()}>
        <InboxFilters value={filter()} onChange={setFilter} anyUnread={anyUnread()} />
        <Switch>
          <Match when={!model.inboxReady()}>
            <InboxSkeleton />
          </Match>
          <Match when={items().length === 0}>
            <div class="inbox-empty">
              <p>{emptyText[filter()]}</p>
            </div>
          </Match>
          <Match when={items().length > 0}>
            <ConversationList items={items()} />
          </Match>
        </Switch>
      </div>
      <Show when={creating()}>
        <NewConversationDialog onClose={() => setCreating(false)} />
      </Show>
    </nav>
  )
}

/** Placeholder rows while the local index is read for the first time (never "no conversations"). */
function InboxSkeleton(): JSX.Element {
  return (
    <div class="inbox-skeleton" aria-busy="true">
      <span class="sr-only">Loading conversations…</span>
      {Array.from({ length: 7 }, () => (
        <div class="skeleton-row" aria-hidden="true">
          <span class="skeleton skeleton-avatar" />
          <span class="skeleton-lines">
            <span class="skeleton skeleton-line" />
            <span class="skeleton skeleton-line short" />
          </span>
        </div>
      ))}
    </div>
  )
}
