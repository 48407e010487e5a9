import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { sqliteMigrations } from './sqliteMigrations.ts'

/** An open better-sqlite3 connection. */
export type SqliteDatabase = Database.Database

/**
 * Opens (creating if needed) the relay's SQLite file and brings its schema up to date.
 *
 * - WAL lets readers run while the relay appends.
 * - `synchronous = FULL` fsyncs the WAL on every commit: the relay acknowledges an update only
 *   after `append` commits, so a commit must survive kill -9 and power loss. (NORMAL would
 *   survive kill -9 but may lose the last commits on power loss.)
 * - `busy_timeout` waits for another connection's write lock instead of failing at once.
 */
export function openSqlite(file: string): SqliteDatabase {
  mkdirSync(dirname(file), { recursive: true })
  const db = new Database(file)
  try {
    db.pragma('busy_timeout = 5000')
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = FULL')
    // Must be set outside a transaction, so before migrating.
    db.pragma('foreign_keys = ON')
    migrate(db)
    return db
  } catch (err) {
    db.close()
    throw err
  }
}

/** The schema version of an open file (`PRAGMA user_version`). */
export function schemaVersion(db: SqliteDatabase): number {
  const v = db.pragma('user_version', { simple: true })
  if (typeof v !== 'number') throw new TypeError(`user_version is ${typeof v}, expected a number`)
  return v
}

function migrate(db: SqliteDatabase): void {
  // IMMEDIATE takes the write lock before reading the version, so two processes opening the
  // same new file cannot both apply a migration.
  const step = db.transaction((): boolean => {
    const version = schemaVersion(db)
    if (version > sqliteMigrations.length) {
      throw new Error(`Database schema version ${version} is newer than this relay (${sqliteMigrations.length})`)
    }
    const sql = sqliteMigrations[version]
    if (sql === undefined) return false
    db.exec(sql)
    db.pragma(`user_version = ${version + 1}`)
    return true
  })
  while (step.immediate()) {
    // One migration per transaction: a failure leaves the file at the last good version.
  }
}

