import { Limits, WaggleError, type ConvId } from '@waggle/schema'
import { Show, createSignal, createUniqueId, type JSX } from 'solid-js'
import type { NewGroup } from '../../bind/model.ts'
import { useApp } from '../context.ts'
import { ParticipantPicker, createParticipants } from './ParticipantPicker.tsx'

interface Errors {
  name?: string | undefined
  members?: string | undefined
  form?: string | undefined
}

/** Name (required), description (optional), participants, and the read-only and by-link switches. */
export function GroupForm(props: { onCreated: (conv: ConvId) => void; onCancel: () => void }): JSX.Element {
  const { model } = useApp()
  const id = createUniqueId()
  const [name, setName] = createSignal('')
  const [description, setDescription] = createSignal('')
  const participants = createParticipants(model.contacts)
  const [readOnly, setReadOnly] = createSignal(false)
  const [byLink, setByLink] = createSignal(false)
  const [errors, setErrors] = createSignal<Errors>({})

  function validate(): Errors {
    const found: Errors = {}
    const title = name().trim()
    if (title === '') found.name = 'Give the group a name.'
    else if (title.length > Limits.titleLength) found.name = `A name is at most ${Limits.titleLength} characters.`
    if (description().trim().length > Limits.descriptionLength) found.form = `A description is at most ${Limits.descriptionLength} characters.`
    const chosen = participants.result()
    if ('error' in chosen) found.members = chosen.error
    else if (chosen.members.length + chosen.emails.length === 0) found.members = 'Choose at least one participant.'
    return found
  }

  function submit(e: SubmitEvent): void {
    e.preventDefault()
    const found = validate()
    setErrors(found)
    if (found.name !== undefined) return document.getElementById(`${id}-name`)?.focus()
    if (found.members !== undefined) return document.querySelector<HTMLInputElement>(`#${id}-form .participants input`)?.focus()
    if (found.form !== undefined) return
    const chosen = participants.result()
    if ('error' in chosen) return
    const group: NewGroup = { title: name().trim(), ...chosen, readOnly: readOnly(), byLink: byLink() }
    const text = description().trim()
    if (text !== '') group.description = text
    try {
      props.onCreated(model.createGroup(group))
    } catch (err) {
      if (!(err instanceof WaggleError)) throw err
      setErrors({ form: err.message })
    }
  }

  return (
    <form class="group-form" id={`${id}-form`} novalidate onSubmit={submit}>
      <div class="field">
        <label for={`${id}-name`}>Name</label>
        <input id={`${id}-name`} required maxLength={Limits.titleLength} autocomplete="off" value={name()}
          aria-invalid={errors().name !== undefined} aria-describedby={errors().name !== undefined ? `${id}-name-error` : undefined}
          onInput={(e) => { setName(e.currentTarget.value); setErrors((x) => ({ ...x, name: undefined })) }} />
        <Show when={errors().name}>{(m) => <p class="field-error" id={`${id}-name-error`}>{m()}</p>}</Show>
      </div>
      <div class="field">
        <label for={`${id}-description`}>Description</label>
        <textarea id={`${id}-description`} rows={2} maxLength={Limits.descriptionLength} aria-describedby={`${id}-description-hint`}
          value={description()} onInput={(e) => setDescription(e.currentTarget.value)} />
        <p class="field-hint" id={`${id}-description-hint`}>Optional: what the group is for.</p>
      </div>
      <ParticipantPicker state={participants} error={errors().members} />
      <div class="switches">
        <button type="button" role="switch" class="switch" aria-checked={readOnly()} aria-describedby={`${id}-ro-hint`} onClick={() => setReadOnly((v) => !v)}>Read only for external members</button>
        <p class="field-hint" id={`${id}-ro-hint`}>External members can read and react, but not write or see who else is here.</p>
        <button type="button" role="switch" class="switch" aria-checked={byLink()} aria-describedby={`${id}-link-hint`} onClick={() => setByLink((v) => !v)}>Available by link</button>
        <p class="field-hint" id={`${id}-link-hint`}>Anyone with the conversation's link can join it.</p>
      </div>
      <Show when={errors().form}>{(m) => <p class="form-error" role="alert">{m()}</p>}</Show>
      <div class="dialog-actions">
        <button type="button" class="button" onClick={() => props.onCancel()}>Cancel</button>
        <button type="submit" class="button button-primary">Create</button>
      </div>
    </form>
  )
}
