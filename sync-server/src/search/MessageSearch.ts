import type { ConvId, DocName, MessageId, RelaySearchHit, UserId } from '@waggle/schema'

/** One segment document whose messages are indexed. */
export interface SegmentRef {
  doc: DocName
  conv: ConvId
  seg: number
}

/** A live message as the index keeps it (deleted messages are never in the index). */
export interface IndexedMessage {
  id: MessageId
  author: UserId
  time: number
  text: string
}

/** Where a user may find messages: conversations they belong to, from their first readable segment on. */
export interface ReadableConversation {
  conv: ConvId
  /** Segments below this one are hidden history for this user. */
  firstSegment: number
}

export interface MessageQuery {
  /** Folded query words (`queryTerms`): every one must match the start of a word of the message. */
  words: string[]
  readable: ReadableConversation[]
  /** Segments the device searched itself, left out here. */
  local: { conv: ConvId; seg: number }[]
  limit: number
  offset: number
}

export interface MessagePage {
  /** Newest first (time, then id). */
  hits: RelaySearchHit[]
  more: boolean
}

/**
 * The relay's full-text index of live messages (issue 6), kept up to date by `SearchIndexer`
 * from the hub's applied segment writes. `SqliteMessageSearch` keeps it in the relay's SQLite
 * file (FTS5); `MemoryMessageSearch` in memory, for the memory stores. Another database
 * implements these five methods.
 *
 * Implementations also remember how far each stored segment document is indexed, so that
 * {@link unindexed} finds what a crash between a write's commit and its index update, a
 * failed index update, or a database older than the index left behind.
 */
export interface MessageSearch {
  /**
   * Applies one stored write of `seg` (called once per appended update, in order): upserts
   * `put`, removes `removed`. Resolves after the change is committed.
   */
  update(seg: SegmentRef, put: readonly IndexedMessage[], removed: readonly MessageId[]): Promise<void>
  /**
   * Replaces every indexed message of `seg` with `messages`, the whole live content of the
   * document as it stands after all its stored writes (backfill), and marks it indexed.
   */
  replace(seg: SegmentRef, messages: readonly IndexedMessage[]): Promise<void>
  /** Stored segment documents whose index is missing or behind. */
  unindexed(): Promise<SegmentRef[]>
  search(query: MessageQuery): Promise<MessagePage>
  close(): Promise<void>
}
