import type { ConvId } from '@waggle/schema'
import { Show, createEffect, createSignal, on, onCleanup, type JSX } from 'solid-js'
import { useApp } from '../context.ts'
import { loadUntilFound } from '../format/search.ts'
import { Composer } from './Composer.tsx'
import { createAttachmentDraft } from './Attachments.tsx'
import { ConversationHeader } from './ConversationHeader.tsx'
import { MessageDialogs } from './MessageDialogs.tsx'
import { MessageList, type MessageListApi } from './MessageList.tsx'
import { MessageActionsContext, createMessageActions } from './messageActions.ts'
import './conversation.css'

/** How long a message jumped to stays highlighted. */
const HIGHLIGHT_MS = 2500

/**
 * One open conversation: header, message log, composer. Disposes its model when it closes.
 * `target`: a message to jump to (from search): older segments load until it is there, then it
 * is scrolled to, highlighted for a moment and focused; `onTargetHandled` once that is done.
 */
export function ConversationView(props: { conv: ConvId; target?: string | null; onTargetHandled?: () => void }): JSX.Element {
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

  // Jump to a message (a search result).
  const [jump, setJump] = createSignal<{ id: string; highlighted: boolean } | null>(null)
  const [missing, setMissing] = createSignal(false)
  let jumps = 0
  let highlightTimer: ReturnType<typeof setTimeout> | undefined
  onCleanup(() => {
    jumps++
    clearTimeout(highlightTimer)
  })
  createEffect(on(() => props.target, (target) => {
    if (target !== null && target !== undefined) void jumpTo(target)
  }))

  async function jumpTo(id: string): Promise<void> {
    const run = ++jumps
    setMissing(false)
    const found = await loadUntilFound({
      has: () => conversation.messages().some((m) => m.id === id),
      busy: () => conversation.loading() || conversation.loadingOlder(),
      hasOlder: () => conversation.hasOlder(),
      loadOlder: () => conversation.loadOlder(),
    }, { cancelled: () => run !== jumps })
    if (run !== jumps) return
    props.onTargetHandled?.()
    if (!found) {
      setMissing(true)
      return
    }
    clearTimeout(highlightTimer)
    setJump({ id, highlighted: true })
    // The virtualiser renders the row once it is scrolled near; sizes settle over a few frames.
    for (let attempt = 0; attempt < 30; attempt++) {
      if (attempt % 6 === 0) list?.scrollToMessage(id)
      await nextFrame()
      if (run !== jumps) return
      if (attempt >= 2 && list?.focusMessage(id) === true) break
    }
    highlightTimer = setTimeout(() => setJump((j) => (j?.id === id ? { id, highlighted: false } : j)), HIGHLIGHT_MS)
  }

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
        <Show when={missing()}>
          <p class="jump-notice" role="status">
            <span>That message is not available on this device.</span>
            <button type="button" class="link-button" onClick={() => setMissing(false)}>Dismiss</button>
          </p>
        </Show>
        <MessageList conversation={conversation} ref={(api) => (list = api)} jump={jump()} />
        <Composer conversation={conversation} onSent={() => list?.scrollToEnd()} files={files} />
        <MessageDialogs actions={actions} />
      </MessageActionsContext.Provider>
    </section>
  )
}

function nextFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => resolve()))
}
