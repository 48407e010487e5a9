import type { ConvId } from '@waggle/schema'
import { Show, createEffect, createSignal, onCleanup, type JSX } from 'solid-js'
import { useApp } from '../context.ts'
import { Composer } from './Composer.tsx'
import { createAttachmentDraft } from './Attachments.tsx'
import { ConversationHeader } from './ConversationHeader.tsx'
import { MessageDialogs } from './MessageDialogs.tsx'
import { MessageList, type MessageListApi } from './MessageList.tsx'
import { MessageActionsContext, createMessageActions } from './messageActions.ts'
import './conversation.css'

/** One open conversation: header, message log, composer. Disposes its model when it closes. */
export function ConversationView(props: { conv: ConvId }): JSX.Element {
  const { model } = useApp()
  // The route remounts this view for another id, so the id is fixed for its lifetime.
  const conversation = model.openConversation(props.conv)
  onCleanup(() => conversation.dispose())
  let list: MessageListApi | undefined
  const actions = createMessageActions(conversation, (id) => list?.scrollToMessage(id) ?? false)
  // Files chosen with the paper clip or dropped onto the conversation (a visible drop zone).
  const files = createAttachmentDraft(model.files)
  const [dragging, setDragging] = createSignal(false)
  const carriesFiles = (e: DragEvent) => e.dataTransfer?.types.includes('Files') === true && conversation.cannotSend() === null

  createEffect(() => {
    const title = conversation.info()?.title ?? model.inbox().find((i) => i.conv === props.conv)?.title
    document.title = title === undefined ? 'Waggle' : `${title} · Waggle`
  })
  onCleanup(() => (document.title = 'Waggle'))

  return (
    <section
      class="conversation" aria-labelledby="conversation-title"
      onDragOver={(e) => { if (carriesFiles(e)) { e.preventDefault(); setDragging(true) } }}
      onDragLeave={(e) => { if (e.relatedTarget === null || !e.currentTarget.contains(e.relatedTarget as Node)) setDragging(false) }}
      onDrop={(e) => { if (!carriesFiles(e)) return; e.preventDefault(); setDragging(false); files.add([...(e.dataTransfer?.files ?? [])]) }}
    >
      <Show when={dragging()}><div class="drop-zone" aria-hidden="true">Drop files to attach</div></Show>
      <ConversationHeader conversation={conversation} titleId="conversation-title" />
      <MessageActionsContext.Provider value={actions}>
        <MessageList conversation={conversation} ref={(api) => (list = api)} />
        <Composer conversation={conversation} onSent={() => list?.scrollToEnd()} files={files} />
        <MessageDialogs actions={actions} />
      </MessageActionsContext.Provider>
    </section>
  )
}
