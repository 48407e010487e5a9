import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { HARNESS_DIST, REPO_ROOT } from './paths.ts'

export interface RelayOptions {
  /** What the relay serves besides its API (WAGGLE_STATIC); the test page by default. */
  staticDir?: string
}

const LISTENING = /listening on http:\/\/127\.0\.0\.1:(\d+)/
const START_TIMEOUT_MS = 30_000

/**
 * The real relay (`sync-server/src/main.ts`) as a child process on real SQLite in a temp data
 * directory, in demo mode, also serving static files (WAGGLE_STATIC): the test page by default,
 * or the built app (`{ staticDir: APP_DIST }`). It restarts on the same data directory and the
 * same port, so pages keep their relay URL (and the app its origin) across a restart.
 */
export class RelayProcess {
  readonly dataDir = mkdtempSync(join(tmpdir(), 'waggle-e2e-'))
  /** The directory served as WAGGLE_STATIC. */
  readonly staticDir: string
  #child: ChildProcess | null = null
  #exited: Promise<void> = Promise.resolve()
  #port = 0
  /** Everything the relay printed, for failure messages. */
  log = ''

  private constructor(options: RelayOptions) {
    this.staticDir = options.staticDir ?? HARNESS_DIST
  }

  /** Starts the relay on a free port (first start) or on its previous port (restart). */
  static async start(options: RelayOptions = {}): Promise<RelayProcess> {
    const relay = new RelayProcess(options)
    await relay.restart()
    return relay
  }

  get port(): number {
    return this.#port
  }

  /** `http://127.0.0.1:<port>` */
  get url(): string {
    return `http://127.0.0.1:${this.#port}`
  }

  /** The multiplexed WebSocket endpoint. */
  get wsUrl(): string {
    return `ws://127.0.0.1:${this.#port}/ws`
  }

  get running(): boolean {
    return this.#child !== null
  }

  /** (Re)starts the relay on the same data directory and, after the first start, the same port. */
  restart(): Promise<void> {
    if (this.#child !== null) throw new Error('The relay is already running')
    const child = spawn(process.execPath, ['--import', 'tsx', 'sync-server/src/main.ts'], {
      cwd: REPO_ROOT,
      env: { ...process.env, PORT: String(this.#port), HOST: '127.0.0.1', WAGGLE_DATA: this.dataDir, WAGGLE_DEMO: '1', WAGGLE_STATIC: this.staticDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    this.#child = child
    const from = this.log.length
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()))
    const append = (chunk: Buffer): void => {
      this.log += chunk.toString('utf8')
    }
    child.stdout?.on('data', append)
    child.stderr?.on('data', append)
    return new Promise((resolve, reject) => {
      const fail = (why: string): void => {
        clearTimeout(timer)
        child.stdout?.off('data', onData)
        this.#child = null
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
        reject(new Error(`Relay ${why}\n${this.log}`))
      }
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void => fail(`exited during start (${code ?? signal})`)
      const onData = (): void => {
        const port = LISTENING.exec(this.log.slice(from))?.[1]
        if (port === undefined) return
        clearTimeout(timer)
        child.off('exit', onExit)
        child.stdout?.off('data', onData)
        this.#port = Number(port)
        resolve()
      }
      const timer = setTimeout(() => fail(`did not start within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS)
      child.once('exit', onExit)
      child.stdout?.on('data', onData)
    })
  }

  /** SIGTERM: the relay closes its sockets and flushes documents, then exits. */
  stop(): Promise<void> {
    return this.#signal('SIGTERM')
  }

  /** SIGKILL: like a crash; only what SQLite committed survives. */
  kill(): Promise<void> {
    return this.#signal('SIGKILL')
  }

  /** Stops the relay if running and removes its data directory. */
  async dispose(): Promise<void> {
    await this.kill()
    rmSync(this.dataDir, { recursive: true, force: true })
  }

  /** Open WebSocket connections as the relay counts them (GET /health). */
  async connections(): Promise<number> {
    const res = await fetch(`${this.url}/health`)
    const body = (await res.json()) as { connections: number }
    return body.connections
  }

  async #signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.#child
    if (child === null) return
    if (child.exitCode === null && child.signalCode === null) child.kill(signal)
    await this.#exited
    this.log += `--- relay ${signal === 'SIGKILL' ? 'killed' : 'stopped'} ---\n`
    this.#child = null
  }
}
