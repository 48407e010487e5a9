import { Show, createSignal, type JSX } from 'solid-js'
import { Avatar } from '../Avatar.tsx'
import { useApp } from '../context.ts'
import { MenuButton } from '../Menu.tsx'
import { NotificationSettings } from './NotificationSettings.tsx'
import { SignOutDialog } from './SignOutDialog.tsx'

function initialsOf(name: string): string {
  const parts = name.replace(/@.*/, '').split(/[\s._-]+/).filter((p) => p !== '')
  return parts.slice(0, 2).map((p) => p.charAt(0).toUpperCase()).join('') || '?'
}

/** The account button: who is signed in, notification settings, and Sign out (which asks about this device's data). */
export function UserMenu(): JSX.Element {
  const { model } = useApp()
  const [asking, setAsking] = createSignal(false)
  const [settingNotifications, setSettingNotifications] = createSignal(false)
  const items = () => [
    { label: 'Notifications', onSelect: () => setSettingNotifications(true) },
    ...(model.notificationPermission() === 'default' ? [{ label: 'Enable notifications', onSelect: () => void model.enableNotifications() }] : []),
    { label: 'Sign out', onSelect: () => setAsking(true) },
  ]
  const me = () => model.person(model.me.userId)
  return (
    <div class="user-menu">
      <MenuButton
        label={`Account: ${model.me.name()}`} class="account-button"
        items={items()}
      >
        <Avatar initials={me()?.initials ?? initialsOf(model.me.name())} hue={me()?.hue ?? 35} size="sm" />
        <span class="account-name">{model.me.name()}</span>
        <svg class="chevron" width="12" height="12" viewBox="0 0 12 12" aria-hidden="true"><path d="m3 4.5 3 3 3-3" fill="none" stroke="currentColor" stroke-width="1.5" /></svg>
      </MenuButton>
      <Show when={settingNotifications()}>
        <NotificationSettings onClose={() => setSettingNotifications(false)} />
      </Show>
      <Show when={asking()}>
        <SignOutDialog email={model.me.email} onClose={() => setAsking(false)} />
      </Show>
    </div>
  )
}
