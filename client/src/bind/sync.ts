import { DexieDocStorage, SyncClient, type SyncStatus } from '../sync/index.ts'
import { createSignal, onCleanup, type Accessor } from 'solid-js'
import type { Session } from '../api/auth.ts'

/** Starts the sync layer for a session (the binding layer: components never see Yjs or Dexie). */
export function makeSyncClient(session: Session): SyncClient {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
  const account = `${session.workspaceId}.${session.userId}`
  return new SyncClient({ account, url: `${scheme}//${location.host}/ws`, token: session.token, storage: new DexieDocStorage({ account }) })
}

/** The sync status as a Solid signal. */
export function createSyncStatus(client: SyncClient): Accessor<SyncStatus> {
  const [status, setStatus] = createSignal(client.status.get())
  onCleanup(client.status.subscribe(setStatus))
  return status
}
