import { createContext, createSignal, useContext, type Accessor, type Setter } from 'solid-js'
import type { ConversationModel, MessageItem } from '../../bind/model.ts'

/**
 * What a message's actions start and the composer or a dialog finishes: the reply being
 * written, the message being edited, and the message a dialog is open for. Shared by the rows
 * (which the list virtualises, so they hold no state) and the composer of one conversation.
 */
export interface MessageActions {
  conversation: ConversationModel
  replyTo: Accessor<MessageItem | null>
  setReplyTo: Setter<MessageItem | null>
  editing: Accessor<MessageItem | null>
  setEditing: Setter<MessageItem | null>
  dialog: Accessor<{ kind: 'forward' | 'delete' | 'react'; message: MessageItem } | null>
  setDialog: Setter<{ kind: 'forward' | 'delete' | 'react'; message: MessageItem } | null>
  /** Scrolls the list to a loaded message; false when it is not loaded. */
  scrollTo(id: string): boolean
}

export function createMessageActions(conversation: ConversationModel, scrollTo: (id: string) => boolean): MessageActions {
  const [replyTo, setReplyTo] = createSignal<MessageItem | null>(null)
  const [editing, setEditing] = createSignal<MessageItem | null>(null)
  const [dialog, setDialog] = createSignal<{ kind: 'forward' | 'delete' | 'react'; message: MessageItem } | null>(null)
  return { conversation, replyTo, setReplyTo, editing, setEditing, dialog, setDialog, scrollTo }
}

export const MessageActionsContext = createContext<MessageActions>()

/** The conversation's message actions; undefined outside a conversation view (rows then show no menu). */
export function useMessageActions(): MessageActions | undefined {
  return useContext(MessageActionsContext)
}

/** A short one-line excerpt of a message for quotes. */
export function snippet(m: Pick<MessageItem, 'text' | 'deleted'>, length = 80): string {
  if (m.deleted) return 'Message deleted'
  const line = m.text.replace(/\s+/g, ' ').trim()
  return line.length > length ? `${line.slice(0, length - 1)}…` : line
}
