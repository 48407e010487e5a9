import { Reason, assert } from '@waggle/schema'
import type { DocName } from '@waggle/schema'
import { assertThroughSeq, type Persistence, type StoredDoc } from './Persistence.ts'
import { promised } from './promised.ts'
import { SqliteClientIdStore } from './SqliteClientIdStore.ts'
import type { SqliteDatabase } from './sqlite.ts'

/** better-sqlite3 hands BLOBs back as Buffers; callers get plain, unshared Uint8Arrays. */
const bytes = (b: Uint8Array): Uint8Array => new Uint8Array(b)

/**
 * {@link Persistence} in SQLite tables made by {@link openSqlite}: `doc_updates` is the log,
 * `doc_snapshots` the compacted state and `doc_heads` the last sequence number per document.
 *
 * Every method runs in one transaction and resolves after the commit, which `synchronous = FULL`
 * makes durable. The connection is shared with other stores and belongs to whoever opened it:
 * {@link SqlitePersistence.close} does not close it (see {@link SqliteStore}).
 */
export class SqlitePersistence implements Persistence {
  readonly #load: (doc: DocName) => StoredDoc
  readonly #append: (doc: DocName, update: Uint8Array) => number
  readonly #compact: (doc: DocName, snapshot: Uint8Array, throughSeq: number) => void
  readonly #logLength: (doc: DocName) => number
  /** The write gate's client id bindings, in `doc_client_ids`. */
  readonly clientIds: SqliteClientIdStore

  constructor(db: SqliteDatabase) {
    this.clientIds = new SqliteClientIdStore(db)
    const head = db.prepare<[string], { last_seq: number }>('SELECT last_seq FROM doc_heads WHERE doc = ?')
    const bump = db.prepare<[string], { last_seq: number }>(
      `INSERT INTO doc_heads (doc, last_seq) VALUES (?, 1)
       ON CONFLICT (doc) DO UPDATE SET last_seq = last_seq + 1 RETURNING last_seq`,
    )
    const insertUpdate = db.prepare<[string, number, Uint8Array]>('INSERT INTO doc_updates (doc, seq, data) VALUES (?, ?, ?)')
    const updates = db.prepare<[string], { data: Uint8Array }>('SELECT data FROM doc_updates WHERE doc = ? ORDER BY seq')
    const count = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM doc_updates WHERE doc = ?')
    const deleteThrough = db.prepare<[string, number]>('DELETE FROM doc_updates WHERE doc = ? AND seq <= ?')
    const snapshot = db.prepare<[string], { snapshot: Uint8Array; through_seq: number }>(
      'SELECT snapshot, through_seq FROM doc_snapshots WHERE doc = ?',
    )
    const putSnapshot = db.prepare<[string, Uint8Array, number]>(
      `INSERT INTO doc_snapshots (doc, snapshot, through_seq) VALUES (?, ?, ?)
       ON CONFLICT (doc) DO UPDATE SET snapshot = excluded.snapshot, through_seq = excluded.through_seq`,
    )

    // A read transaction, so a compaction by another connection cannot fall between the reads.
    this.#load = db.transaction((doc: DocName): StoredDoc => {
      const snap = snapshot.get(doc)
      return {
        snapshot: snap ? bytes(snap.snapshot) : null,
        updates: updates.all(doc).map((r) => bytes(r.data)),
        lastSeq: head.get(doc)?.last_seq ?? 0,
      }
    })
    this.#append = db.transaction((doc: DocName, update: Uint8Array): number => {
      const seq = bump.get(doc)?.last_seq
      assert(seq !== undefined, Reason.storageFailed, `No sequence number for ${doc}`)
      insertUpdate.run(doc, seq, update)
      return seq
    })
    this.#compact = db.transaction((doc: DocName, snap: Uint8Array, throughSeq: number): void => {
      const lastSeq = head.get(doc)?.last_seq ?? 0
      assertThroughSeq(doc, throughSeq, lastSeq)
      // A slower compaction finishing after a newer one must not bring back an older snapshot:
      // the updates between the two were deleted by the newer one.
      const current = snapshot.get(doc)
      if (current !== undefined && current.through_seq > throughSeq) return
      putSnapshot.run(doc, snap, throughSeq)
      deleteThrough.run(doc, throughSeq)
    })
    this.#logLength = (doc) => count.get(doc)?.n ?? 0
  }

  load(doc: DocName): Promise<StoredDoc> {
    return promised(() => this.#load(doc))
  }

  append(doc: DocName, update: Uint8Array): Promise<number> {
    return promised(() => this.#append(doc, update))
  }

  compact(doc: DocName, snapshot: Uint8Array, throughSeq: number): Promise<void> {
    return promised(() => this.#compact(doc, snapshot, throughSeq))
  }

  logLength(doc: DocName): Promise<number> {
    return promised(() => this.#logLength(doc))
  }

  /** Does nothing: the shared connection is closed by its owner ({@link SqliteStore.close}). */
  close(): Promise<void> {
    return Promise.resolve()
  }
}

