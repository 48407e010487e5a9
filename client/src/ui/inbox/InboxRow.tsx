import { A } from '@solidjs/router'
import { Show, createSignal, type JSX } from 'solid-js'
import type { InboxItem } from '../../bind/model.ts'
import { useApp } from '../context.ts'
import { previewText, unreadLabel } from '../format/inbox.ts'
import { shortStatus, statusText } from '../format/presence.ts'
import { fullTime, inboxTime } from '../format/time.ts'
import { MenuButton, type MenuEntry } from '../Menu.tsx'
import { PresenceAvatar, PresenceText, usePresence } from '../Presence.tsx'
import { SetPresenceDialog } from './SetPresenceDialog.tsx'

interface InboxRowProps {
  item: InboxItem
  active: boolean
  inTabOrder: boolean
  onFocus: () => void
}

/**
 * One conversation in the inbox: a link to it (with the other person's presence in a direct
 * conversation), and a menu with Pin, Archive, Hide and Mute, and for those allowed to, setting
 * a colleague's presence.
 */
export function InboxRow(props: InboxRowProps): JSX.Element {
  const { model, now } = useApp()
  const item = () => props.item
  const time = () => item().last?.time ?? item().activityAt
  const tabIndex = () => (props.inTabOrder ? 0 : -1)
  let row!: HTMLLIElement
  const peer = () => (item().kind === 'direct' ? item().peer : null)
  // Rows are rendered only while listed: the peer's presence document is open as long as the row.
  const presence = usePresence(peer)
  const status = () => {
    const p = presence()
    const text = p === null ? null : statusText(p)
    return text === null ? null : shortStatus(text)
  }
  /** A colleague (not an external person, not me) whose presence I may set. */
  const colleague = () => {
    const id = peer()
    if (id === null || id === model.me.userId || !model.presence.canModifyOthers) return null
    const person = model.person(id)
    return person === undefined || person.external ? null : person
  }
  const [settingPresence, setSettingPresence] = createSignal(false)
  const actions = (): MenuEntry[] => [
    { label: item().pinned ? 'Unpin' : 'Pin', onSelect: () => model.setPinned(item().conv, !item().pinned) },
    { label: item().archived ? 'Unarchive' : 'Archive', onSelect: archive },
    { label: 'Hide', onSelect: hide },
    { label: item().muted ? 'Unmute notifications' : 'Mute notifications', onSelect: () => model.setMuted(item().conv, !item().muted) },
    ...(colleague() !== null ? [{ label: 'Set presence status', onSelect: () => setSettingPresence(true) }] : []),
  ]

  // Archiving and hiding take the row out of the current filter: keep the keyboard focus in the list.
  function archive(): void {
    keepFocusNear(() => model.setArchived(item().conv, !item().archived))
  }
  function hide(): void {
    keepFocusNear(() => model.setHidden(item().conv, true))
  }
  function keepFocusNear(act: () => void): void {
    const neighbour = row.nextElementSibling ?? row.previousElementSibling
    act()
    requestAnimationFrame(() => {
      if (!row.isConnected) neighbour?.querySelector<HTMLElement>('a.conv-link')?.focus()
    })
  }

  return (
    <li ref={(e) => (row = e)} class="conv-item" classList={{ 'conv-unread': item().unread > 0, 'conv-active': props.active }} onFocusIn={() => props.onFocus()}>
      <A href={`/c/${item().conv}`} end class="conv-link" tabIndex={tabIndex()}>
        <PresenceAvatar presence={presence()} initials={item().avatar.initials} hue={item().avatar.hue} />
        <span class="conv-main">
          <span class="conv-line">
            <span class="conv-title">{item().title}</span>
            <PresenceText presence={presence()} prefix=", " />
            <Show when={item().pinned}>
              <svg class="conv-pin" role="img" aria-label="Pinned" width="14" height="14" viewBox="0 0 16 16">
                <path d="M10.5 1.5 14.5 5.5 12 6.5 9.5 9l.5 4-1.5 1.5L6 12l-3.5 3.5L1 15l.5-1.5L5 10 2.5 7.5 4 6l4 .5L10.5 4Z" fill="currentColor" />
              </svg>
            </Show>
            <Show when={item().muted}>
              <svg class="conv-muted" role="img" aria-label="Muted" width="14" height="14" viewBox="0 0 16 16">
                <path d="M8 2.5a3.5 3.5 0 0 0-3.5 3.5v2.6L3 11h10l-1.5-2.4V6A3.5 3.5 0 0 0 8 2.5ZM6.5 12.5a1.5 1.5 0 0 0 3 0M2.5 2.5l11 11" fill="none" stroke="currentColor" stroke-width="1.4" stroke-linecap="round" />
              </svg>
            </Show>
            <time class="conv-time" datetime={new Date(time()).toISOString()} title={fullTime(time())}>{inboxTime(time(), now())}</time>
          </span>
          <Show when={status()}>
            {(text) => <span class="conv-line"><span class="conv-status" title={text()}>{text()}</span></span>}
          </Show>
          <span class="conv-line">
            <span class="conv-preview" classList={{ 'conv-preview-error': item().creation === 'rejected', 'conv-preview-muted': item().creation === 'pending' || item().last?.deleted === true }}>
              {previewText(item())}
            </span>
            <Show when={item().unread > 0}>
              <span class="badge" classList={{ 'badge-mention': item().mentioned }} role="img"
                aria-label={item().mentioned ? `${unreadLabel(item().unread)}, including a mention of you` : unreadLabel(item().unread)}>
                <Show when={item().mentioned}><span class="badge-at" aria-hidden="true">@</span></Show>{item().unread > 99 ? '99+' : item().unread}
              </span>
            </Show>
          </span>
        </span>
      </A>
      <MenuButton label={`More actions for ${item().title}`} class="icon-button conv-more" items={actions()} tabIndex={tabIndex()}>
        <svg width="18" height="18" viewBox="0 0 18 18" fill="currentColor" aria-hidden="true"><circle cx="4" cy="9" r="1.5" /><circle cx="9" cy="9" r="1.5" /><circle cx="14" cy="9" r="1.5" /></svg>
      </MenuButton>
      <Show when={settingPresence() ? colleague() : null}>
        {(person) => <SetPresenceDialog person={person()} presence={presence()} onClose={() => setSettingPresence(false)} />}
      </Show>
    </li>
  )
}
