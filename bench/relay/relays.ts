/**
 * The three relays as child processes on 127.0.0.1, port 0, each on its own default storage in
 * a data directory, and what the benchmark reads of them: CPU time and memory from /proc (the
 * relay's own process: `node` is spawned directly), a settled RSS after GC (probe.ts, over IPC),
 * and the stores' preloading, done while the relay is stopped.
 */
import { schema as hocuspocusSchema, upsertQuery } from '@hocuspocus/extension-sqlite'
import Database from 'better-sqlite3'
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { LeveldbPersistence } from 'y-leveldb'
import type { DocName } from '@waggle/schema'
import { SqliteStore } from '../../sync-server/src/storage/SqliteStore.ts'
import type { RelayKind } from './clients.ts'
import { sleep } from './stats.ts'

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))
const PROBE = pathToFileURL(fileURLToPath(new URL('./probe.ts', import.meta.url))).href
const ENTRY: Record<RelayKind, string> = {
  waggle: 'sync-server/src/main.ts',
  hocuspocus: 'bench/relay/peers/hocuspocus.ts',
  reference: 'bench/relay/peers/reference.ts',
}
/** What each relay stores in, for the table. */
export const STORAGE: Record<RelayKind, string> = {
  waggle: 'SQLite (WAL, synchronous=FULL), update log + snapshots',
  hocuspocus: '@hocuspocus/extension-sqlite (file; whole state, debounced 2–10 s)',
  reference: 'y-leveldb (on disk; every update appended)',
}
const LISTENING = /listening on (http:\/\/[\d.]+:(\d+))/
const START_TIMEOUT_MS = 60_000
const TICK_MS = 1000 / 100 // /proc clock ticks (CLK_TCK 100 on Linux)
const LOG_KEEP = 64 * 1024

export interface MemorySample { rss: number; hwm: number }
export interface Settled { rss: number; heapUsed: number }

export interface Relay {
  readonly kind: RelayKind
  readonly pid: number
  readonly httpUrl: string
  readonly wsBase: string
  /** The last 64 KiB the relay printed. */
  log(): string
  /** utime + stime of the relay process so far (ms, 10 ms resolution). */
  cpuMs(): number
  /** VmRSS and VmHWM (bytes). */
  memory(): MemorySample
  /** Resets VmHWM to the current RSS (`/proc/<pid>/clear_refs` 5). */
  resetPeak(): void
  /** RSS and V8 heap in use (bytes) after two full GCs in the relay. */
  settled(): Promise<Settled>
  /** Waits until the relay uses under 3 % of a core over 500 ms (at most `maxMs`). */
  quiet(maxMs?: number): Promise<void>
  stop(): Promise<void>
}

/** Starts `kind` on `dataDir`; resolves once it prints the address it listens on. */
export function startRelay(kind: RelayKind, dataDir: string): Promise<Relay> {
  const env = kind === 'waggle'
    ? { ...process.env, PORT: '0', HOST: '127.0.0.1', WAGGLE_DATA: dataDir, WAGGLE_DEMO: '1' }
    : { ...process.env, PORT: '0', HOST: '127.0.0.1', RELAY_DATA: dataDir }
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', '--import', PROBE, ENTRY[kind]], {
    cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  })
  let log = ''
  const append = (chunk: Buffer): void => {
    log += chunk.toString('utf8')
    if (log.length > 2 * LOG_KEEP) log = log.slice(-LOG_KEEP)
  }
  child.stdout?.on('data', append)
  child.stderr?.on('data', append)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail('did not start in time'), START_TIMEOUT_MS)
    const fail = (why: string): void => {
      clearTimeout(timer)
      child.kill('SIGKILL')
      reject(new Error(`${kind} relay ${why}\n${log.slice(-4000)}`))
    }
    const onExit = (code: number | null): void => fail(`exited during start (${code})`)
    child.once('exit', onExit)
    const onData = (): void => {
      const m = LISTENING.exec(log)
      if (m === null || child.pid === undefined) return
      clearTimeout(timer)
      child.off('exit', onExit)
      child.stdout?.off('data', onData)
      resolve(handle(kind, child, m[1] ?? '', () => log, exited))
    }
    child.stdout?.on('data', onData)
  })
}

function handle(kind: RelayKind, child: ChildProcess, httpUrl: string, log: () => string, exited: Promise<void>): Relay {
  const pid = child.pid ?? 0
  const cpuMs = (): number => {
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS
  }
  const memory = (): MemorySample => {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') }
  }
  return {
    kind, pid, httpUrl, wsBase: httpUrl.replace(/^http/, 'ws'), log, cpuMs, memory,
    resetPeak: () => writeFileSync(`/proc/${pid}/clear_refs`, '5'),
    settled: () => new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${kind} relay did not answer the GC probe`)), 30_000)
      child.once('message', (m: { rss: number; heapUsed: number }) => {
        clearTimeout(timer)
        resolve({ rss: memory().rss, heapUsed: m.heapUsed })
      })
      child.send('gc')
    }),
    async quiet(maxMs = 30_000) {
      const deadline = performance.now() + maxMs
      for (;;) {
        const before = cpuMs()
        await sleep(500)
        if (cpuMs() - before <= 15 || performance.now() > deadline) return
      }
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
      await exited
      clearTimeout(timer)
    },
  }
}

export interface StoredDoc { name: string; update: Uint8Array }

/** Writes `docs` into `kind`'s store in `dataDir` (the relay must not be running). */
export async function preload(kind: RelayKind, dataDir: string, docs: readonly StoredDoc[]): Promise<void> {
  if (kind === 'waggle') {
    const store = SqliteStore.open(dataDir)
    try {
      for (const d of docs) await store.persistence.append(d.name as DocName, d.update)
    } finally {
      await store.close()
    }
  } else if (kind === 'hocuspocus') {
    // The extension's own schema and upsert: each row is a document's whole state, as its store() writes it.
    const db = new Database(join(dataDir, 'hocuspocus.sqlite'))
    try {
      db.exec(hocuspocusSchema)
      const upsert = db.prepare(upsertQuery)
      db.transaction(() => {
        for (const d of docs) upsert.run({ name: d.name, data: Buffer.from(d.update) })
      })()
    } finally {
      db.close()
    }
  } else {
    const ldb = new LeveldbPersistence(dataDir)
    try {
      for (const d of docs) await ldb.storeUpdate(d.name, d.update)
    } finally {
      await ldb.destroy()
    }
  }
}
