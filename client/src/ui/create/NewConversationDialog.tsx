import type { ConvId } from '@waggle/schema'
import { useNavigate } from '@solidjs/router'
import { For, Show, createSignal, createUniqueId, type JSX } from 'solid-js'
import { Dialog } from '../Dialog.tsx'
import { DirectPicker } from './DirectPicker.tsx'
import { GroupForm } from './GroupForm.tsx'
import './create.css'

type Kind = 'direct' | 'group'
const tabs: { kind: Kind; label: string }[] = [{ kind: 'direct', label: 'Direct' }, { kind: 'group', label: 'Group' }]

/** "New conversation": a direct conversation with one colleague, or a named group. */
export function NewConversationDialog(props: { onClose: () => void }): JSX.Element {
  const navigate = useNavigate()
  const id = createUniqueId()
  const [kind, setKind] = createSignal<Kind>('direct')

  function onTabKey(e: KeyboardEvent): void {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return
    e.preventDefault()
    const next: Kind = kind() === 'direct' ? 'group' : 'direct'
    setKind(next)
    document.getElementById(`${id}-tab-${next}`)?.focus()
  }

  return (
    <Dialog title="New conversation" onClose={() => props.onClose()} class="dialog-create">
      {(close) => {
        const opened = (conv: ConvId): void => {
          close()
          navigate(`/c/${conv}`)
        }
        return (
          <>
            <div role="tablist" aria-label="Kind of conversation" class="tabs" onKeyDown={onTabKey}>
              <For each={tabs}>
                {(t) => (
                  <button
                    type="button" role="tab" id={`${id}-tab-${t.kind}`} aria-controls={`${id}-panel`}
                    aria-selected={kind() === t.kind} tabIndex={kind() === t.kind ? 0 : -1} onClick={() => setKind(t.kind)}
                  >
                    {t.label}
                  </button>
                )}
              </For>
            </div>
            <div role="tabpanel" id={`${id}-panel`} aria-labelledby={`${id}-tab-${kind()}`} class="tab-panel">
              <Show when={kind() === 'direct'} fallback={<GroupForm onCreated={opened} onCancel={close} />}>
                <DirectPicker onOpened={opened} />
              </Show>
            </div>
          </>
        )
      }}
    </Dialog>
  )
}
