import type { FileStore } from '../files/FileStore.ts'
import type { MessageSearch } from '../search/MessageSearch.ts'
import type { AuthStartResponse, AuthVerifyResponse } from '@waggle/schema'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { silentLogger, type ServerConfig } from '../config.ts'
import { seedDemo } from '../demo/seed.ts'
import { MUX_PATH, createServer, type WaggleServer } from '../server.ts'
import type { AccountStore } from '../storage/AccountStore.ts'
import { MemoryAccountStore } from '../storage/MemoryAccountStore.ts'
import { MemoryPersistence } from '../storage/MemoryPersistence.ts'
import type { Persistence } from '../storage/Persistence.ts'
import { SqliteStore } from '../storage/SqliteStore.ts'

export interface RelayOptions {
  /** SQLite in this directory, kept on stop (restart a relay on it). Default: a temp dir removed on stop. */
  dataDir?: string
  /** Memory stores instead of SQLite. */
  memory?: true
  /** This document storage (with a memory account store), e.g. a test double. */
  persistence?: Persistence
  /** Seed the demo workspace and turn on demo mode (default true). */
  demo?: boolean
  /** Also seed the 10,000-message "Field reports" conversation (default false: it is slow). */
  fieldReports?: boolean
  config?: Partial<ServerConfig>
}

export interface RelayStores {
  persistence: Persistence
  accounts: AccountStore
  /** Uploaded files (SQLite + disk); the relay keeps them in memory when absent. */
  files?: FileStore
  /** The message search index (SQLite); the relay keeps one in memory when absent. */
  search?: MessageSearch
  close(): Promise<void>
}

export interface Relay {
  /** HTTP base, e.g. `http://127.0.0.1:41234`. */
  url: string
  /** WebSocket base; the plain endpoint is `${wsBase}/sync/<doc>`. */
  wsBase: string
  /** The multiplexed endpoint. */
  wsUrl: string
  server: WaggleServer
  store: RelayStores
  /** Closes the relay, then its storage (and removes a temp data dir it made). */
  stop(): Promise<void>
}

/** A fresh temp directory for a relay's SQLite file; remove it with {@link removeDir}. */
export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'waggle-relay-'))
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true })
}

function openStores(options: RelayOptions): { store: RelayStores; ownDir: string | null } {
  if (options.persistence !== undefined || options.memory === true) {
    const persistence = options.persistence ?? new MemoryPersistence()
    const accounts = new MemoryAccountStore()
    const close = async (): Promise<void> => {
      await persistence.close()
      await accounts.close()
    }
    return { store: { persistence, accounts, close }, ownDir: null }
  }
  const dir = options.dataDir ?? tempDataDir()
  return { store: SqliteStore.open(dir), ownDir: options.dataDir === undefined ? dir : null }
}

/** Starts a whole relay on a free port of 127.0.0.1, seeded with the demo workspace. */
export async function startRelay(options: RelayOptions = {}): Promise<Relay> {
  const demo = options.demo ?? true
  const { store, ownDir } = openStores(options)
  const server = createServer({
    persistence: store.persistence, accounts: store.accounts, logger: silentLogger,
    ...(store.files !== undefined ? { files: store.files } : {}),
    ...(store.search !== undefined ? { search: store.search } : {}),
    config: { demo, ...options.config },
  })
  let stopped = false
  const stop = async (): Promise<void> => {
    if (stopped) return
    stopped = true
    await server.close()
    await store.close()
    if (ownDir !== null) removeDir(ownDir)
  }
  try {
    if (demo) await seedDemo(store.accounts, server, Date.now(), { fieldReports: options.fieldReports ?? false })
    const { port, url } = await server.listen(0)
    const wsBase = `ws://127.0.0.1:${port}`
    return { url, wsBase, wsUrl: wsBase + MUX_PATH, server, store, stop }
  } catch (err) {
    await stop()
    throw err
  }
}

async function postJson<T>(url: string, body: unknown): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  if (!res.ok) throw new Error(`POST ${url} answered ${res.status}: ${await res.text()}`)
  return (await res.json()) as T
}

/** Signs in through the HTTP API with the demo-mode code; resolves with the session. */
export async function signIn(baseUrl: string, email: string): Promise<AuthVerifyResponse> {
  const started = await postJson<AuthStartResponse>(`${baseUrl}/api/auth/email/start`, { email })
  if (started.devCode === undefined) throw new Error('No devCode: is the relay in demo mode?')
  const session = await postJson<AuthVerifyResponse>(`${baseUrl}/api/auth/email/verify`, { email, code: started.devCode })
  if (typeof session.token !== 'string' || session.token.length === 0) throw new Error('Sign-in returned no token')
  return session
}

export interface RelayProcess {
  url: string
  wsBase: string
  wsUrl: string
  pid: number
  /** SIGKILL: no shutdown code runs, like a crash or `kill -9`. */
  kill9(): Promise<void>
  /** SIGTERM: the relay closes connections and flushes documents. */
  stop(): Promise<void>
}

/** The repository root, found from this file (sync-server/src/testing/). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url))

const LISTENING = /listening on (http:\/\/\S+)/

/**
 * Runs `node --import tsx sync-server/src/main.ts` as a separate process on a free port with
 * demo data in `dataDir`, and resolves once it prints the address it listens on.
 */
export function spawnRelayProcess(dataDir: string, timeoutMs = 20_000): Promise<RelayProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'sync-server/src/main.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', WAGGLE_DATA: dataDir, WAGGLE_DEMO: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  let stdout = ''
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8')
  })
  const signal = async (name: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name)
    await exited
  }
  return new Promise<RelayProcess>((resolve, reject) => {
    let started = false
    const fail = (why: string): void => {
      clearTimeout(timer)
      void signal('SIGKILL')
      reject(new Error(`Relay process ${why}\nstdout:\n${stdout}\nstderr:\n${stderr}`))
    }
    const onEarlyExit = (code: number | null, sig: NodeJS.Signals | null): void => fail(`exited early (${code ?? sig})`)
    const timer = setTimeout(() => fail(`did not start within ${timeoutMs} ms`), timeoutMs)
    child.once('exit', onEarlyExit)
    // Keep draining stdout after start too, so the child never blocks on a full pipe.
    child.stdout.on('data', (chunk: Buffer) => {
      if (started) return
      stdout += chunk.toString('utf8')
      const url = LISTENING.exec(stdout)?.[1]
      if (url === undefined || child.pid === undefined) return
      started = true
      clearTimeout(timer)
      child.off('exit', onEarlyExit)
      const wsBase = url.replace(/^http/, 'ws')
      resolve({ url, wsBase, wsUrl: wsBase + MUX_PATH, pid: child.pid, kill9: () => signal('SIGKILL'), stop: () => signal('SIGTERM') })
    })
  })
}
