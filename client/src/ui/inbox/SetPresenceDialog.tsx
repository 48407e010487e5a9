import { For, Show, type JSX } from 'solid-js'
import type { Person, PersonPresence } from '../../bind/model.ts'
import { Dialog } from '../Dialog.tsx'
import { useApp } from '../context.ts'
import { AVAILABILITIES, availabilityLabel, presenceLabel } from '../format/presence.ts'
import '../presence.css'

/** "Set presence status for <name>": a colleague's availability, for those with the "can modify presence" permission. */
export function SetPresenceDialog(props: { person: Person; presence: PersonPresence | null; onClose: () => void }): JSX.Element {
  const { model } = useApp()
  return (
    <Dialog title={`Set presence status for ${props.person.name}`} onClose={props.onClose} class="dialog-narrow">
      {(close) => (
        <>
          <Show when={props.presence}>{(p) => <p class="hint">Now: {presenceLabel(p())}</p>}</Show>
          <div class="presence-choices" role="group" aria-label="Availability">
            <For each={AVAILABILITIES}>
              {(a) => (
                <button type="button" class="button" aria-pressed={props.presence?.status.availability === a} onClick={() => {
                  model.presence.setAvailabilityOf(props.person.id, a)
                  close()
                }}>
                  <span class={`presence-dot presence-${a} presence-online`} aria-hidden="true" />
                  {availabilityLabel[a]}
                </button>
              )}
            </For>
          </div>
          <div class="dialog-actions">
            <button type="button" class="button button-ghost" onClick={close}>Cancel</button>
          </div>
        </>
      )}
    </Dialog>
  )
}
