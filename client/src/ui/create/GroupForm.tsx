import { Limits, WaggleError, type ConvId, type UserId } from '@waggle/schema'
import { For, Show, createMemo, createSignal, createUniqueId, type JSX } from 'solid-js'
import type { NewGroup } from '../../bind/model.ts'
import { Avatar } from '../Avatar.tsx'
import { useApp } from '../context.ts'
import { matchesPerson } from '../format/people.ts'

interface Errors {
  name?: string | undefined
  members?: string | undefined
  form?: string | undefined
}

/** Name (required), description (optional) and participants (a filterable checkbox list). */
export function GroupForm(props: { onCreated: (conv: ConvId) => void; onCancel: () => void }): JSX.Element {
  const { model } = useApp()
  const id = createUniqueId()
  const [name, setName] = createSignal('')
  const [description, setDescription] = createSignal('')
  const [filter, setFilter] = createSignal('')
  const [chosen, setChosen] = createSignal<ReadonlySet<UserId>>(new Set())
  const [errors, setErrors] = createSignal<Errors>({})
  const shown = createMemo(() => model.colleagues().filter((p) => matchesPerson(p, filter())))

  function toggle(person: UserId, on: boolean): void {
    const next = new Set(chosen())
    if (on) next.add(person)
    else next.delete(person)
    setChosen(next)
    if (next.size > 0) setErrors((e) => ({ ...e, members: undefined }))
  }

  function validate(): Errors {
    const found: Errors = {}
    const title = name().trim()
    if (title === '') found.name = 'Give the group a name.'
    else if (title.length > Limits.titleLength) found.name = `A name is at most ${Limits.titleLength} characters.`
    if (description().trim().length > Limits.descriptionLength) found.form = `A description is at most ${Limits.descriptionLength} characters.`
    if (chosen().size === 0) found.members = 'Choose at least one participant.'
    return found
  }

  function submit(e: SubmitEvent): void {
    e.preventDefault()
    const found = validate()
    setErrors(found)
    if (found.name !== undefined) return document.getElementById(`${id}-name`)?.focus()
    if (found.members !== undefined) return document.getElementById(`${id}-filter`)?.focus()
    if (found.form !== undefined) return
    const group: NewGroup = { title: name().trim(), members: [...chosen()] }
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
    <form class="group-form" novalidate onSubmit={submit}>
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
      <fieldset class="participants" aria-describedby={errors().members !== undefined ? `${id}-members-error` : undefined}>
        <legend>Participants <span class="count">{chosen().size > 0 ? `(${chosen().size} selected)` : ''}</span></legend>
        <label class="field">
          <span class="sr-only">Filter people</span>
          <input id={`${id}-filter`} type="search" placeholder="Filter people" autocomplete="off" value={filter()} onInput={(e) => setFilter(e.currentTarget.value)} />
        </label>
        <Show when={errors().members}>{(m) => <p class="field-error" id={`${id}-members-error`}>{m()}</p>}</Show>
        <ul class="people people-check">
          <For each={shown()} fallback={<li class="picker-empty">Nobody matches the filter.</li>}>
            {(p) => (
              <li>
                <label class="person">
                  <input type="checkbox" aria-label={p.name} aria-describedby={`${id}-${p.id}`} checked={chosen().has(p.id)} onChange={(e) => toggle(p.id, e.currentTarget.checked)} />
                  <Avatar initials={p.initials} hue={p.hue} size="sm" />
                  <span class="person-text">
                    <span class="person-name">{p.name}</span>
                    <span class="person-title" id={`${id}-${p.id}`}>{p.title}</span>
                  </span>
                </label>
              </li>
            )}
          </For>
        </ul>
      </fieldset>
      <Show when={errors().form}>{(m) => <p class="form-error" role="alert">{m()}</p>}</Show>
      <div class="dialog-actions">
        <button type="button" class="button" onClick={() => props.onCancel()}>Cancel</button>
        <button type="submit" class="button button-primary">Create</button>
      </div>
    </form>
  )
}
