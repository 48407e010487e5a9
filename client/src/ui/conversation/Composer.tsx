import { WaggleError } from '@waggle/schema'
import { Show, createEffect, createSignal, on, onMount, type JSX } from 'solid-js'
import type { ConversationModel } from '../../bind/model.ts'
import { useApp } from '../context.ts'
import { AttachButton, AttachmentChips, type AttachmentDraft } from './Attachments.tsx'
import { ComposerContext } from './ComposerContext.tsx'
import { createMentions } from './MentionPicker.tsx'
import { useMessageActions } from './messageActions.ts'
import { createSyncedDraft } from './createSyncedDraft.ts'

/**
 * The message box: Enter sends, Shift+Enter breaks the line, an IME composition never sends.
 * It grows with its text up to about eight lines (CSS max-height), then scrolls.
 */
export function Composer(props: { conversation: ConversationModel; onSent: () => void; files?: AttachmentDraft }): JSX.Element {
  const app = useApp()
  const c = props.conversation
  const [text, setText] = createSignal('')
  const [error, setError] = createSignal<string | null>(null)
  let area!: HTMLTextAreaElement
  // Reply, edit and @mentions (the message actions of the conversation view).
  const actions = useMessageActions()
  const members = () => (c.info()?.members ?? []).filter((p) => p.id !== app.model.me.userId)
  const mentions = createMentions(members, (value, caret) => {
    update(value)
    area.setSelectionRange(caret, caret)
  })
  /** The text that was in the box when an edit started, put back when it ends. */
  let beforeEdit: string | null = null
  createEffect(on(() => actions?.editing() ?? null, (m) => {
    if (m === null) return
    beforeEdit ??= text()
    mentions.remember(m.mentions)
    // Not the draft: the message's own text is not a draft to sync.
    setText(m.text)
    fit()
    area.focus()
  }, { defer: true }))
  createEffect(on(() => actions?.replyTo() ?? null, (m) => m !== null && area.focus(), { defer: true }))
  const endEdit = (): void => {
    actions?.setEditing(null)
    update(beforeEdit ?? '')
    beforeEdit = null
  }
  /** Sends, or saves the message being edited; true when it was an edit. */
  function sendOrEdit(value: string): boolean {
    const editing = actions?.editing() ?? null
    if (editing !== null) {
      c.edit(editing.id, value, mentions.mentionsIn(value))
      return true
    }
    const replyTo = actions?.replyTo()?.id
    const attachments = props.files?.queue(c.conv) ?? []
    c.send(value, { mentions: mentions.mentionsIn(value), ...(replyTo !== undefined ? { replyTo } : {}), ...(attachments.length > 0 ? { attachments } : {}) })
    props.files?.clear()
    return false
  }

  const fit = (): void => {
    area.style.height = 'auto'
    area.style.height = `${area.scrollHeight + area.offsetHeight - area.clientHeight}px`
  }
  // The draft syncs across this user's devices through the private document.
  const draft = createSyncedDraft(app.model, c.conv, text, (value) => {
    setText(value)
    fit()
  })

  function update(value: string): void {
    setText(value)
    setError(null)
    draft.changed(value)
    fit()
  }

  function send(): void {
    const value = text().trim()
    if ((value === '' && (props.files?.files().length ?? 0) === 0) || c.cannotSend() !== null) return
    let edited: boolean
    try {
      edited = sendOrEdit(value)
    } catch (err) {
      if (!(err instanceof WaggleError)) throw err
      setError(err.message)
      return
    }
    mentions.reset()
    if (edited) return endEdit()
    actions?.setReplyTo(null)
    update('')
    draft.sent()
    props.onSent()
  }

  function onKeyDown(e: KeyboardEvent): void {
    if (mentions.onKeyDown(e, area)) return
    if (e.key === 'Escape' && (actions?.editing() != null || actions?.replyTo() != null)) {
      e.preventDefault()
      if (actions.editing() !== null) endEdit()
      else actions.setReplyTo(null)
      return
    }
    // keyCode 229: Safari ends a composition with an Enter keydown that has isComposing false.
    if (e.key !== 'Enter' || e.shiftKey || e.isComposing || e.keyCode === 229) return
    e.preventDefault()
    send()
  }

  onMount(() => {
    fit()
    // On a wide screen with a mouse, typing can start at once; on phones focus would open the keyboard.
    if (matchMedia('(min-width: 768px) and (pointer: fine)').matches && c.cannotSend() === null) area.focus({ preventScroll: true })
  })

  return (
    <form class="composer" onSubmit={(e) => { e.preventDefault(); send() }}>
      <Show when={c.cannotSend()}>{(why) => <p class="cannot-send" id="cannot-send">{why()}</p>}</Show>
      <Show when={error()}>{(m) => <p class="composer-error" role="alert">{m()}</p>}</Show>
      <ComposerContext actions={actions} onCancelEdit={endEdit} />
      {mentions.view()}
      <Show when={props.files}>{(files) => <AttachmentChips draft={files()} />}</Show>
      <div class="composer-box">
        <Show when={props.files}>{(files) => <AttachButton draft={files()} disabled={c.cannotSend() !== null} />}</Show>
        <textarea
          ref={(e) => (area = e)} aria-label="Message" rows={1} placeholder="Write a message…" value={text()}
          disabled={c.cannotSend() !== null} aria-describedby={c.cannotSend() !== null ? 'cannot-send' : undefined}
          aria-invalid={error() !== null} enterkeyhint="send"
          onInput={(e) => { update(e.currentTarget.value); mentions.track(e.currentTarget) }} onKeyDown={onKeyDown}
          onClick={(e) => mentions.track(e.currentTarget)} aria-autocomplete="list"
          aria-controls={mentions.ariaFor()['aria-controls']} aria-activedescendant={mentions.ariaFor()['aria-activedescendant']}
        />
        <button type="submit" class="send-button" aria-label="Send" disabled={c.cannotSend() !== null}>
          <svg width="20" height="20" viewBox="0 0 20 20" aria-hidden="true"><path d="M3 10 17 3l-4 14-3-5.5Zm7 1.5L17 3" fill="none" stroke="currentColor" stroke-width="1.7" stroke-linejoin="round" /></svg>
        </button>
      </div>
    </form>
  )
}
