import { parseDocName, type DocName, type MessageId, type RelaySearchHit } from '@waggle/schema'
import { promised } from '../storage/promised.ts'
import type { SqliteDatabase } from '../storage/sqlite.ts'
import { foldText } from '@waggle/schema'
import { ftsPrefixQuery } from './fold.ts'
import type { IndexedMessage, MessagePage, MessageQuery, MessageSearch, SegmentRef } from './MessageSearch.ts'

/**
 * {@link MessageSearch} in the relay's SQLite file (migration 6): `search_messages` rows with
 * the text to answer with, an FTS5 index (`search_fts`, `unicode61 remove_diacritics 2`,
 * contentless) of the folded text under the same rowid, and `search_segments`, how far each
 * segment document is indexed.
 *
 * Progress is counted in the document's update sequence numbers (`doc_heads`, same file): an
 * {@link update} runs right after its update was appended, so the head is that update's
 * number, and it moves the segment's mark only from the number before it. A write whose index
 * update failed or never ran (a crash) therefore leaves the mark behind the head for good,
 * and {@link unindexed} reports the segment at the next start.
 *
 * Every method is one transaction; the connection belongs to `SqliteStore`. Index writes
 * commit without their own fsync (`synchronous = NORMAL` for the duration, on this
 * single-threaded connection), so a message write costs one fsync, not two: the index is
 * derived data, the next durable commit syncs it along, and one lost in a power cut leaves
 * its mark behind, so it is rebuilt at the next start like any other gap.
 */
export class SqliteMessageSearch implements MessageSearch {
  readonly #update: (seg: SegmentRef, put: readonly IndexedMessage[], removed: readonly MessageId[]) => void
  readonly #replace: (seg: SegmentRef, messages: readonly IndexedMessage[]) => void
  readonly #unindexed: () => SegmentRef[]
  readonly #search: (q: MessageQuery) => MessagePage

  constructor(db: SqliteDatabase) {
    const upsertRow = db.prepare<[string, number, string, string, number, string], { row: number }>(
      `INSERT INTO search_messages (conv, seg, id, author, time, text) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (conv, seg, id) DO UPDATE SET author = excluded.author, time = excluded.time, text = excluded.text
       RETURNING row`,
    )
    const deleteRow = db.prepare<[string, number, string], { row: number }>('DELETE FROM search_messages WHERE conv = ? AND seg = ? AND id = ? RETURNING row')
    const deleteSegmentRows = db.prepare<[string, number], { row: number }>('DELETE FROM search_messages WHERE conv = ? AND seg = ? RETURNING row')
    const unindex = db.prepare<[number]>('DELETE FROM search_fts WHERE rowid = ?')
    const index = db.prepare<[number, string]>('INSERT INTO search_fts (rowid, folded) VALUES (?, ?)')
    const head = db.prepare<[string], { last_seq: number }>('SELECT last_seq FROM doc_heads WHERE doc = ?')
    const mark = db.prepare<[string], { indexed_seq: number }>('SELECT indexed_seq FROM search_segments WHERE doc = ?')
    const setMark = db.prepare<[string, number]>(
      `INSERT INTO search_segments (doc, indexed_seq) VALUES (?, ?)
       ON CONFLICT (doc) DO UPDATE SET indexed_seq = excluded.indexed_seq`,
    )
    const behind = db.prepare<[], { doc: string }>(
      `SELECT h.doc FROM doc_heads h LEFT JOIN search_segments s ON s.doc = h.doc
       WHERE h.doc GLOB 'conv/*/seg/*' AND (s.indexed_seq IS NULL OR s.indexed_seq <> h.last_seq)`,
    )
    // The FTS match drives the query; membership and the device's own segments are JSON
    // arrays of [conv, segment] pairs, so one prepared statement serves any number of them.
    const find = db.prepare<[string, string, string, number, number], HitRow>(
      `WITH readable (conv, first) AS (SELECT value ->> 0, value ->> 1 FROM json_each(?)),
            local (conv, seg) AS (SELECT value ->> 0, value ->> 1 FROM json_each(?))
       SELECT m.conv, m.seg, m.id, m.author, m.time, m.text
       FROM search_fts
       JOIN search_messages m ON m.row = search_fts.rowid
       JOIN readable r ON r.conv = m.conv AND m.seg >= r.first
       WHERE search_fts MATCH ?
         AND NOT EXISTS (SELECT 1 FROM local l WHERE l.conv = m.conv AND l.seg = m.seg)
       ORDER BY m.time DESC, m.id DESC
       LIMIT ? OFFSET ?`,
    )

    const put = (seg: SegmentRef, m: IndexedMessage): void => {
      const row = upsertRow.get(seg.conv, seg.seg, m.id, m.author, m.time, m.text)?.row
      if (row === undefined) throw new Error(`No row for message ${m.id} of ${seg.doc}`)
      // Contentless FTS5 rows cannot be updated in place: drop the old terms, add the new.
      unindex.run(row)
      index.run(row, foldText(m.text))
    }

    // Runs `fn` with commits not fsynced, then puts the connection's setting back.
    const relaxed = <A extends unknown[]>(fn: (...args: A) => void) => (...args: A): void => {
      const before = db.pragma('synchronous', { simple: true }) as number
      db.pragma('synchronous = NORMAL')
      try {
        fn(...args)
      } finally {
        db.pragma(`synchronous = ${before}`)
      }
    }

    this.#update = relaxed(db.transaction((seg: SegmentRef, puts: readonly IndexedMessage[], removed: readonly MessageId[]): void => {
      for (const m of puts) put(seg, m)
      for (const id of removed) {
        const row = deleteRow.get(seg.conv, seg.seg, id)?.row
        if (row !== undefined) unindex.run(row)
      }
      const last = head.get(seg.doc)?.last_seq
      if (last === undefined) return
      const through = mark.get(seg.doc)?.indexed_seq ?? 0
      // Only one step at a time: a gap means an update was never indexed (see the class comment).
      if (through === last - 1) setMark.run(seg.doc, last)
    }))
    this.#replace = relaxed(db.transaction((seg: SegmentRef, messages: readonly IndexedMessage[]): void => {
      for (const { row } of deleteSegmentRows.all(seg.conv, seg.seg)) unindex.run(row)
      for (const m of messages) put(seg, m)
      setMark.run(seg.doc, head.get(seg.doc)?.last_seq ?? 0)
    }))
    this.#unindexed = () => behind.all().flatMap(({ doc }) => {
      const parsed = parseDocName(doc)
      return parsed?.kind === 'segment' ? [{ doc: doc as DocName, conv: parsed.conv, seg: parsed.segment }] : []
    })
    this.#search = (q) => {
      if (q.words.length === 0 || q.readable.length === 0) return { hits: [], more: false }
      const rows = find.all(
        JSON.stringify(q.readable.map((r) => [r.conv, r.firstSegment])),
        JSON.stringify(q.local.map((l) => [l.conv, l.seg])),
        ftsPrefixQuery(q.words),
        q.limit + 1,
        q.offset,
      )
      const hits = rows.slice(0, q.limit).map(toHit)
      return { hits, more: rows.length > q.limit }
    }
  }

  update(seg: SegmentRef, put: readonly IndexedMessage[], removed: readonly MessageId[]): Promise<void> {
    return promised(() => this.#update(seg, put, removed))
  }

  replace(seg: SegmentRef, messages: readonly IndexedMessage[]): Promise<void> {
    return promised(() => this.#replace(seg, messages))
  }

  unindexed(): Promise<SegmentRef[]> {
    return promised(() => this.#unindexed())
  }

  search(query: MessageQuery): Promise<MessagePage> {
    return promised(() => this.#search(query))
  }

  /** Does nothing: the shared connection is closed by `SqliteStore`. */
  close(): Promise<void> {
    return Promise.resolve()
  }
}

interface HitRow {
  conv: string
  seg: number
  id: string
  author: string
  time: number
  text: string
}

const toHit = (r: HitRow): RelaySearchHit => ({ conv: r.conv, seg: r.seg, id: r.id, author: r.author, time: r.time, text: r.text })
