/** @waggle/client public entry. */
export { DexieDocStorage, MemoryDocStorage, SyncClient, Watchable, dbNameFor, initialStatus } from './sync/index.ts'
export type { DocHandle, DocStorage, OutboxEntry, SyncClientOptions, SyncState, SyncStatus, TabEnvironment } from './sync/index.ts'
