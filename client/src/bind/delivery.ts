import { parseDocName, type ConvId, type DocName, type MessageId, type Receipt, type StoredMessage, type UserId } from '@waggle/schema'
import type { MessageItem } from './model.ts'

/** What the outbox says about one message id (ARCHITECTURE §4: pending, sent or rejected). */
export interface OutboxMark {
  state: 'pending' | 'rejected'
  /** The relay's explanation of a rejection. */
  reason: string | null
  /** The outbox entry holding the message (null while it is still being stored). */
  seq: number | null
}

/** The parts of an outbox entry the mapping needs. */
export interface OutboxLike {
  seq?: number
  doc: DocName
  state?: 'pending' | 'rejected'
  reason?: string
  message?: string
}

/**
 * Marks for every message id that outbox entries of `conv`'s segments write. A rejected entry
 * wins over a pending one for the same id (the user must act on it); among equals the newest.
 */
export function outboxMarks<E extends OutboxLike>(entries: readonly E[], conv: ConvId, idsOf: (entry: E) => readonly MessageId[]): Map<MessageId, OutboxMark> {
  const marks = new Map<MessageId, OutboxMark>()
  for (const entry of entries) {
    const doc = parseDocName(entry.doc)
    if (doc?.kind !== 'segment' || doc.conv !== conv) continue
    const mark: OutboxMark = {
      state: entry.state ?? 'pending',
      reason: entry.state === 'rejected' ? (entry.message ?? entry.reason ?? null) : null,
      seq: entry.seq ?? null,
    }
    for (const id of idsOf(entry)) {
      if (marks.get(id)?.state === 'rejected' && mark.state !== 'rejected') continue
      marks.set(id, mark)
    }
  }
  return marks
}

/** Whether two mark maps say the same about every message (so views need not be rebuilt). */
export function sameMarks(a: ReadonlyMap<MessageId, OutboxMark>, b: ReadonlyMap<MessageId, OutboxMark>): boolean {
  if (a.size !== b.size) return false
  for (const [id, x] of a) {
    const y = b.get(id)
    if (y === undefined || y.state !== x.state || y.reason !== x.reason || y.seq !== x.seq) return false
  }
  return true
}

/** Own messages: from the outbox, `sent` once it holds them no more; others' messages: `received`. */
export function deliveryOf(message: Pick<StoredMessage, 'id' | 'author'>, me: UserId, marks: ReadonlyMap<MessageId, OutboxMark>): Pick<MessageItem, 'delivery' | 'rejectReason'> {
  if (message.author !== me) return { delivery: 'received', rejectReason: null }
  const mark = marks.get(message.id)
  if (mark === undefined) return { delivery: 'sent', rejectReason: null }
  return mark.state === 'rejected' ? { delivery: 'rejected', rejectReason: mark.reason ?? 'Refused by the server.' } : { delivery: 'pending', rejectReason: null }
}

/**
 * "Seen by": for each other reader, the latest own message at or before their receipt.
 * `ownIds` must be sorted ascending; names are listed in reader order.
 */
export function seenBy(ownIds: readonly MessageId[], seen: ReadonlyMap<UserId, Receipt>, me: UserId, nameOf: (id: UserId) => string): Map<MessageId, string[]> {
  const out = new Map<MessageId, string[]>()
  for (const [reader, receipt] of seen) {
    if (reader === me) continue
    const id = latestAtOrBefore(ownIds, receipt.message)
    if (id === null) continue
    const names = out.get(id) ?? []
    names.push(nameOf(reader))
    out.set(id, names)
  }
  return out
}

function latestAtOrBefore(sorted: readonly MessageId[], bound: MessageId): MessageId | null {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((sorted[mid] ?? '') <= bound) lo = mid + 1
    else hi = mid
  }
  return lo === 0 ? null : (sorted[lo - 1] ?? null)
}
