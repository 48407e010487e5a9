import { For, Show, createMemo, type JSX } from 'solid-js'
import type { MessageItem } from '../../bind/model.ts'
import { useApp } from '../context.ts'
import { splitMessageText } from '../format/linkify.ts'
import { MenuButton, type MenuEntry } from '../Menu.tsx'
import { snippet, useMessageActions } from './messageActions.ts'

/** The text with links (`<a>` elements, never HTML) and highlighted mentions. */
export function MessageText(props: { message: MessageItem }): JSX.Element {
  const { model } = useApp()
  const parts = createMemo(() => splitMessageText(props.message.text, props.message.mentions.map((id) => model.person(id)?.name ?? '')))
  return (
    <span class="msg-text">
      <For each={parts()}>
        {(part) => part.kind === 'link'
          ? <a href={part.href} target="_blank" rel="noopener noreferrer">{part.text}</a>
          : part.kind === 'mention' ? <span class="msg-mention">{part.text}</span> : part.text}
      </For>
    </span>
  )
}

/** "Forwarded from …" and the quoted message a reply answers, above the text. */
export function MessageHeading(props: { message: MessageItem }): JSX.Element {
  const actions = useMessageActions()
  const quoted = createMemo(() => {
    const id = props.message.replyTo
    return id === null ? undefined : actions?.conversation.messages().find((m) => m.id === id)
  })
  return (
    <>
      <Show when={props.message.forwarded}>{(f) => <span class="msg-forwarded">Forwarded from {f().authorName}</span>}</Show>
      <Show when={props.message.replyTo}>
        {(id) => (
          <button type="button" class="msg-quote" onClick={() => actions?.scrollTo(id())}
            aria-label={quoted() === undefined ? 'Reply to an earlier message' : `Reply to ${quoted()?.authorName ?? ''}: ${snippet(quoted() ?? { text: '', deleted: false })}`}>
            <Show when={quoted()} fallback={<span class="msg-quote-text">An earlier message</span>}>
              {(q) => <><span class="msg-quote-author">{q().own ? 'You' : q().authorName}</span><span class="msg-quote-text">{snippet(q())}</span></>}
            </Show>
          </button>
        )}
      </Show>
    </>
  )
}

/** The "Message actions" menu: reply, forward, react; edit and delete for own messages. */
export function MessageActionsMenu(props: { message: MessageItem }): JSX.Element {
  const actions = useMessageActions()
  const items = (): MenuEntry[] => {
    const a = actions
    const m = props.message
    if (a === undefined || m.deleted) return []
    const entries: MenuEntry[] = [
      { label: 'Reply', onSelect: () => { a.setEditing(null); a.setReplyTo(m) } },
      { label: 'Forward', onSelect: () => a.setDialog({ kind: 'forward', message: m }) },
      { label: 'Add reaction', onSelect: () => a.setDialog({ kind: 'react', message: m }) },
    ]
    if (m.own && m.delivery !== 'rejected') {
      entries.push({ label: 'Edit', onSelect: () => { a.setReplyTo(null); a.setEditing(m) } })
      entries.push({ label: 'Delete', danger: true, onSelect: () => a.setDialog({ kind: 'delete', message: m }) })
    }
    return entries
  }
  return (
    <Show when={items().length > 0}>
      <MenuButton label="Message actions" class="icon-button msg-actions" items={items()} portal>
        <svg width="16" height="16" viewBox="0 0 18 18" fill="currentColor" aria-hidden="true"><circle cx="4" cy="9" r="1.5" /><circle cx="9" cy="9" r="1.5" /><circle cx="14" cy="9" r="1.5" /></svg>
      </MenuButton>
    </Show>
  )
}
