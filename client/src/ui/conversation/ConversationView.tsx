import type { ConvId } from '@waggle/schema'
import { createEffect, onCleanup, type JSX } from 'solid-js'
import { useApp } from '../context.ts'
import { Composer } from './Composer.tsx'
import { ConversationHeader } from './ConversationHeader.tsx'
import { MessageList, type MessageListApi } from './MessageList.tsx'
import './conversation.css'

/** One open conversation: header, message log, composer. Disposes its model when it closes. */
export function ConversationView(props: { conv: ConvId }): JSX.Element {
  const { model } = useApp()
  // The route remounts this view for another id, so the id is fixed for its lifetime.
  const conversation = model.openConversation(props.conv)
  onCleanup(() => conversation.dispose())
  let list: MessageListApi | undefined

  createEffect(() => {
    const title = conversation.info()?.title ?? model.inbox().find((i) => i.conv === props.conv)?.title
    document.title = title === undefined ? 'Waggle' : `${title} · Waggle`
  })
  onCleanup(() => (document.title = 'Waggle'))

  return (
    <section class="conversation" aria-labelledby="conversation-title">
      <ConversationHeader conversation={conversation} titleId="conversation-title" />
      <MessageList conversation={conversation} ref={(api) => (list = api)} />
      <Composer conversation={conversation} onSent={() => list?.scrollToEnd()} />
    </section>
  )
}
