/** @waggle/client public entry. */
export { DexieDocStorage, MemoryDocStorage, SyncClient, Watchable, dbNameFor, initialStatus } from './sync/index.ts'
export type { DocHandle, DocStorage, OutboxEntry, SyncClientOptions, SyncState, SyncStatus, TabEnvironment, UnstoredUpdate } from './sync/index.ts'
export { createAppModel, groupCommand } from './bind/createAppModel.ts'
export type { AppModelOptions } from './bind/createAppModel.ts'
export { CannotSend } from './bind/ConversationModel.ts'
export { LocalIndex, indexDbNameFor } from './bind/LocalIndex.ts'
export type { CommandRow, ConvIndexRow } from './bind/LocalIndex.ts'
export { hueOf, initialsOf } from './bind/people.ts'
export type {
  AppModel, ConversationInfo, ConversationModel, InboxFilter, InboxItem, Me, MessageItem, NewGroup, Person, PersonPresence, PresenceModel,
} from './bind/model.ts'
