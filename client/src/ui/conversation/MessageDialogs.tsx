import { WaggleError } from '@waggle/schema'
import { For, Match, Show, Switch, createSignal, type JSX } from 'solid-js'
import type { MessageItem } from '../../bind/model.ts'
import { useApp } from '../context.ts'
import { Dialog } from '../Dialog.tsx'
import { snippet, type MessageActions } from './messageActions.ts'
import { EmojiPicker, toggleReaction } from './Reactions.tsx'

/** The dialogs a message's actions open: forward, delete confirmation, reaction picker. */
export function MessageDialogs(props: { actions: MessageActions }): JSX.Element {
  const a = props.actions
  const done = (): void => {
    a.setDialog(null)
  }
  return (
    <Show when={a.dialog()} keyed>
      {(open) => (
        <Switch>
          <Match when={open.kind === 'forward'}><ForwardDialog actions={a} message={open.message} onClose={done} /></Match>
          <Match when={open.kind === 'delete'}><DeleteDialog actions={a} message={open.message} onClose={done} /></Match>
          <Match when={open.kind === 'react'}>
            <Dialog title="Add reaction" onClose={done}>
              {(close) => <EmojiPicker onPick={(emoji) => { toggleReaction(a.conversation, open.message.id, emoji); close() }} />}
            </Dialog>
          </Match>
        </Switch>
      )}
    </Show>
  )
}

function ForwardDialog(props: { actions: MessageActions; message: MessageItem; onClose: () => void }): JSX.Element {
  const { model } = useApp()
  const [error, setError] = createSignal<string | null>(null)
  const targets = () => model.inbox().filter((i) => !i.readOnly && i.creation === null && i.conv !== props.actions.conversation.conv)
  return (
    <Dialog title="Forward message" onClose={props.onClose}>
      {(close) => (
        <div class="forward-body">
          <p class="forward-snippet">{snippet(props.message)}</p>
          <Show when={error()}>{(m) => <p class="composer-error" role="alert">{m()}</p>}</Show>
          <ul class="forward-list" aria-label="Forward to">
            <For each={targets()}>
              {(item) => (
                <li>
                  <button type="button" class="forward-target" onClick={() => {
                    try {
                      props.actions.conversation.forward(props.message.id, item.conv)
                      close()
                    } catch (err) {
                      if (!(err instanceof WaggleError)) throw err
                      setError(err.message)
                    }
                  }}>{item.title}</button>
                </li>
              )}
            </For>
          </ul>
        </div>
      )}
    </Dialog>
  )
}

function DeleteDialog(props: { actions: MessageActions; message: MessageItem; onClose: () => void }): JSX.Element {
  return (
    <Dialog title="Delete message?" onClose={props.onClose}>
      {(close) => (
        <div class="confirm-body">
          <p>“{snippet(props.message)}” will be deleted for everyone in this conversation.</p>
          <div class="dialog-actions">
            <button type="button" class="button" onClick={close}>Cancel</button>
            <button type="button" class="button button-danger" onClick={() => {
              try {
                props.actions.conversation.remove(props.message.id)
              } catch (err) {
                console.error('Could not delete the message', err)
              }
              close()
            }}>Delete</button>
          </div>
        </div>
      )}
    </Dialog>
  )
}
