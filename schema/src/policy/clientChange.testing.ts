import * as Y from 'yjs'
import { collectChanges, type Changes } from './changes.ts'

/**
 * For the content checks' tests: `change` made on a client's replica of a document that `setup`
 * wrote (as the relay would), and what the relay sees of it: the document before, a copy with
 * the update applied, and the changes collected while applying it.
 */
export function clientChange(change: (doc: Y.Doc) => void, setup?: (doc: Y.Doc) => void): { before: Y.Doc; after: Y.Doc; changes: Changes } {
  const before = new Y.Doc()
  setup?.(before)
  const replica = new Y.Doc()
  Y.applyUpdate(replica, Y.encodeStateAsUpdate(before))
  const updates: Uint8Array[] = []
  replica.on('update', (u: Uint8Array) => updates.push(u))
  change(replica)
  const after = new Y.Doc()
  Y.applyUpdate(after, Y.encodeStateAsUpdate(before))
  const update = Y.mergeUpdates(updates)
  const changes = collectChanges(after, () => Y.applyUpdate(after, update))
  return { before, after, changes }
}
