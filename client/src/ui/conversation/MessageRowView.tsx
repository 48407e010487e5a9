import { Show, type JSX } from 'solid-js'
import type { ConversationModel } from '../../bind/model.ts'
import { Avatar } from '../Avatar.tsx'
import { MessageActionsMenu, MessageHeading, MessageText } from './MessageExtras.tsx'
import { ReactionChips } from './Reactions.tsx'
import { MessageAttachments } from './Attachments.tsx'
import { useApp } from '../context.ts'
import { SystemMessageLine } from './groups/SystemMessageLine.tsx'
import { deliveryText } from '../format/delivery.ts'
import type { MessageRow } from '../format/rows.ts'
import { clockTime, fullTime } from '../format/time.ts'

/**
 * One message, with the day separator and "New messages" line above it when it starts them.
 * Author and time are visible at the start of a run and hidden-but-read otherwise, so a screen
 * reader hears author, time, text and delivery for every message.
 */
export function MessageRowView(props: {
  row: MessageRow
  conversation: ConversationModel
  latestOwn: boolean
  /** The message jumped to from search: highlighted for a moment, and focusable while it stays the target. */
  jump?: 'highlighted' | 'focusable' | null
}): JSX.Element {
  const { model } = useApp()
  const m = () => props.row.message
  const person = () => model.person(m().author)
  const delivery = () => deliveryText(m(), props.conversation.seenBy().get(m().id), props.latestOwn)
  const author = () => (m().own ? 'You' : m().authorName)
  const system = props.row.message.system
  if (system !== undefined) return <SystemMessageLine row={props.row} event={system} />

  return (
    <div
      class="msg-row" classList={{ 'msg-own': m().own, 'msg-first': props.row.showHeader, 'is-target': props.jump === 'highlighted' }}
      tabIndex={props.jump === 'highlighted' || props.jump === 'focusable' ? -1 : undefined} aria-current={props.jump === 'highlighted' ? 'true' : undefined}
    >
      <Show when={props.row.day}>{(day) => <div class="day-separator"><span>{day()}</span></div>}</Show>
      <Show when={props.row.firstUnread}>
        <div class="unread-divider"><span>New messages</span></div>
      </Show>
      <div class="msg">
        <div class="msg-gutter">
          <Show when={props.row.showHeader && !m().own}>
            <Avatar initials={person()?.initials ?? m().authorName.charAt(0).toUpperCase()} hue={person()?.hue ?? 30} size="sm" />
          </Show>
        </div>
        <div class="msg-content">
          <p class="msg-meta" classList={{ 'sr-only': !props.row.showHeader }}>
            <span class="msg-author" classList={{ 'sr-only': m().own }}>{author()}</span>
            <span class="sr-only">, </span>
            <time class="msg-time" datetime={new Date(m().time).toISOString()} title={fullTime(m().time)}>{clockTime(m().time)}</time>
          </p>
          <div class="bubble" classList={{ 'bubble-deleted': m().deleted, 'bubble-rejected': m().delivery === 'rejected', 'bubble-pending': m().delivery === 'pending' }}>
            <Show when={!m().deleted} fallback={<span>Message deleted</span>}>
              <MessageHeading message={m()} />
              <MessageText message={m()} />
              <Show when={m().editedAt !== null}><span class="msg-edited"> (edited)</span></Show>
              <Show when={m().attachments}>{(items) => <MessageAttachments items={items()} own={m().own} />}</Show>
            </Show>
          </div>
          <ReactionChips message={m()} conversation={props.conversation} />
          <MessageActionsMenu message={m()} />
          <DeliveryLine text={delivery()} row={props.row} conversation={props.conversation} />
        </div>
      </div>
    </div>
  )
}

function DeliveryLine(props: { text: string | null; row: MessageRow; conversation: ConversationModel }): JSX.Element {
  const m = () => props.row.message
  const act = (what: 'retry' | 'discard'): void => {
    props.conversation[what](m().id).catch((err: unknown) => console.error(`Could not ${what} the message`, err))
  }
  return (
    <Show when={props.text} fallback={<Show when={m().own && m().delivery === 'sent'}><span class="sr-only">Sent</span></Show>}>
      {(text) => (
        <p class="delivery" classList={{ 'delivery-error': m().delivery === 'rejected' }}>
          <span>{text()}</span>
          <Show when={m().delivery === 'rejected'}>
            <button type="button" class="link-button" onClick={() => act('retry')}>Retry</button>
            <button type="button" class="link-button" onClick={() => act('discard')}>Discard</button>
          </Show>
        </p>
      )}
    </Show>
  )
}
