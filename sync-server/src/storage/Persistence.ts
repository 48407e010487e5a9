import { Reason, assert } from '@waggle/schema'
import type { DocName } from '@waggle/schema'
import type { ClientIdStore } from './ClientIdStore.ts'

/** What storage holds for one document: the last snapshot plus the updates appended after it. */
export interface StoredDoc {
  snapshot: Uint8Array | null
  /** Updates appended after the snapshot, in append order. */
  updates: Uint8Array[]
  /** Sequence number of the last update appended (0 when none ever was). */
  lastSeq: number
}

/**
 * Document storage: an append-only update log per document plus a snapshot that compaction
 * folds the log into (ARCHITECTURE §6). `append` resolves only once the update is committed,
 * which is what lets the relay acknowledge durably.
 */
export interface Persistence {
  load(doc: DocName): Promise<StoredDoc>
  /** Appends one update; resolves with its sequence number after the commit. */
  append(doc: DocName, update: Uint8Array): Promise<number>
  /**
   * Atomically replaces the snapshot with `snapshot` and deletes the updates with sequence
   * numbers up to and including `throughSeq`. Updates appended later stay.
   *
   * Does nothing if the stored snapshot already covers more (`throughSeq` below its own), so a
   * slow compaction that finishes after a newer one cannot lose the updates between them.
   * Rejects a `throughSeq` that is not an integer from 0 to `lastSeq` ({@link assertThroughSeq}).
   */
  compact(doc: DocName, snapshot: Uint8Array, throughSeq: number): Promise<void>
  /** How many updates are in the log after the snapshot. */
  logLength(doc: DocName): Promise<number>
  /**
   * The Yjs client id bindings of documents (the write gate's), kept with the documents so a
   * restarted relay keeps them. Optional: a relay over a persistence without it keeps them in memory.
   */
  readonly clientIds?: ClientIdStore
  close(): Promise<void>
}

/**
 * A snapshot can only cover updates that exist. One claiming more would make later, genuine
 * compactions look stale and be skipped.
 */
export function assertThroughSeq(doc: DocName, throughSeq: number, lastSeq: number): void {
  assert(
    Number.isSafeInteger(throughSeq) && throughSeq >= 0 && throughSeq <= lastSeq,
    Reason.internal,
    `Cannot compact ${doc} through seq ${throughSeq}: last seq is ${lastSeq}`,
  )
}
