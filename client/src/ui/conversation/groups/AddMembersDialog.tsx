import { EMAIL_PATTERN, type ConvId, type UserId } from '@waggle/schema'
import { For, createSignal, type JSX } from 'solid-js'
import { Dialog } from '../../Dialog.tsx'
import { useApp } from '../../context.ts'

/** Colleagues (checkboxes) and email addresses to add, with the "Hide history" switch (off by default). */
export function AddMembersDialog(props: { conv: ConvId; present: ReadonlySet<UserId>; onClose: () => void }): JSX.Element {
  const { model } = useApp()
  const [chosen, setChosen] = createSignal<ReadonlySet<UserId>>(new Set())
  const [emails, setEmails] = createSignal('')
  const [hide, setHide] = createSignal(false)
  const [error, setError] = createSignal<string | null>(null)
  const candidates = () => model.colleagues().filter((p) => !props.present.has(p.id))
  const toggle = (id: UserId, on: boolean) => setChosen((s) => {
    const next = new Set(s)
    if (on) next.add(id)
    else next.delete(id)
    return next
  })
  return (
    <Dialog title="Add members" onClose={props.onClose}>
      {(close) => (
        <form class="add-members" onSubmit={(e) => {
          e.preventDefault()
          const list = emails().split(/[\s,;]+/).map((s) => s.trim().toLowerCase()).filter((s) => s !== '')
          const bad = list.find((s) => !EMAIL_PATTERN.test(s))
          if (bad !== undefined) {
            setError(`${bad} is not an email address`)
            return
          }
          model.groups.addMembers(props.conv, [...chosen()], list, hide())
          close()
        }}>
          <fieldset>
            <legend>Colleagues</legend>
            <ul class="member-picker">
              <For each={candidates()}>{(p) => (
                <li><label><input type="checkbox" checked={chosen().has(p.id)} onChange={(e) => toggle(p.id, e.currentTarget.checked)} /> {p.name}</label></li>
              )}</For>
            </ul>
          </fieldset>
          <label>Email addresses <input type="text" value={emails()} onInput={(e) => setEmails(e.currentTarget.value)} placeholder="name@example.com" /></label>
          <button type="button" role="switch" aria-checked={hide()} class="switch" onClick={() => setHide((h) => !h)}>Hide history</button>
          <p class="hint">{hide() ? 'New members see only messages from now on.' : 'New members see the whole history.'}</p>
          {error() !== null ? <p role="alert" class="form-error">{error()}</p> : null}
          <div class="dialog-actions">
            <button type="button" class="button secondary" onClick={close}>Cancel</button>
            <button type="submit" class="button primary">Add</button>
          </div>
        </form>
      )}
    </Dialog>
  )
}
