import type { IncomingMessage } from 'node:http'
import { WebSocket, WebSocketServer, type RawData } from 'ws'
import type { Rng } from './rng.ts'

/** How the proxy mistreats frames; every probability is per frame, every time in ms. */
export interface Faults {
  /** Added to every frame: uniform in [min, max]. Order within a direction is kept unless reordered. */
  delayMs: { min: number; max: number }
  /** The frame is lost (the connection stays up, as if a middlebox swallowed it). */
  drop: number
  /** The frame is delivered twice. */
  duplicate: number
  /** The frame may overtake the frames before it (its delay is not held back by theirs). */
  reorder: number
  /** After this frame, both sides of the connection are cut. */
  cut: number
}

export const CALM: Faults = { delayMs: { min: 0, max: 0 }, drop: 0, duplicate: 0, reorder: 0, cut: 0 }

export interface ProxyStats {
  connections: number
  refused: number
  frames: number
  /** Frames that went through while faults were on. */
  chaosFrames: number
  dropped: number
  duplicated: number
  reordered: number
  cut: number
}

/**
 * A WebSocket proxy of our own between the replicas and the relay (issue 8): each replica
 * connects to `ws://127.0.0.1:<port>/<replica>/ws` and the proxy opens `<target>/ws` for it,
 * then forwards every frame after a random delay, and drops, duplicates, reorders or cuts
 * according to {@link Faults}. A replica can be partitioned (its connections are cut and new
 * ones refused) and healed. Randomness comes from the run's seeded generator; which frames
 * exist depends on timing, so a seed replays the operations exactly, the faults approximately.
 */
export class ChaosProxy {
  readonly stats: ProxyStats = { connections: 0, refused: 0, frames: 0, chaosFrames: 0, dropped: 0, duplicated: 0, reordered: 0, cut: 0 }
  faults: Faults = CALM
  readonly #server: WebSocketServer
  readonly #links = new Set<Link>()
  readonly #partitioned = new Set<string>()

  private constructor(server: WebSocketServer, readonly target: () => string, readonly rng: Rng) {
    this.#server = server
    server.on('connection', (socket, req) => this.#accept(socket, req))
  }

  /** Listens on 127.0.0.1 port 0; `target()` is the relay's WebSocket origin (`ws://127.0.0.1:<port>`), read per connection. */
  static async start(target: () => string, rng: Rng): Promise<ChaosProxy> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 64 * 1024 * 1024 })
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve)
      server.once('error', reject)
    })
    return new ChaosProxy(server, target, rng)
  }

  get port(): number {
    const address = this.#server.address()
    if (address === null || typeof address === 'string') throw new Error('The proxy listens on a TCP port')
    return address.port
  }

  /** The URL a replica named `replica` connects to. */
  urlFor(replica: string): string {
    return `ws://127.0.0.1:${this.port}/${encodeURIComponent(replica)}/ws`
  }

  /** Cuts `replica`'s connections and refuses new ones until {@link heal}. */
  partition(replica: string): void {
    this.#partitioned.add(replica)
    for (const link of this.#links) if (link.replica === replica) link.cut()
  }

  heal(replica?: string): void {
    if (replica === undefined) this.#partitioned.clear()
    else this.#partitioned.delete(replica)
  }

  isPartitioned(replica: string): boolean {
    return this.#partitioned.has(replica)
  }

  /** Cuts every connection (the replicas reconnect on their own). */
  cutAll(): void {
    for (const link of this.#links) link.cut()
  }

  /** Frames waiting in the proxy, in both directions of every connection. */
  get inFlight(): number {
    let n = 0
    for (const link of this.#links) n += link.inFlight
    return n
  }

  async close(): Promise<void> {
    this.cutAll()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }

  #accept(client: WebSocket, req: IncomingMessage): void {
    const match = /^\/([^/]+)(\/ws.*)$/.exec(req.url ?? '')
    const replica = match?.[1] === undefined ? '' : decodeURIComponent(match[1])
    if (match === null || this.#partitioned.has(replica)) {
      this.stats.refused++
      client.terminate()
      return
    }
    this.stats.connections++
    const upstream = new WebSocket(this.target() + match[2])
    const link = new Link(this, replica, client, upstream)
    this.#links.add(link)
    link.onClosed = () => this.#links.delete(link)
  }
}

interface Timed {
  at: number
  data: RawData
  binary: boolean
}

/** One replica connection and its upstream, with a delayed queue per direction. */
class Link {
  onClosed: () => void = () => {}
  #closed = false
  readonly #toUpstream: Lane
  readonly #toClient: Lane

  constructor(readonly proxy: ChaosProxy, readonly replica: string, readonly client: WebSocket, readonly upstream: WebSocket) {
    this.#toUpstream = new Lane(this, upstream)
    this.#toClient = new Lane(this, client)
    client.on('message', (data, binary) => this.#toUpstream.push(data, binary))
    upstream.on('message', (data, binary) => this.#toClient.push(data, binary))
    // Until the upstream is open, the replica's frames wait in its lane.
    upstream.on('open', () => this.#toUpstream.flush())
    for (const socket of [client, upstream]) {
      socket.on('close', () => this.cut())
      socket.on('error', () => this.cut())
    }
  }

  get inFlight(): number {
    return this.#toUpstream.size + this.#toClient.size
  }

  get closed(): boolean {
    return this.#closed
  }

  cut(): void {
    if (this.#closed) return
    this.#closed = true
    this.#toUpstream.clear()
    this.#toClient.clear()
    this.client.terminate()
    this.upstream.terminate()
    this.onClosed()
  }
}

class Lane {
  readonly #queue: Timed[] = []
  #last = 0
  #timer: NodeJS.Timeout | null = null

  constructor(readonly link: Link, readonly out: WebSocket) {}

  get size(): number {
    return this.#queue.length
  }

  push(data: RawData, binary: boolean): void {
    const { proxy } = this.link
    const { faults, rng, stats } = proxy
    stats.frames++
    if (faults !== CALM) stats.chaosFrames++
    if (rng.chance(faults.drop)) {
      stats.dropped++
    } else {
      const copies = rng.chance(faults.duplicate) ? 2 : 1
      if (copies === 2) stats.duplicated++
      for (let i = 0; i < copies; i++) {
        const delay = faults.delayMs.min + rng.next() * (faults.delayMs.max - faults.delayMs.min)
        let at = Date.now() + delay
        if (rng.chance(faults.reorder)) stats.reordered++
        else at = Math.max(at, this.#last)
        this.#last = Math.max(this.#last, at)
        this.#queue.push({ at, data, binary })
      }
      this.#queue.sort((a, b) => a.at - b.at)
    }
    if (rng.chance(faults.cut)) {
      stats.cut++
      // Cut after what is queued so far went out: a connection that dies mid-conversation.
      const at = this.#last
      setTimeout(() => this.link.cut(), Math.max(0, at - Date.now()))
    }
    this.flush()
  }

  flush(): void {
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
    if (this.link.closed || this.out.readyState !== WebSocket.OPEN) return
    const now = Date.now()
    while (this.#queue.length > 0 && (this.#queue[0]?.at ?? Infinity) <= now) {
      const frame = this.#queue.shift()
      if (frame !== undefined) this.out.send(frame.data, { binary: frame.binary })
    }
    const next = this.#queue[0]
    if (next !== undefined) this.#timer = setTimeout(() => this.flush(), Math.max(0, next.at - now))
  }

  clear(): void {
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
    this.#queue.length = 0
  }
}
