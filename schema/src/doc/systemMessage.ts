import type * as Y from 'yjs'
import type { MessageId } from '../ids.ts'
import type { LiveMessage } from '../message.ts'
import type { TxOrigin } from '../origins.ts'
import type { SystemEvent } from '../systemEvent.ts'

/** The messages map of a segment (segment.ts owns the layout; same key). */
const MESSAGES = 'messages'

/**
 * Appends a system message (issue 4) to a segment: written by the relay only. `text` is a
 * plain sentence ("Anna Rossi added Lena Fischer") for previews and clients that do not know
 * `system`; the app renders it from `system` and the directory.
 */
export function appendSystemMessage(
  doc: Y.Doc, message: { id: MessageId; time: number; text: string; system: SystemEvent }, origin: TxOrigin,
): LiveMessage {
  const value: LiveMessage = {
    id: message.id, author: message.system.actor, time: message.time, text: message.text,
    system: { event: message.system.event, actor: message.system.actor, users: [...message.system.users] },
  }
  doc.transact(() => doc.getMap<unknown>(MESSAGES).set(message.id, value), origin)
  return value
}
