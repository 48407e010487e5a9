import * as v from 'valibot'
import type * as Y from 'yjs'
import { ID_PATTERN, type MessageId, type UserId } from '../ids.ts'
import type { TxOrigin } from '../origins.ts'
import { kvEntries, kvGet, kvObserve, kvWrite } from './kv.ts'

/**
 * Read receipts of one conversation (`conv/{conv}/receipts`): how far each member has read,
 * so the others see "Seen by …". Each member writes only their own key (the write gate
 * enforces it); positions only move forward because message ids sort by time.
 */
const SEEN = 'seen'

const ReceiptSchema = v.object({
  message: v.pipe(v.string(), v.regex(ID_PATTERN)),
  at: v.pipe(v.number(), v.minValue(0)),
})
export type Receipt = { message: MessageId; at: number }

const parseReceipt = (x: unknown): Receipt | null => {
  const r = v.safeParse(ReceiptSchema, x)
  return r.success ? (r.output as Receipt) : null
}

export function receipts(doc: Y.Doc): Map<UserId, Receipt> {
  return kvEntries(doc, SEEN, parseReceipt) as Map<UserId, Receipt>
}

export function receiptOf(doc: Y.Doc, user: UserId): Receipt | undefined {
  return kvGet(doc, SEEN, user, parseReceipt)
}

/** Moves `user`'s receipt forward to `message`; returns whether it moved. */
export function markSeen(doc: Y.Doc, user: UserId, message: MessageId, now: number, origin: TxOrigin): boolean {
  const current = receiptOf(doc, user)
  if (current !== undefined && current.message >= message) return false
  kvWrite<Receipt>(doc, SEEN, origin, (set) => set(user, { message, at: now }))
  return true
}

export function observeReceipts(doc: Y.Doc, fn: (origin: unknown) => void): () => void {
  return kvObserve(doc, SEEN, fn)
}
