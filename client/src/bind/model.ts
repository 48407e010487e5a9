import type {
  AttachmentRef, Availability, ClearAfterChoice, ContactId, ConvId, MessageId, OnlineState, RecentSearch, SavedStatus, ShownStatus, SystemEvent, UserId,
} from '@waggle/schema'
import type { Accessor } from 'solid-js'
import type { GroupActions } from './groups.ts'
import type { SyncStatus } from '../sync/index.ts'
import type { NotifyPermission } from './browserNotices.ts'
import type { NotifySetting } from './notify.ts'

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
  /** A workspace admin: manages every group they are a member of. */
  isAdmin: boolean
  /** An external person (guest): reads the directory's names but manages nothing. */
  isGuest: boolean
}

/** What the app shows of a person's presence, kept current (clear-after, last seen) by a clock. */
export interface PersonPresence {
  status: ShownStatus
  online: OnlineState
  /** "in conference | until 14:00", the status message, or null. */
  line: string | null
  /** "Online", "Last seen 5 minutes ago", "Offline". */
  seen: string
}

/** A custom status as the "Set status" form gives it. */
export interface StatusInput {
  availability: Availability
  message: string
  emoji: string | null
  clearAfter: ClearAfterChoice
  /** Also keep it among the saved statuses. */
  save: boolean
}

/** Presence and status (issue 5): everyone's, live; the signed-in user's, editable offline. */
export interface PresenceModel {
  /**
   * Reactive presence of `user`; call inside a Solid owner (a component): their presence
   * document stays open while it lives. Until it is on the device: Available, no message,
   * offline and never seen.
   */
  of(user: UserId): Accessor<PersonPresence | null>
  /** The signed-in user's presence (this device counts as online while used). */
  mine: Accessor<PersonPresence>
  setAvailability(availability: Availability): void
  /** Throws a WaggleError (reason invalid-content) for a message over 100 characters, or a clear-after time in the past. */
  setStatus(input: StatusInput): void
  /** Back to Available without a message. */
  clearStatus(): void
  saved: Accessor<SavedStatus[]>
  removeSaved(id: string): void
  /** The "can modify presence" permission: may set colleagues' availability. */
  canModifyOthers: boolean
  /** Sets a colleague's availability (needs {@link canModifyOthers}; the relay refuses it otherwise). */
  setAvailabilityOf(user: UserId, availability: Availability): void
  /** Automatic statuses: a conference ("in conference | until HH:MM") and a calendar event override the chosen status while they last. */
  startConference(until?: number): void
  endConference(): void
  setCalendarEvent(event: { title: string; start: number; end: number } | null): void
}

/** A phonebook contact with an email address: someone who can be added to a conversation. */
export interface PhonebookContact {
  id: ContactId
  name: string
  company: string
  email: string
  initials: string
  hue: number
}

/** A colleague (or, with `external`, a guest) from the workspace directory. */
export interface Person {
  id: UserId
  name: string
  email: string
  title: string
  extension: string
  /** An external person (a guest of the workspace), not a colleague. */
  external: boolean
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
  /** One of the unread messages mentions this user. */
  mentioned: boolean
  pinned: boolean
  archived: boolean
  /** Hidden, and no message arrived since: out of the inbox (see `bind/organise.ts`). */
  hidden: boolean
  /** No notifications from this conversation. */
  muted: boolean
  /** This user's unsent text here (synced across their devices), or null. */
  draft: string | null
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
  /** The message this one replies to (it may not be loaded). */
  replyTo: MessageId | null
  /** Members mentioned with `@`. */
  mentions: UserId[]
  /** Set on a forwarded copy: the original's author (and name), conversation and time. */
  forwarded: { author: UserId; authorName: string; time: number } | null
  /** Files sent with it (absent when none). */
  attachments?: readonly AttachmentRef[]
  /** A membership event the relay wrote (rendered as a centered line; `text` is its plain sentence). */
  system?: SystemEvent
}

/** One emoji under one message. */
export interface ReactionSummary {
  emoji: string
  count: number
  /** This user reacted with it. */
  mine: boolean
  users: UserId[]
  /** Who reacted ("You" first when mine). */
  names: string[]
}

/** Options of {@link ConversationModel.send}. */
export interface SendOptions {
  replyTo?: MessageId
  mentions?: UserId[]
  /** Files queued with `AppModel.files.queue` (the text may then be empty). */
  attachments?: AttachmentRef[]
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
  send(text: string, options?: SendOptions): void
  /** Replaces the text of an own message (shown as edited); throws a WaggleError for others' or deleted ones. */
  edit(message: MessageId, text: string, mentions?: UserId[]): void
  /** Deletes an own message for everyone (a tombstone: "Message deleted"). */
  remove(message: MessageId): void
  /** Adds this user's reaction with `emoji`, or takes it back. */
  toggleReaction(message: MessageId, emoji: string): void
  /** Reactions of the loaded messages that have any. */
  reactions: Accessor<Map<MessageId, ReactionSummary[]>>
  /** Appends a copy of a loaded message to another conversation, marked as forwarded. */
  forward(message: MessageId, to: ConvId): void
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
  /** People without an account here (phonebook contacts, typed addresses): they join as external members. */
  emails?: string[]
  /** External members may read and react but not write or see the member list. */
  readOnly?: boolean
  /** Anyone with the link may join. */
  byLink?: boolean
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
  /**
   * Opens (or creates) the direct conversation with whoever has `email`: the colleague with that
   * address, else an external person (the relay makes them a guest; the id is derived from the
   * address, so this works offline too).
   */
  createDirectWith(email: string): ConvId
  /** External people (guests) the workspace knows from conversations, by name. */
  guests: Accessor<Person[]>
  /** Presence and status of everyone, and the signed-in user's own. */
  presence: PresenceModel
  /** The workspace phonebook's contacts that have an email address. */
  contacts: Accessor<PhonebookContact[]>
  /** Creates a group through the command outbox; the id is made on the device. */
  createGroup(group: NewGroup): ConvId
  setPinned(conv: ConvId, pinned: boolean): void
  setArchived(conv: ConvId, archived: boolean): void
  /** Group conversations: members, info, link (groups.ts). */
  groups: GroupActions
  /** Hides a conversation until a new message arrives in it (or shows it again). */
  setHidden(conv: ConvId, hidden: boolean): void
  setMuted(conv: ConvId, muted: boolean): void
  /** Reactive: the unsent draft of `conv` ('' when none), from any of this user's devices. */
  draft(conv: ConvId): string
  /** Stores the draft in the private document ('' removes it); callers debounce (`bind/drafts.ts`). */
  setDraft(conv: ConvId, text: string): void
  /**
   * The groups both this user and `peer` are members of (read from the groups' metadata,
   * opened while the caller's owner lives). Call inside a Solid owner.
   */
  conversationsInCommon(peer: UserId): Accessor<InboxItem[]>
  /** Browser notifications: which messages notify (`notifications` setting in the private document). */
  notificationSetting: Accessor<NotifySetting>
  setNotificationSetting(setting: NotifySetting): void
  notificationPermission: Accessor<NotifyPermission>
  /** Asks the browser for permission to notify (call from a click). */
  enableNotifications(): Promise<void>
  /** Attachments: upload queue, progress and files. */
  files: FilesModel
  /** Search across conversations, messages, colleagues and contacts (issue 6). */
  search: SearchModel
  /** Whether the browser granted persistent storage (`navigator.storage.persist()`). */
  persisted: Accessor<boolean | null>
  /** Signs out on the server (when reachable) and, when asked, deletes this account's data on this device. */
  signOut(options: { clearLocalData: boolean }): Promise<void>
  dispose(): void
}

/** An upload's progress, the same in every tab (from the shared queue). */
export interface UploadProgress {
  state: 'pending' | 'done' | 'failed'
  /** Bytes the relay has. */
  offset: number
  size: number
  /** Why it failed. */
  error: string | null
}

/** An attachment's bytes for display: an object URL once on this device. */
export type FileView = { state: 'ready'; url: string } | { state: 'waiting' } | { state: 'error'; message: string }

/** Attachments: queue files for a message, watch uploads, open files (issue 4). */
export interface FilesModel {
  maxFileBytes: number
  /** Why these files cannot be sent (too many, too big), or null. */
  check(files: readonly { name: string; size: number }[]): string | null
  /** Stores the files on the device and queues their upload; the refs go into the message. Throws a WaggleError past the limits. */
  queue(conv: ConvId, files: readonly File[]): AttachmentRef[]
  /** Reactive: progress of an upload this device (or another tab) made; undefined for others' files. */
  progress(id: string): UploadProgress | undefined
  retry(id: string): void
  /** Call inside a component: the file from this device, else fetched (and kept for offline); polls while it is still uploading. */
  file(ref: AttachmentRef): Accessor<FileView>
}

// --- search (issue 6) -----------------------------------------------------------------------

export type SearchCategory = 'conversations' | 'messages' | 'colleagues' | 'contacts'
export const SEARCH_CATEGORIES: readonly SearchCategory[] = ['conversations', 'messages', 'colleagues', 'contacts']

/** Start and end (exclusive) offsets, in UTF-16 code units of the shown text, of a matched word part. */
export type MatchRange = readonly [start: number, end: number]

export interface ConversationHit {
  conv: ConvId
  kind: 'direct' | 'group'
  title: string
  peer: UserId | null
  avatar: { initials: string; hue: number }
  /** Ranges of the title that matched. */
  ranges: MatchRange[]
}

export interface MessageHit {
  conv: ConvId
  /** Title of the conversation it is in. */
  convTitle: string
  seg: number
  id: MessageId
  author: UserId
  authorName: string
  time: number
  text: string
  ranges: MatchRange[]
  /** Found in this device's index, or by the relay in a part of the conversation not on the device. */
  source: 'device' | 'relay'
}

export interface ColleagueHit {
  person: Person
  /** Phone numbers to show (the directory's phone and extension). */
  phones: string[]
  /** Which field matched, for highlighting: ranges per field. */
  ranges: { name: MatchRange[]; email: MatchRange[]; title: MatchRange[] }
}

export interface ContactHit {
  /** A phonebook contact (ContactId) or a guest known from conversations (UserId). */
  id: string
  source: 'phonebook' | 'guest'
  name: string
  company: string
  email: string
  phones: string[]
  initials: string
  hue: number
  ranges: { name: MatchRange[]; email: MatchRange[] }
}

/** The relay's part of a message search. */
export type RelaySearchState =
  | { state: 'idle' }
  | { state: 'searching' }
  | { state: 'done'; found: number }
  | { state: 'offline' }
  | { state: 'error'; message: string }

export interface SearchResults {
  query: string
  conversations: ConversationHit[]
  /** Newest first; as many as {@link SearchSession.setMessageLimit} asked for. */
  messages: MessageHit[]
  /** More messages past those shown (on the device or at the relay). */
  hasMoreMessages: boolean
  /** All messages found: exact on the device; the relay's part counts what it sent so far. */
  messageTotal: number
  /** False while the relay has more than it sent: then {@link messageTotal} is a lower bound. */
  messageTotalExact: boolean
  colleagues: ColleagueHit[]
  contacts: ContactHit[]
  relay: RelaySearchState
  /** The query read as a phone number (digits, spaces, +, leading 0), or null: offer "Create contact" when nothing matched it. */
  phoneNumber: string | null
}

/** One search field's live results; made inside a Solid owner and disposed with it. */
export interface SearchSession {
  /** Null while the query is empty. */
  results: Accessor<SearchResults | null>
  setQuery(query: string): void
  /** How many messages to show: 3 on All, 30 on Messages, then 30 more each time. */
  setMessageLimit(limit: number): void
}

/** An item opened from search results, kept in the private document (synced across devices). */
export type RecentItem = RecentSearch

export interface NewContact {
  name: string
  phones: string[]
  email?: string
  company?: string
}

/** Progress of the device's message index. */
export interface SearchIndexStatus {
  /** Building: segments still to read from storage. */
  state: 'building' | 'ready'
  /** Segments indexed and segments known on the device. */
  done: number
  total: number
  /** Messages in the index. */
  messages: number
}

export interface SearchModel {
  /** Call inside a Solid owner. */
  session(): SearchSession
  /** Newest first, at most 10 per category. */
  recent: Accessor<Record<SearchCategory, RecentItem[]>>
  /** Remembers an item the user opened from results (only opened items count). */
  remember(item: RecentItem): void
  /** Clears one category, or all of them. */
  clearRecent(category?: SearchCategory): void
  /** Saves a contact to the workspace phonebook through the relay (online only; throws a WaggleError with a message to show). */
  createContact(contact: NewContact): Promise<ContactId>
  indexStatus: Accessor<SearchIndexStatus>
}
