import { WaggleError, type Availability, type ClearAfterChoice, type SavedStatus } from '@waggle/schema'
import { For, Show, createSignal, createUniqueId, type JSX } from 'solid-js'
import { Dialog } from '../Dialog.tsx'
import { useApp } from '../context.ts'
import {
  AVAILABILITIES, CLEAR_AFTER_OPTIONS, STATUS_EMOJI, availabilityLabel, clearAfterChoice, messageCheck, toDateTimeLocal,
} from '../format/presence.ts'
import '../presence.css'

type ClearKind = ClearAfterChoice['kind']

/**
 * "Set status": availability, a message of at most 100 characters (as a person counts them)
 * with an emoji, when it clears, and whether to keep it among the saved statuses, which can be
 * used again or removed here.
 */
export function StatusDialog(props: { onClose: () => void }): JSX.Element {
  const { model, now } = useApp()
  const id = createUniqueId()
  const current = model.presence.mine().status
  const chosen = current.source === 'chosen'
  const [availability, setAvailability] = createSignal<Availability>(current.availability)
  const [message, setMessage] = createSignal(chosen ? (current.message ?? '') : '')
  const [emoji, setEmoji] = createSignal<string | null>(chosen ? current.emoji : null)
  const [clearKind, setClearKind] = createSignal<ClearKind>('never')
  const [dateTime, setDateTime] = createSignal('')
  const [save, setSave] = createSignal(false)
  const [submitted, setSubmitted] = createSignal(false)
  const [failure, setFailure] = createSignal<string | null>(null)
  let messageField!: HTMLInputElement
  let dateField: HTMLInputElement | undefined

  const check = () => messageCheck(message())
  const clearAfter = () => clearAfterChoice(clearKind(), dateTime(), Date.now())
  const dateError = (): string | null => {
    const c = clearAfter()
    return 'error' in c && (submitted() || dateTime() !== '') ? c.error : null
  }
  // The emoji offered: the common ones, and the current one if it is another.
  const emojiChoices = () => {
    const e = emoji()
    return e === null || STATUS_EMOJI.some((x) => x.emoji === e) ? STATUS_EMOJI : [...STATUS_EMOJI, { emoji: e, name: e }]
  }

  function use(saved: SavedStatus): void {
    setAvailability(saved.availability)
    setMessage(saved.message)
    setEmoji(saved.emoji)
    setClearKind(saved.clearAfter.kind)
    setDateTime(saved.clearAfter.kind === 'at' && saved.clearAfter.time > Date.now() ? toDateTimeLocal(saved.clearAfter.time) : '')
    setFailure(null)
    messageField.focus()
  }

  function submit(close: () => void): void {
    setSubmitted(true)
    setFailure(null)
    if (check().error !== null) {
      messageField.focus()
      return
    }
    const choice = clearAfter()
    if ('error' in choice) {
      dateField?.focus()
      return
    }
    try {
      model.presence.setStatus({ availability: availability(), message: message().trim(), emoji: emoji(), clearAfter: choice, save: save() })
    } catch (err) {
      if (!(err instanceof WaggleError)) throw err
      setFailure(err.message)
      return
    }
    close()
  }

  return (
    <Dialog title="Set status" onClose={props.onClose} class="status-dialog">
      {(close) => (
        <form class="status-form" noValidate onSubmit={(e) => {
          e.preventDefault()
          submit(close)
        }}>
          <fieldset>
            <legend>Availability</legend>
            <div class="availability-choices">
              <For each={AVAILABILITIES}>
                {(a) => (
                  <label class="choice">
                    <input type="radio" name={`${id}-availability`} value={a} checked={availability() === a} onChange={() => setAvailability(a)} />
                    <span class={`presence-dot presence-${a} presence-online`} aria-hidden="true" />
                    {availabilityLabel[a]}
                  </label>
                )}
              </For>
            </div>
          </fieldset>

          <div class="field">
            <div class="field-row">
              <label for={`${id}-message`}>Status message</label>
              <span class="counter" classList={{ 'counter-over': check().error !== null }} id={`${id}-count`}>{check().count}/{check().max}</span>
            </div>
            <input
              ref={(e) => (messageField = e)} id={`${id}-message`} type="text" autocomplete="off" placeholder="What's your status?"
              value={message()} onInput={(e) => setMessage(e.currentTarget.value)}
              aria-invalid={check().error !== null} aria-describedby={check().error !== null ? `${id}-count ${id}-message-error` : `${id}-count`}
            />
            <Show when={check().error}>{(m) => <p class="field-error" id={`${id}-message-error`} role="alert">{m()}</p>}</Show>
          </div>

          <fieldset>
            <legend>Emoji</legend>
            <div class="emoji-choices">
              <label class="choice choice-none">
                <input type="radio" name={`${id}-emoji`} value="" checked={emoji() === null} onChange={() => setEmoji(null)} />
                None
              </label>
              <For each={emojiChoices()}>
                {(e) => (
                  <label class="choice" title={e.name}>
                    <input type="radio" name={`${id}-emoji`} value={e.emoji} aria-label={e.name === e.emoji ? e.emoji : `${e.emoji} ${e.name}`}
                      checked={emoji() === e.emoji} onChange={() => setEmoji(e.emoji)} />
                    <span aria-hidden="true">{e.emoji}</span>
                  </label>
                )}
              </For>
            </div>
          </fieldset>

          <div class="field">
            <label for={`${id}-clear`}>Clear after</label>
            <select id={`${id}-clear`} value={clearKind()} onChange={(e) => setClearKind(e.currentTarget.value as ClearKind)}>
              <For each={CLEAR_AFTER_OPTIONS}>{(o) => <option value={o.kind} selected={clearKind() === o.kind}>{o.label}</option>}</For>
            </select>
          </div>
          <Show when={clearKind() === 'at'}>
            <div class="field">
              <label for={`${id}-at`}>Date and time</label>
              <input
                ref={(e) => (dateField = e)} id={`${id}-at`} type="datetime-local" min={toDateTimeLocal(now())} value={dateTime()}
                onInput={(e) => setDateTime(e.currentTarget.value)}
                aria-invalid={dateError() !== null} aria-describedby={dateError() !== null ? `${id}-at-error` : undefined}
              />
              <Show when={dateError()}>{(m) => <p class="field-error" id={`${id}-at-error`} role="alert">{m()}</p>}</Show>
            </div>
          </Show>

          <label class="check">
            <input type="checkbox" checked={save()} onChange={(e) => setSave(e.currentTarget.checked)} />
            Save for reuse
          </label>

          <Show when={model.presence.saved().length > 0}>
            <section aria-labelledby={`${id}-saved`}>
              <h3 id={`${id}-saved`} class="field-hint">Saved statuses</h3>
              <ul class="saved-statuses">
                <For each={model.presence.saved()}>
                  {(s) => {
                    const name = s.message !== '' ? s.message : (s.emoji ?? availabilityLabel[s.availability])
                    const text = s.emoji !== null && s.message !== '' ? `${s.emoji} ${s.message}` : name
                    return (
                      <li>
                        <span class={`presence-dot presence-${s.availability} presence-online`} aria-hidden="true" />
                        <span class="saved-text">{text}<span class="sr-only">{`, ${availabilityLabel[s.availability]}`}</span></span>
                        <button type="button" class="button button-small" aria-label={`Use ${name}`} onClick={() => use(s)}>Use</button>
                        <button type="button" class="button button-small button-ghost" aria-label={`Remove ${name}`}
                          onClick={() => model.presence.removeSaved(s.id)}>Remove</button>
                      </li>
                    )
                  }}
                </For>
              </ul>
            </section>
          </Show>

          <Show when={failure()}>{(m) => <p class="form-error" role="alert">{m()}</p>}</Show>
          <div class="dialog-actions">
            <button type="button" class="button" onClick={close}>Cancel</button>
            <button type="submit" class="button button-primary">Save</button>
          </div>
        </form>
      )}
    </Dialog>
  )
}
