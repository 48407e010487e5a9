import * as encoding from 'lib0/encoding'
import * as Y from 'yjs'

/**
 * The update a transaction makes, encoded before its observers run (on the document's
 * `beforeObserverCalls`). Yjs emits `update` only after every observer, and the app's observers
 * re-render the message list: 20 to 35 ms during which a tab closed after Enter lost the message
 * it had just shown (the torture suite's tab-close test). Encoding it here lets the outbox write
 * start at once.
 *
 * Yjs has no public encoder for a transaction, so this takes `encodeStateAsUpdate` since the
 * transaction's before-state (the same structs Yjs would write) and replaces its delete set,
 * which is the whole document's, by the transaction's own. Returns null when the layout is not
 * the one expected (the caller then waits for `update`), or when the transaction changed nothing.
 */
export function transactionUpdate(doc: Y.Doc, tr: Y.Transaction): Uint8Array | null {
  const changed = tr.deleteSet.clients.size > 0 || [...tr.afterState].some(([client, clock]) => tr.beforeState.get(client) !== clock)
  if (!changed) return null
  const whole = Y.encodeStateAsUpdate(doc, Y.encodeStateVector(tr.beforeState))
  const wholeDeletes = encodeDeleteSet(Y.createDeleteSetFromStructStore(doc.store))
  if (!endsWith(whole, wholeDeletes)) return null
  const structs = whole.subarray(0, whole.byteLength - wholeDeletes.byteLength)
  const own = encodeDeleteSet(tr.deleteSet)
  const out = new Uint8Array(structs.byteLength + own.byteLength)
  out.set(structs, 0)
  out.set(own, structs.byteLength)
  return out
}

/** What a Yjs delete set holds (Yjs does not export its type). */
type DeleteSet = ReturnType<typeof Y.createDeleteSet>

/** A delete set as Yjs' V1 update encoder writes it: clients in descending order, then ranges. */
function encodeDeleteSet(ds: DeleteSet): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, ds.clients.size)
  for (const [client, items] of [...ds.clients].sort((a, b) => b[0] - a[0])) {
    encoding.writeVarUint(encoder, client)
    encoding.writeVarUint(encoder, items.length)
    for (const item of items) {
      encoding.writeVarUint(encoder, item.clock)
      encoding.writeVarUint(encoder, item.len)
    }
  }
  return encoding.toUint8Array(encoder)
}

function endsWith(bytes: Uint8Array, tail: Uint8Array): boolean {
  if (tail.byteLength > bytes.byteLength) return false
  const offset = bytes.byteLength - tail.byteLength
  for (let i = 0; i < tail.byteLength; i++) if (bytes[offset + i] !== tail[i]) return false
  return true
}
