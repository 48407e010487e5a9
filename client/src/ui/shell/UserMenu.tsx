import { Show, createMemo, createSignal, createUniqueId, type JSX } from 'solid-js'
import { useApp } from '../context.ts'
import { AVAILABILITIES, availabilityLabel, presenceLabel } from '../format/presence.ts'
import { MenuButton, type MenuEntry } from '../Menu.tsx'
import { PresenceAvatar, StatusLine } from '../Presence.tsx'
import { NotificationSettings } from './NotificationSettings.tsx'
import { SignOutDialog } from './SignOutDialog.tsx'
import { StatusDialog } from './StatusDialog.tsx'

function initialsOf(name: string): string {
  const parts = name.replace(/@.*/, '').split(/[\s._-]+/).filter((p) => p !== '')
  return parts.slice(0, 2).map((p) => p.charAt(0).toUpperCase()).join('') || '?'
}

/**
 * The account button: who is signed in with their presence dot and status line; the
 * availability (Available, Away, Busy), "Set status…" and "Clear status"; notification settings,
 * and Sign out (which asks about this device's data).
 */
export function UserMenu(): JSX.Element {
  const { model } = useApp()
  const id = createUniqueId()
  const [asking, setAsking] = createSignal(false)
  const [settingNotifications, setSettingNotifications] = createSignal(false)
  const [settingStatus, setSettingStatus] = createSignal(false)
  const mine = () => model.presence.mine()
  // Primitive memos: the menu's entries are re-made only when these change, not on every clock tick.
  const availability = createMemo(() => mine().status.availability)
  const hasMessage = createMemo(() => mine().status.source === 'chosen' && (mine().status.message !== null || mine().status.emoji !== null))
  const items = (): MenuEntry[] => [
    ...AVAILABILITIES.map((a) => ({
      label: availabilityLabel[a], checked: availability() === a, class: `menu-availability presence-${a}`,
      onSelect: () => model.presence.setAvailability(a),
    })),
    { label: 'Set status…', onSelect: () => setSettingStatus(true) },
    ...(hasMessage() ? [{ label: 'Clear status', onSelect: () => model.presence.clearStatus() }] : []),
    { label: 'Notifications', onSelect: () => setSettingNotifications(true) },
    ...(model.notificationPermission() === 'default' ? [{ label: 'Enable notifications', onSelect: () => void model.enableNotifications() }] : []),
    { label: 'Sign out', onSelect: () => setAsking(true) },
  ]
  const me = () => model.person(model.me.userId)
  return (
    <div class="user-menu">
      <MenuButton
        label={`Account: ${model.me.name()}`} class="account-button" describedBy={`${id}-presence`}
        items={items()}
      >
        <PresenceAvatar presence={mine()} initials={me()?.initials ?? initialsOf(model.me.name())} hue={me()?.hue ?? 35} size="sm" />
        <span class="account-text">
          <span class="account-name">{model.me.name()}</span>
          <StatusLine presence={mine()} class="account-status" />
        </span>
        <span class="sr-only" id={`${id}-presence`} aria-hidden="true">{presenceLabel(mine())}</span>
        <svg class="chevron" width="12" height="12" viewBox="0 0 12 12" aria-hidden="true"><path d="m3 4.5 3 3 3-3" fill="none" stroke="currentColor" stroke-width="1.5" /></svg>
      </MenuButton>
      <Show when={settingStatus()}>
        <StatusDialog onClose={() => setSettingStatus(false)} />
      </Show>
      <Show when={settingNotifications()}>
        <NotificationSettings onClose={() => setSettingNotifications(false)} />
      </Show>
      <Show when={asking()}>
        <SignOutDialog email={model.me.email} onClose={() => setAsking(false)} />
      </Show>
    </div>
  )
}
