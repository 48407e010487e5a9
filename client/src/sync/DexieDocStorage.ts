import Dexie, { liveQuery, type EntityTable, type Table } from 'dexie'
import * as Y from 'yjs'
import { Reason, WaggleError, assert, isReason } from '@waggle/schema'
import type { DocName } from '@waggle/schema'
import { openAccountDb, type AccountDbOptions } from './accountDb.ts'
import { COMPACT_THRESHOLD, type DocStorage, type OutboxEntry, type StoredChanges } from './DocStorage.ts'

/** One record of a document's update log. */
interface UpdateRow {
  id: number
  doc: DocName
  update: Uint8Array
}

type WaggleDb = Dexie & {
  updates: EntityTable<UpdateRow, 'id'>
  outbox: EntityTable<OutboxEntry, 'seq'>
}

export type DexieDocStorageOptions = AccountDbOptions

/** IndexedDB database name for an account's local data. */
export function dbNameFor(account: string): string {
  assert(account.length > 0, Reason.badRequest, 'An account is required to open local storage')
  return `waggle-${account}`
}

/**
 * {@link DocStorage} on IndexedDB through Dexie 4, one database per account, shared by every tab
 * of that account. Writes use strict durability, so an edit whose `storeLocal` resolved survives
 * a tab or browser crash (Chrome 121+ otherwise commits with relaxed durability).
 *
 * Errors are never swallowed. When the browser's storage quota is exhausted, the write rejects
 * with the browser's original `QuotaExceededError` (a `DOMException`, unwrapped from Dexie's
 * `AbortError`/`QuotaExceededError` wrappers) and nothing of that write is stored, so the UI can
 * tell the user their device is full.
 */
export class DexieDocStorage implements DocStorage {
  readonly #db: WaggleDb

  constructor(options: DexieDocStorageOptions) {
    // Live: the search indexer follows the change feed through liveQuery.
    this.#db = openAccountDb(dbNameFor(options.account), options, true) as WaggleDb
    this.#db.version(1).stores({ updates: '++id, doc', outbox: '++seq, doc' })
  }

  async load(doc: DocName): Promise<Uint8Array[]> {
    // The `doc` index orders equal keys by primary key, which is append order.
    const rows = await this.#db.updates.where('doc').equals(doc).toArray()
    return rows.map((row) => toBytes(row.update))
  }

  async storeRemote(doc: DocName, update: Uint8Array): Promise<void> {
    const bytes = forStorage(update)
    await this.#rw([this.#db.updates], async () => {
      await this.#db.updates.add({ doc, update: bytes })
      await this.#compactPastThreshold(doc)
    })
  }

  /** Also rejects with the original `QuotaExceededError`; then neither record was stored. */
  async storeLocal(doc: DocName, update: Uint8Array): Promise<OutboxEntry> {
    const bytes = forStorage(update)
    const createdAt = Date.now()
    return this.#rw([this.#db.updates, this.#db.outbox], async () => {
      await this.#db.updates.add({ doc, update: bytes })
      const seq = await this.#db.outbox.add({ doc, update: bytes, createdAt, state: 'pending' })
      await this.#compactPastThreshold(doc)
      const entry: OutboxEntry = { seq, doc, update: bytes, createdAt, state: 'pending' }
      return entry
    })
  }

  async compact(doc: DocName): Promise<void> {
    await this.#rw([this.#db.updates], () => this.#compactInTransaction(doc))
  }

  logLength(doc: DocName): Promise<number> {
    return this.#db.updates.where('doc').equals(doc).count()
  }

  async outbox(): Promise<OutboxEntry[]> {
    const rows = await this.#db.outbox.toArray()
    return rows.map(toOutboxEntry)
  }

  async ack(seqs: readonly number[]): Promise<void> {
    await this.#rw([this.#db.outbox], () => this.#db.outbox.bulkDelete([...seqs]))
  }

  async reject(seq: number, reason: Reason, message: string): Promise<void> {
    await this.#rw([this.#db.outbox], () => this.#db.outbox.update(seq, { state: 'rejected', reason, message }))
  }

  async retry(seq: number): Promise<void> {
    await this.#rw([this.#db.outbox], () =>
      this.#db.outbox
        .where('seq')
        .equals(seq)
        .modify((entry) => {
          // Deleted, not set to undefined: a pending entry carries no reason or message.
          entry.state = 'pending'
          delete entry.reason
          delete entry.message
        }),
    )
  }

  async discard(seq: number): Promise<void> {
    await this.#rw([this.#db.outbox], () => this.#db.outbox.delete(seq))
  }

  async docs(): Promise<DocName[]> {
    const keys = await this.#db.updates.orderBy('doc').uniqueKeys()
    return keys.filter((key): key is DocName => typeof key === 'string')
  }

  /** Rows are read in key order, so the cursor is the last row's auto-incremented id. */
  async changedSince(cursor: number, limit: number): Promise<StoredChanges> {
    const docs = new Set<DocName>()
    let last = cursor
    // Only keys and the `doc` index are needed, but Dexie reads whole rows; `limit` bounds it.
    await this.#db.updates.where(':id').above(cursor).limit(limit).each((row) => {
      docs.add(row.doc)
      last = row.id
    })
    return { docs: [...docs], cursor: last }
  }

  /** A live query on the newest key: Dexie re-runs it after writes from any tab (its first result also calls `next`). */
  onStored(next: () => void): () => void {
    const sub = liveQuery(() => this.#db.updates.orderBy(':id').lastKey()).subscribe({
      next: () => next(),
      error: (err: unknown) => console.error('waggle: watching stored updates', err),
    })
    return () => sub.unsubscribe()
  }

  /**
   * Deletes the account's database. Resolves once no other tab holds it open (Dexie closes a
   * connection when another one deletes its database). This instance is closed afterwards.
   */
  async destroy(): Promise<void> {
    // The instance method, not the static `Dexie.delete(name)`, which would use the global
    // indexedDB rather than the factory this instance was given.
    await this.#db.delete()
  }

  close(): void {
    this.#db.close()
  }

  /**
   * Runs `scope` in one read-write transaction and surfaces a quota failure as the browser's
   * own error. Chrome reports quota at commit, as an abort whose transaction `error` is the
   * `QuotaExceededError`, while Dexie rejects with an `AbortError` that may only wrap it.
   */
  async #rw<T>(tables: Table[], scope: () => PromiseLike<T>): Promise<T> {
    let idbtrans: IDBTransaction | undefined
    try {
      return await this.#db.transaction('rw', tables, (tx) => {
        idbtrans = tx.idbtrans
        return scope()
      })
    } catch (err) {
      throw quotaError(err, idbtrans) ?? err
    }
  }

  async #compactPastThreshold(doc: DocName): Promise<void> {
    const length = await this.#db.updates.where('doc').equals(doc).count()
    if (length > COMPACT_THRESHOLD) await this.#compactInTransaction(doc)
  }

  /**
   * Replaces exactly the records read here by their merge. Inside one read-write transaction no
   * other tab can append in between, so records appended later by another tab are kept.
   */
  async #compactInTransaction(doc: DocName): Promise<void> {
    const rows = await this.#db.updates.where('doc').equals(doc).toArray()
    if (rows.length < 2) return
    const merged = Y.mergeUpdates(rows.map((row) => toBytes(row.update)))
    await this.#db.updates.bulkDelete(rows.map((row) => row.id))
    await this.#db.updates.add({ doc, update: merged })
  }
}

/**
 * Structured clone stores a typed array's whole underlying buffer, so a view into a larger
 * buffer (a Node Buffer from a pool, a subarray of a frame) is copied down to its own bytes.
 */
function forStorage(update: Uint8Array): Uint8Array {
  const exact = update.constructor === Uint8Array && update.byteOffset === 0 && update.byteLength === update.buffer.byteLength
  return exact ? update : new Uint8Array(update)
}

/**
 * Data loaded from storage is validated like any boundary (CONVENTIONS rule 7). Engines and
 * older writers may hand back an ArrayBuffer or another view; Yjs needs a Uint8Array.
 */
function toBytes(value: unknown): Uint8Array {
  if (ArrayBuffer.isView(value)) {
    return value instanceof Uint8Array && value.constructor === Uint8Array ? value : new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
  }
  if (value instanceof ArrayBuffer || Object.prototype.toString.call(value) === '[object ArrayBuffer]') {
    return new Uint8Array(value as ArrayBuffer)
  }
  throw new WaggleError(Reason.storageFailed, 'A stored update is not binary data')
}

function toOutboxEntry(row: OutboxEntry): OutboxEntry {
  const valid =
    typeof row.seq === 'number' &&
    typeof row.doc === 'string' &&
    typeof row.createdAt === 'number' &&
    (row.state === 'pending' || row.state === 'rejected') &&
    (row.reason === undefined || isReason(row.reason)) &&
    (row.message === undefined || typeof row.message === 'string')
  if (!valid) throw new WaggleError(Reason.storageFailed, `Outbox entry ${String(row.seq)} is malformed`)
  const entry: OutboxEntry = { seq: row.seq, doc: row.doc, update: toBytes(row.update), createdAt: row.createdAt, state: row.state }
  if (row.reason !== undefined) entry.reason = row.reason
  if (row.message !== undefined) entry.message = row.message
  return entry
}

/** The innermost `QuotaExceededError` in Dexie's `inner` chain or on the aborted transaction. */
function quotaError(err: unknown, idbtrans: IDBTransaction | undefined): unknown {
  let found: unknown
  for (let e: unknown = err, depth = 0; typeof e === 'object' && e !== null && depth < 8; depth++) {
    if ((e as { name?: unknown }).name === 'QuotaExceededError') found = e
    e = (e as { inner?: unknown }).inner
  }
  if (found !== undefined && !(found instanceof Dexie.DexieError)) return found
  // Null until the transaction has aborted; then the browser's own error.
  const txError = idbtrans?.error ?? null
  if (txError?.name === 'QuotaExceededError') return txError
  return found
}
