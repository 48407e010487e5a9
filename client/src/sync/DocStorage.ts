import type { DocName, Reason } from '@waggle/schema'

/** A local update waiting for the relay's durable acknowledgement. */
export interface OutboxEntry {
  /** Device-local, strictly increasing; sent as the update frame's `seq`. */
  seq: number
  doc: DocName
  update: Uint8Array
  createdAt: number
  state: 'pending' | 'rejected'
  /** Set when the relay rejected the update. */
  reason?: Reason
  message?: string
}

/**
 * The device's copy of every document: an append-only update log per document, compacted
 * past a threshold, plus the outbox of local updates not yet acknowledged by the relay
 * (ARCHITECTURE §4, §5). One instance per signed-in account; several tabs may share it.
 */
export interface DocStorage {
  /** Every stored update of `doc` (after compaction, one merged update), oldest first. */
  load(doc: DocName): Promise<Uint8Array[]>
  /** Stores an update received from the relay or another tab. Resolves after commit. */
  storeRemote(doc: DocName, update: Uint8Array): Promise<void>
  /**
   * Stores a local edit and queues it in the outbox, in one transaction, so a crash never
   * leaves one without the other. Resolves with the outbox entry after a durable commit.
   */
  storeLocal(doc: DocName, update: Uint8Array): Promise<OutboxEntry>
  /** Merges the document's log into one update (atomically; concurrent appends are kept). */
  compact(doc: DocName): Promise<void>
  /** Number of log records for `doc`. */
  logLength(doc: DocName): Promise<number>
  /** Outbox entries, pending and rejected, in `seq` order. */
  outbox(): Promise<OutboxEntry[]>
  /** Removes acknowledged entries. */
  ack(seqs: readonly number[]): Promise<void>
  /** Marks an entry rejected with the relay's reason; it stays until retried or discarded. */
  reject(seq: number, reason: Reason, message: string): Promise<void>
  /** Puts a rejected entry back to pending (retry). */
  retry(seq: number): Promise<void>
  /** Removes an entry without sending it. */
  discard(seq: number): Promise<void>
  /** Names of all documents with stored updates. */
  docs(): Promise<DocName[]>
  /**
   * The change feed derived indexes follow (the search index): documents with updates stored
   * after `cursor` (0 at first), in storage order, at most `limit` of them, and the cursor to
   * continue from. A compaction counts as a change. Positions only grow, also across reloads.
   */
  changedSince(cursor: number, limit: number): Promise<StoredChanges>
  /** Calls `next` after updates were stored, by this tab or another (and possibly once at first); returns the unsubscribe. */
  onStored(next: () => void): () => void
  /** Deletes everything this account stored on the device (sign-out "clear local data"). */
  destroy(): Promise<void>
  close(): void
}

/** A page of the storage change feed ({@link DocStorage.changedSince}). */
export interface StoredChanges {
  docs: DocName[]
  /** Pass it to the next call; equal to the one given when nothing changed. */
  cursor: number
}

/** Compact a document's log once it has more records than this. */
export const COMPACT_THRESHOLD = 100
