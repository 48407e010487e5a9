import { For, Show, type JSX } from 'solid-js'
import type { InboxFilter } from '../../bind/model.ts'

const filters: { value: InboxFilter; label: string }[] = [
  { value: 'all', label: 'All' },
  { value: 'unread', label: 'Unread' },
  { value: 'archived', label: 'Archived' },
]

/** All / Unread / Archived as a radio group (native radios: arrow keys move and select). */
export function InboxFilters(props: { value: InboxFilter; onChange: (f: InboxFilter) => void; anyUnread: boolean }): JSX.Element {
  return (
    <div role="radiogroup" aria-label="Filter conversations" class="segmented">
      <For each={filters}>
        {(f) => (
          <label class="segment">
            <input type="radio" name="inbox-filter" value={f.value} checked={props.value === f.value} onChange={() => props.onChange(f.value)} />
            <span>{f.label}</span>
            <Show when={f.value === 'unread' && props.anyUnread}>
              <span class="segment-dot" aria-hidden="true" />
            </Show>
          </label>
        )}
      </For>
    </div>
  )
}
