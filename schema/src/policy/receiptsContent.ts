import * as Y from 'yjs'
import { Reason } from '../errors.ts'
import { kvEntries } from '../doc/kv.ts'
import { receiptOf } from '../doc/receipts.ts'
import type { UserId } from '../ids.ts'
import { checkLayout, sameValue, type Changes, type Layout } from './changes.ts'
import type { ContentRefusal, Writer } from './content.ts'

/** The receipts layout (doc/receipts.ts): one key-value array, keyed by user id. */
export const ReceiptsLayout: Layout = { seen: 'array' }
const SEEN = 'seen'

const refuse = (reason: Reason, message: string): ContentRefusal => ({ reason, message })
const isEntry = (e: unknown): e is { key: string; val: unknown } => typeof e === 'object' && e !== null && typeof (e as { key?: unknown }).key === 'string'
const raw = (x: unknown): { val: unknown } => ({ val: x })

/** Whether `val` is a receipt as doc/receipts.ts reads one (judged by its own parser). */
function validReceipt(val: unknown): boolean {
  const scratch = new Y.Doc()
  try {
    scratch.getArray(SEEN).push([{ key: 'u', val }])
    return receiptOf(scratch, 'u' as UserId) !== undefined
  } finally {
    scratch.destroy()
  }
}

/**
 * The content gate of a conversation's read receipts (`conv/{c}/receipts`): each member writes
 * only their own entry. Every entry the update adds is `{ key: writer, val: receipt }` with a
 * valid receipt; it may delete others' entries only where what they show stays the same (a
 * device cleaning up after concurrent writes, as YKeyValue does, removes a hidden duplicate).
 * The relay writes anything valid.
 */
export function checkReceiptsContent(before: Y.Doc, after: Y.Doc, writer: Writer, changes: Changes): ContentRefusal | null {
  const layout = checkLayout(ReceiptsLayout, changes, 'A receipts document')
  if (layout !== null) return layout
  for (const { value } of changes.inserted) {
    if (!isEntry(value)) return refuse(Reason.invalidContent, 'Not a receipts document’s layout')
    if (writer !== 'server' && value.key !== writer.userId) return refuse(Reason.forbidden, 'You may only mark what you have read yourself')
    if (!validReceipt(value.val)) return refuse(Reason.invalidContent, 'Not a valid read receipt')
  }
  if (writer === 'server') return null
  const others = new Set(changes.removed.flatMap(({ value }) => (isEntry(value) && value.key !== writer.userId ? [value.key] : [])))
  if (others.size === 0) return null
  const was = kvEntries(before, SEEN, raw)
  const now = kvEntries(after, SEEN, raw)
  for (const key of others) {
    if (!sameValue(was.get(key), now.get(key))) return refuse(Reason.forbidden, 'You may only mark what you have read yourself')
  }
  return null
}
