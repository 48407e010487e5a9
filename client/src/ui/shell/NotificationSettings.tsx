import { For, Match, Switch, type JSX } from 'solid-js'
import type { NotifySetting } from '../../bind/notify.ts'
import { Dialog } from '../Dialog.tsx'
import { useApp } from '../context.ts'

const choices: { value: NotifySetting; label: string; hint: string }[] = [
  { value: 'all', label: 'All new messages', hint: 'Except in muted conversations' },
  { value: 'mentions', label: 'Only mentions', hint: 'When someone writes @ and your name' },
  { value: 'off', label: 'Off', hint: 'No notifications on any device' },
]

/**
 * The user menu's notification settings: which messages notify (synced across the user's
 * devices) and this browser's permission. Notifications show only while no Waggle tab is in view.
 */
export function NotificationSettings(props: { onClose: () => void }): JSX.Element {
  const { model } = useApp()
  return (
    <Dialog title="Notifications" onClose={props.onClose} class="notification-settings">
      {(close) => (
        <section aria-label="Notifications" class="notify-section">
          <fieldset class="notify-choices">
            <legend>Notify me about</legend>
            <For each={choices}>
              {(c) => (
                <label class="notify-choice">
                  <input type="radio" name="notify-setting" value={c.value} checked={model.notificationSetting() === c.value}
                    onChange={() => model.setNotificationSetting(c.value)} />
                  <span>{c.label}<small>{c.hint}</small></span>
                </label>
              )}
            </For>
          </fieldset>
          <Switch>
            <Match when={model.notificationPermission() === 'default'}>
              <button type="button" class="button button-primary" onClick={() => void model.enableNotifications()}>Enable notifications</button>
            </Match>
            <Match when={model.notificationPermission() === 'denied'}>
              <p class="notify-note">This browser blocks notifications from Waggle; allow them in the site settings.</p>
            </Match>
            <Match when={model.notificationPermission() === 'unsupported'}>
              <p class="notify-note">This browser cannot show notifications.</p>
            </Match>
            <Match when={model.notificationPermission() === 'granted'}>
              <p class="notify-note">Notifications are enabled in this browser.</p>
            </Match>
          </Switch>
          <div class="dialog-actions">
            <button type="button" class="button" onClick={close}>Done</button>
          </div>
        </section>
      )}
    </Dialog>
  )
}
