import type { ConvId, UserId } from '@waggle/schema'
import { createSignal, createUniqueId, type JSX } from 'solid-js'
import { Dialog } from '../../Dialog.tsx'
import { useApp } from '../../context.ts'
import { ParticipantPicker, createParticipants } from '../../create/ParticipantPicker.tsx'
import '../../create/create.css'

/** Colleagues, phonebook contacts and email addresses to add, with the "Hide history" switch (off by default). */
export function AddMembersDialog(props: { conv: ConvId; present: ReadonlySet<UserId>; onClose: () => void }): JSX.Element {
  const { model } = useApp()
  const id = createUniqueId()
  const participants = createParticipants(model.contacts)
  const [hide, setHide] = createSignal(false)
  const [error, setError] = createSignal<string | undefined>(undefined)
  return (
    <Dialog title="Add members" onClose={props.onClose}>
      {(close) => (
        <form class="add-members group-form" novalidate onSubmit={(e) => {
          e.preventDefault()
          const chosen = participants.result()
          if ('error' in chosen) setError(chosen.error)
          else if (chosen.members.length + chosen.emails.length === 0) setError('Choose at least one person to add.')
          else {
            model.groups.addMembers(props.conv, chosen.members, chosen.emails, hide())
            close()
          }
        }}>
          <ParticipantPicker state={participants} exclude={props.present} error={error()} autofocus />
          <button type="button" role="switch" aria-checked={hide()} class="switch" aria-describedby={`${id}-hint`} onClick={() => setHide((h) => !h)}>Hide history</button>
          <p class="field-hint" id={`${id}-hint`}>{hide() ? 'New members see only messages from now on.' : 'New members see the whole history.'}</p>
          <div class="dialog-actions">
            <button type="button" class="button secondary" onClick={close}>Cancel</button>
            <button type="submit" class="button primary">Add</button>
          </div>
        </form>
      )}
    </Dialog>
  )
}
