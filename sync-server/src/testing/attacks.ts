import { Origin, type DocName } from '@waggle/schema'
import * as Y from 'yjs'
import type { TestClient, WriteResult } from './TestClient.ts'

/**
 * Sends `change` made on a fresh replica of what `client` has of `doc` (a new Yjs client id
 * unless `clientId` is given), as a crafted update frame: the attacker's tool. A fresh replica
 * per attack keeps one refused update from making the next one build on it.
 */
export function craft(client: TestClient, doc: DocName, change: (d: Y.Doc) => void, clientId?: number): { replica: Y.Doc; send: () => Promise<WriteResult>; update: Uint8Array } {
  const replica = new Y.Doc()
  Y.applyUpdate(replica, Y.encodeStateAsUpdate(client.doc(doc)))
  if (clientId !== undefined) replica.clientID = clientId
  const updates: Uint8Array[] = []
  replica.on('update', (u: Uint8Array) => updates.push(u))
  replica.transact(() => change(replica), Origin.local)
  const update = Y.mergeUpdates(updates)
  return { replica, update, send: () => client.sendUpdate(doc, update) }
}

/** {@link craft} and send. */
export const attack = (client: TestClient, doc: DocName, change: (d: Y.Doc) => void, clientId?: number): Promise<WriteResult> => craft(client, doc, change, clientId).send()
