import { Reason, WaggleError, type ConvId, type UserId } from '@waggle/schema'
import { createReadStream } from 'node:fs'
import { mkdir, open, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { ConstraintError } from '../storage/ConstraintError.ts'
import type { SqliteDatabase } from '../storage/sqlite.ts'
import type { FileRecord, FileStore } from './FileStore.ts'

interface FileRow {
  id: string
  conv: string
  owner: string
  name: string
  size: number
  type: string
  offset: number
  complete: number
  created_at: number
}

const SELECT = 'SELECT id, conv, owner, name, size, type, "offset", complete, created_at FROM files'

/**
 * {@link FileStore} on the relay's SQLite connection (metadata, table `files`) and a directory
 * (bytes, one file per upload id, named by the id, which matches ID_PATTERN so it is a safe
 * file name). A chunk is written and fsynced before the offset moves, so after a crash the
 * stored offset never points past the bytes on disk (extra bytes past it are overwritten).
 */
export class SqliteFileStore implements FileStore {
  readonly #q

  constructor(db: SqliteDatabase, readonly dir: string) {
    this.#q = {
      get: db.prepare<[string], FileRow>(`${SELECT} WHERE id = ?`),
      insert: db.prepare<[FileRow]>(
        'INSERT INTO files (id, conv, owner, name, size, type, "offset", complete, created_at) VALUES (@id, @conv, @owner, @name, @size, @type, @offset, @complete, @created_at)',
      ),
      setOffset: db.prepare<[number, string, number]>('UPDATE files SET "offset" = ? WHERE id = ? AND "offset" = ?'),
      complete: db.prepare<[string]>('UPDATE files SET complete = 1 WHERE id = ?'),
      delete: db.prepare<[string]>('DELETE FROM files WHERE id = ?'),
    }
  }

  #path(id: string): string {
    return join(this.dir, id)
  }

  get(id: string): Promise<FileRecord | null> {
    const row = this.#q.get.get(id)
    return Promise.resolve(row === undefined ? null : toRecord(row))
  }

  async create(r: FileRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true })
    try {
      this.#q.insert.run({ id: r.id, conv: r.conv, owner: r.owner, name: r.name, size: r.size, type: r.type, offset: r.offset, complete: r.complete ? 1 : 0, created_at: r.createdAt })
    } catch (err) {
      const code = (err as { code?: unknown }).code
      if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new ConstraintError('duplicate', `file ${r.id} exists`, { cause: err })
      if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') throw new ConstraintError('missing-reference', `file ${r.id} points at a missing conversation or user`, { cause: err })
      throw err
    }
    // Truncates what an earlier upload with this id may have left behind.
    await (await open(this.#path(r.id), 'w')).close()
  }

  async append(id: string, offset: number, chunk: Uint8Array): Promise<number> {
    const row = this.#q.get.get(id)
    if (row === undefined) throw new WaggleError(Reason.notFound, 'No such upload')
    if (row.offset !== offset) throw new WaggleError(Reason.uploadOffsetMismatch, `The upload is at ${row.offset}, not ${offset}`)
    const fh = await open(this.#path(id), 'r+')
    try {
      await fh.write(chunk, 0, chunk.byteLength, offset)
      await fh.sync()
    } finally {
      await fh.close()
    }
    const next = offset + chunk.byteLength
    // Conditional: two requests racing on one offset cannot both move it.
    if (this.#q.setOffset.run(next, id, offset).changes !== 1) {
      throw new WaggleError(Reason.uploadOffsetMismatch, 'Another request moved this upload on')
    }
    return next
  }

  async head(id: string, n: number): Promise<Uint8Array> {
    const fh = await open(this.#path(id), 'r')
    try {
      const buf = new Uint8Array(n)
      const { bytesRead } = await fh.read(buf, 0, n, 0)
      return buf.slice(0, bytesRead)
    } finally {
      await fh.close()
    }
  }

  markComplete(id: string): Promise<void> {
    this.#q.complete.run(id)
    return Promise.resolve()
  }

  open(id: string): Promise<ReadableStream<Uint8Array>> {
    return Promise.resolve(Readable.toWeb(createReadStream(this.#path(id))) as ReadableStream<Uint8Array>)
  }

  async delete(id: string): Promise<void> {
    this.#q.delete.run(id)
    await rm(this.#path(id), { force: true })
  }

  close(): Promise<void> {
    return Promise.resolve()
  }
}

function toRecord(row: FileRow): FileRecord {
  return {
    id: row.id, conv: row.conv as ConvId, owner: row.owner as UserId, name: row.name, size: row.size, type: row.type,
    offset: row.offset, complete: row.complete === 1, createdAt: row.created_at,
  }
}
