import { Origin, Reason, WaggleError, appendMessage, docName, newMessageId, type ConvId, type LiveMessage } from '@waggle/schema'
import type { ConversationDeps } from './ConversationModel.ts'

/**
 * Appends a copy of `src` (from `from`) to the current segment of `to`, marked as forwarded
 * from the original's author. The copy keeps the text only: replies and mentions belong to
 * the original conversation. Works offline: the target's segment is written like any send.
 */
export function forwardMessage(deps: Pick<ConversationDeps, 'me' | 'sync' | 'inboxEntry' | 'now'>, src: LiveMessage, from: ConvId, to: ConvId): void {
  const target = deps.inboxEntry(to)
  if (target === undefined) throw new WaggleError(Reason.notFound, 'That conversation is not on this device yet')
  if (target.readOnly) throw new WaggleError(Reason.readOnly, 'That conversation is read-only for you')
  const handle = deps.sync.open(docName.segment(to, target.segment))
  try {
    const now = deps.now()
    const original = src.forwarded ?? { author: src.author, conv: from, time: src.time }
    appendMessage(handle.doc, { id: newMessageId(now), author: deps.me, time: now, text: src.text, forwarded: original }, Origin.local)
  } finally {
    // The write is stored and queued on the update; the handle only keeps the document open.
    handle.release()
  }
}
