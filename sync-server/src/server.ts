import { createAdaptorServer } from '@hono/node-server'
import { CloseCode, Reason, canRead, isDocName } from '@waggle/schema'
import type { Hono } from 'hono'
import type { AddressInfo } from 'node:net'
import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import { AuthService } from './auth/AuthService.ts'
import type { Mailer } from './auth/Mailer.ts'
import { consoleLogger, defaultConfig, type Logger, type ServerConfig } from './config.ts'
import { CommandService } from './commands/CommandService.ts'
import { createApp } from './http/app.ts'
import { InboxProjector } from './projection/InboxProjector.ts'
import { AccessEvents } from './relay/AccessEvents.ts'
import { DocHub } from './relay/DocHub.ts'
import { FrameCache } from './relay/FrameCache.ts'
import { MuxConnection } from './relay/MuxConnection.ts'
import { PlainSyncConnection } from './relay/PlainSyncConnection.ts'
import type { RelayContext } from './relay/RelayContext.ts'
import { accessFor } from './relay/authorize.ts'
import type { AccountStore } from './storage/AccountStore.ts'
import type { Persistence } from './storage/Persistence.ts'
import type { FileStore } from './files/FileStore.ts'
import { MemoryFileStore } from './files/MemoryFileStore.ts'
import type { MessageSearch } from './search/MessageSearch.ts'
import { MemoryMessageSearch } from './search/MemoryMessageSearch.ts'
import { SearchIndexer } from './search/SearchIndexer.ts'

export interface ServerDeps {
  persistence: Persistence
  accounts: AccountStore
  /** Uploaded files; in memory when not given (tests). */
  files?: FileStore
  /** The message search index (`SqliteStore.search`); in memory when not given (tests). */
  search?: MessageSearch
  config?: Partial<ServerConfig>
  mailer?: Mailer | null
  logger?: Logger
  now?: () => number
}

export interface WaggleServer {
  readonly app: Hono
  readonly hub: DocHub
  readonly auth: AuthService
  /** Keeps users' inboxes in step with conversation writes; `flush()` waits for its work. */
  readonly projector: InboxProjector
  readonly commands: CommandService
  /** Keeps the message search index in step with segment writes; `backfill()` is the run started at creation. */
  readonly search: SearchIndexer
  /** Access changes: commands emit them; open connections of the users named re-check their subscriptions. */
  readonly access: AccessEvents
  readonly config: ServerConfig
  /** Starts listening; port 0 picks a free port. */
  listen(port?: number, host?: string): Promise<{ port: number; url: string }>
  /** Closes every socket, finishes inbox projections, unloads documents (compacting them) and stops listening. */
  close(): Promise<void>
}

/** Path of the multiplexed endpoint; `/sync/<doc name>` serves the plain y-websocket protocol. */
export const MUX_PATH = '/ws'
const PLAIN_PREFIX = '/sync/'

/**
 * Counts sockets that are not authenticated yet (a mux socket before its hello is answered, a
 * plain socket while its token is checked), in all and per remote address, so a flood of
 * sockets that never sign in cannot hold the relay's memory: past either limit a new socket is
 * closed at once with 4529 (try again later). The hello timeout ends the wait of each.
 */
class PendingSockets {
  #total = 0
  readonly #byIp = new Map<string, number>()

  constructor(readonly max: number, readonly maxPerIp: number) {}

  /** Counts a socket from `ip`: a function that uncounts it (once), or null when over a limit. */
  admit(ip: string): (() => void) | null {
    const mine = this.#byIp.get(ip) ?? 0
    if (this.#total >= this.max || mine >= this.maxPerIp) return null
    this.#total += 1
    this.#byIp.set(ip, mine + 1)
    let done = false
    return () => {
      if (done) return
      done = true
      this.#total -= 1
      const left = (this.#byIp.get(ip) ?? 1) - 1
      if (left <= 0) this.#byIp.delete(ip)
      else this.#byIp.set(ip, left)
    }
  }
}

const TOO_MANY_PENDING = 'Too many connections waiting to sign in; try again shortly'

/** Builds a whole relay from its dependencies; nothing is shared between two instances. */
export function createServer(deps: ServerDeps): WaggleServer {
  const config: ServerConfig = { ...defaultConfig, ...deps.config }
  const logger = deps.logger ?? consoleLogger
  const now = deps.now ?? Date.now
  const hub = new DocHub({
    persistence: deps.persistence, logger, idleMs: config.docIdleMs, compactThreshold: config.compactThreshold,
    gate: config.writeGate, gateTimeBudgetMs: config.gateTimeBudgetMs,
  })
  const auth = new AuthService({ accounts: deps.accounts, config, mailer: deps.mailer ?? null, now })
  const projector = new InboxProjector({
    hub, accounts: deps.accounts, logger, now, debounceMs: config.inboxDebounceMs, segmentMaxMessages: config.segmentMaxMessages,
  })
  const access = new AccessEvents()
  const commands = new CommandService({ accounts: deps.accounts, hub, projector, now, access })
  const ctx: RelayContext = { config, logger, hub, auth, accounts: deps.accounts, access, connections: new Set(), frames: new FrameCache() }
  const searchIndex = deps.search ?? new MemoryMessageSearch()
  const search = new SearchIndexer({ hub, index: searchIndex, logger })
  // Segments stored before the index existed, or whose index update a crash cut off. Searches
  // are answered meanwhile from what is indexed; backfill() resolves when this run is done.
  void search.backfill()
  const app = createApp(ctx, commands, deps.files ?? new MemoryFileStore(), searchIndex)
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.maxFrameBytes })
  const pending = new PendingSockets(config.maxPendingSockets, config.maxPendingSocketsPerIp)
  let http: Server | null = null

  async function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://relay')
    const isMux = url.pathname === MUX_PATH
    if (!isMux && !url.pathname.startsWith(PLAIN_PREFIX)) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n')
      return
    }
    const settle = pending.admit(req.socket.remoteAddress ?? 'unknown')
    if (settle === null) {
      // A close code rather than an HTTP status: browsers show WebSocket clients only the close.
      logger.warn('too many unauthenticated sockets', { ip: req.socket.remoteAddress })
      return wss.handleUpgrade(req, socket, head, (ws) => ws.close(CloseCode.rateLimited, `${Reason.rateLimited}: ${TOO_MANY_PENDING}`))
    }
    socket.once('close', settle)
    if (isMux) return wss.handleUpgrade(req, socket, head, (ws) => void new MuxConnection(ws, ctx, settle))
    try {
      await upgradePlain(req, socket, head, url)
    } finally {
      settle()
    }
  }

  async function upgradePlain(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): Promise<void> {
    let name = ''
    try {
      name = decodeURIComponent(url.pathname.slice(PLAIN_PREFIX.length))
    } catch {
      // A bad escape is not a document name: refused with 4400 below.
    }
    const session = await auth.session(url.searchParams.get('token') ?? '')
    const access = session !== null && isDocName(name) ? await accessFor(deps.accounts, session.principal, name) : 'none'
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      // Refusals are close codes in 4400-4499, which stock y-websocket clients do not retry.
      if (!isDocName(name)) return ws.close(CloseCode.malformed, Reason.invalidDocName)
      if (session === null) return ws.close(CloseCode.unauthorized, Reason.unauthorized)
      if (!canRead(access)) return ws.close(CloseCode.forbidden, Reason.forbidden)
      void new PlainSyncConnection(ws, ctx, name, session, access)
    })
  }

  return {
    app, hub, auth, projector, commands, search, config, access,
    listen(port = 0, host = '127.0.0.1') {
      const server = createAdaptorServer({ fetch: app.fetch }) as Server
      http = server
      server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        socket.on('error', () => socket.destroy())
        onUpgrade(req, socket, head).catch((err: unknown) => {
          logger.error('upgrade failed', { err: String(err) })
          socket.destroy()
        })
      })
      return new Promise((resolve, reject) => {
        server.once('error', reject)
        server.listen(port, host, () => {
          const { port: actual } = server.address() as AddressInfo
          resolve({ port: actual, url: `http://${host}:${actual}` })
        })
      })
    },
    async close() {
      for (const conn of [...ctx.connections]) conn.close(CloseCode.goingAway, Reason.shuttingDown)
      wss.close()
      if (http !== null) {
        const server = http
        server.closeAllConnections()
        await new Promise<void>((resolve) => server.close(() => resolve()))
      }
      await projector.flush()
      projector.close()
      await search.stop()
      await hub.close()
    },
  }
}
