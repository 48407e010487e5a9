import type { ConvId, MessageId, UserId } from '@waggle/schema'
import type { Accessor } from 'solid-js'
import type { SyncStatus } from '../sync/index.ts'

/**
 * What the UI reads and calls (ARCHITECTURE §5): Solid accessors made by the binding layer
 * from documents and local indexes, and typed actions. Components never see Yjs or Dexie.
 */

/** The signed-in person. */
export interface Me {
  userId: UserId
  workspaceId: string
  email: string
  /** From the directory once it is on the device; the email until then. */
  name: Accessor<string>
}

/** A colleague from the workspace directory. */
export interface Person {
  id: UserId
  name: string
  email: string
  title: string
  extension: string
  /** Up to two letters for the avatar. */
  initials: string
  /** 0..359, stable per id, for the avatar's colour. */
  hue: number
}

export interface InboxItem {
  conv: ConvId
  kind: 'direct' | 'group'
  /** Display title: the group's name, or the other person's name in a direct conversation. */
  title: string
  /** The other person of a direct conversation. */
  peer: UserId | null
  avatar: { initials: string; hue: number }
  last: {
    id: MessageId
    authorName: string
    own: boolean
    time: number
    preview: string
    deleted: boolean
  } | null
  /** Time of the last message, or of creation: the order after pinned ones. */
  activityAt: number
  /** Messages from others after this user's read position (from the local index). */
  unread: number
  pinned: boolean
  archived: boolean
  /** This user may read but not write. */
  readOnly: boolean
  /** Created on this device and not yet accepted by the server (the command is in the outbox). */
  creation: 'pending' | 'rejected' | null
  /** Why the server refused to create it. */
  creationError: string | null
}

export type InboxFilter = 'all' | 'unread' | 'archived'

export interface MessageItem {
  id: MessageId
  author: UserId
  authorName: string
  own: boolean
  time: number
  /** Empty for a deleted message. */
  text: string
  deleted: boolean
  editedAt: number | null
  /**
   * Own messages: `pending` while the update waits in the outbox, `rejected` when the relay
   * refused it, `sent` once acknowledged. Messages of others: `received`.
   */
  delivery: 'pending' | 'sent' | 'rejected' | 'received'
  /** The relay's reason for a rejected message. */
  rejectReason: string | null
}

export interface ConversationInfo {
  conv: ConvId
  kind: 'direct' | 'group'
  title: string
  description: string
  peer: UserId | null
  avatar: { initials: string; hue: number }
  members: Person[]
  memberCount: number
  createdByName: string
  createdAt: number
}

/** One open conversation; `dispose()` when the view closes. */
export interface ConversationModel {
  readonly conv: ConvId
  /** Null until the metadata is on the device (or while the creation is pending: from the command). */
  info: Accessor<ConversationInfo | null>
  /** Loaded messages, oldest first. */
  messages: Accessor<MessageItem[]>
  /** True until the newest segment's stored copy is loaded. */
  loading: Accessor<boolean>
  /** Older segments exist that are not loaded yet. */
  hasOlder: Accessor<boolean>
  loadingOlder: Accessor<boolean>
  /** Loads the previous segment (call when the list is scrolled near the top). */
  loadOlder(): Promise<void>
  /** Why this user cannot send here (read-only, creation pending or rejected); null when they can. */
  cannotSend: Accessor<string | null>
  /** Appends a message (ids made on the device); throws a WaggleError for a too-long text. */
  send(text: string): void
  /** Moves the read position forward to `upTo` (never back) and publishes the read receipt. */
  markRead(upTo: MessageId): void
  /** This user's read position when the conversation was opened (for a "new messages" line). */
  readPositionAtOpen: Accessor<MessageId | null>
  /** For each own message that others have read up to: who. Only the latest such message per reader. */
  seenBy: Accessor<Map<MessageId, string[]>>
  retry(message: MessageId): Promise<void>
  /** Drops a rejected message from this device. */
  discard(message: MessageId): Promise<void>
  dispose(): void
}

export interface NewGroup {
  title: string
  description?: string
  members: UserId[]
}

/** Everything the signed-in app needs; made once per session by `createAppModel`. */
export interface AppModel {
  me: Me
  /** Sync status; `pending` includes commands waiting to be sent. */
  status: Accessor<SyncStatus>
  /** Every conversation, pinned first, then by `activityAt`, newest first. Archived ones are included (filter in the UI). */
  inbox: Accessor<InboxItem[]>
  /** False until the local index has been read once (show a placeholder, not "no conversations"). */
  inboxReady: Accessor<boolean>
  /** Colleagues from the directory, by name, without the signed-in user. */
  colleagues: Accessor<Person[]>
  person(id: UserId): Person | undefined
  openConversation(conv: ConvId): ConversationModel
  /** Opens (or creates, through the command outbox) the direct conversation with `peer`. */
  createDirect(peer: UserId): ConvId
  /** Creates a group through the command outbox; the id is made on the device. */
  createGroup(group: NewGroup): ConvId
  setPinned(conv: ConvId, pinned: boolean): void
  setArchived(conv: ConvId, archived: boolean): void
  /** Whether the browser granted persistent storage (`navigator.storage.persist()`). */
  persisted: Accessor<boolean | null>
  /** Signs out on the server (when reachable) and, when asked, deletes this account's data on this device. */
  signOut(options: { clearLocalData: boolean }): Promise<void>
  dispose(): void
}
