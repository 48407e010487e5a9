import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { DocName } from '@waggle/schema'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SqlitePersistence } from './SqlitePersistence.ts'
import { openSqlite, schemaVersion, type SqliteDatabase } from './sqlite.ts'
import { sqliteMigrations } from './sqliteMigrations.ts'

describe('openSqlite', () => {
  let dir: string
  const open: SqliteDatabase[] = []
  const openFile = (file: string) => {
    const db = openSqlite(file)
    open.push(db)
    return db
  }
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'waggle-sqlite-'))
  })
  afterEach(() => {
    for (const db of open.splice(0)) if (db.open) db.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('creates missing parent directories and the file', () => {
    const file = join(dir, 'a', 'b', 'waggle.sqlite')
    openFile(file)
    expect(existsSync(file)).toBe(true)
  })

  it('sets WAL, synchronous FULL, foreign keys and a busy timeout', () => {
    const db = openFile(join(dir, 'db.sqlite'))
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('synchronous', { simple: true })).toBe(2) // 2 = FULL
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000)
  })

  it('applies every migration once and none again on reopen', () => {
    const file = join(dir, 'db.sqlite')
    const first = openFile(file)
    expect(schemaVersion(first)).toBe(sqliteMigrations.length)
    const tables = first.prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all()
    expect(tables.map((t) => t.name)).toEqual([
      'auth_codes',
      'command_results',
      'conversation_links',
      'conversation_members',
      'conversations',
      // The write gate's client id bindings (migration 7).
      'doc_client_ids',
      'doc_heads',
      'doc_snapshots',
      'doc_updates',
      'files',
      // Message search (migration 6): the FTS5 table and its shadow tables.
      'search_fts',
      'search_fts_config',
      'search_fts_data',
      'search_fts_docsize',
      'search_fts_idx',
      'search_messages',
      'search_segments',
      'sessions',
      'users',
      'workspaces',
    ])
    first.close()
    // Re-running migration 1 would fail on CREATE TABLE, so a clean reopen means it was skipped.
    expect(schemaVersion(openFile(file))).toBe(sqliteMigrations.length)
  })

  it('refuses a file written by a newer schema version and leaves it untouched', () => {
    const file = join(dir, 'db.sqlite')
    const db = openFile(file)
    db.pragma(`user_version = ${sqliteMigrations.length + 1}`)
    db.close()
    expect(() => openSqlite(file)).toThrow(/newer than this relay/)
    const raw = new Database(file, { readonly: true })
    open.push(raw)
    expect(schemaVersion(raw)).toBe(sqliteMigrations.length + 1)
  })

  it('keeps every acknowledged append when the writing process is killed with SIGKILL', async () => {
    const file = join(dir, 'killed.sqlite')
    const fixture = fileURLToPath(new URL('./appendUntilKilled.fixture.ts', import.meta.url))
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, file], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)))

    let acked = 0
    let out = ''
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      const lines = out.split('\n')
      out = lines.pop() ?? ''
      for (const line of lines) acked = Math.max(acked, Number(line))
      if (acked >= 50) child.kill('SIGKILL')
    })
    const signal = await exited
    expect(signal, stderr).toBe('SIGKILL')
    expect(acked).toBeGreaterThanOrEqual(50)

    const db = openFile(file)
    const stored = await new SqlitePersistence(db).load('conv/killed/seg/0' as DocName)
    // Appends after the last ack may or may not have committed; none before it may be missing.
    expect(stored.lastSeq).toBeGreaterThanOrEqual(acked)
    expect(stored.updates).toHaveLength(stored.lastSeq)
    expect(stored.updates[acked - 1]).toEqual(Uint8Array.from([(acked - 1) & 0xff, ((acked - 1) >> 8) & 0xff]))
  })
})
