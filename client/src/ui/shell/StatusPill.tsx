import { Show, type JSX } from 'solid-js'
import { useApp } from '../context.ts'

const stateText = { offline: 'Offline', connecting: 'Connecting…', syncing: 'Syncing…', synced: 'Synced' } as const

/** The connection status, everywhere: state, changes waiting to be sent, changes refused. */
export function StatusPill(): JSX.Element {
  const { model } = useApp()
  const status = model.status
  const pending = () => status().pending
  return (
    <p role="status" aria-live="polite" aria-label="Connection status" class={`status-pill status-${status().state}`}>
      <span class="status-dot" aria-hidden="true" />
      <span class="status-state">{stateText[status().state]}</span>
      <Show when={pending() > 0}>
        <span class="status-extra"> · {pending()} {pending() === 1 ? 'change' : 'changes'} waiting to be sent</span>
      </Show>
      <Show when={status().rejected > 0}>
        <span class="status-extra status-rejected"> · {status().rejected} rejected</span>
      </Show>
    </p>
  )
}
