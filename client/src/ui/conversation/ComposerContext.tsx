import { Show, type JSX } from 'solid-js'
import { snippet, type MessageActions } from './messageActions.ts'

/** Above the message box: the message being replied to or edited, with a way out. */
export function ComposerContext(props: { actions: MessageActions | undefined; onCancelEdit: () => void }): JSX.Element {
  return (
    <>
      <Show when={props.actions?.replyTo()}>
        {(m) => (
          <div class="composer-context" role="group" aria-label="Replying to">
            <span class="composer-context-label">Replying to <strong>{m().own ? 'yourself' : m().authorName}</strong></span>
            <span class="composer-context-text">{snippet(m())}</span>
            <button type="button" class="link-button" onClick={() => props.actions?.setReplyTo(null)}>Remove reply</button>
          </div>
        )}
      </Show>
      <Show when={props.actions?.editing()}>
        {(m) => (
          <div class="composer-context" role="group" aria-label="Editing message">
            <span class="composer-context-label">Editing message</span>
            <span class="composer-context-text">{snippet(m())}</span>
            <button type="button" class="link-button" onClick={() => props.onCancelEdit()}>Cancel edit</button>
          </div>
        )}
      </Show>
    </>
  )
}
