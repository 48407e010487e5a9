import {
  CloseCode, PROTOCOL_VERSION, decodeServerFrame, encodeFrame, type ClientFrame, type ServerFrame,
} from '@waggle/schema'
import { backoffDelay } from './backoff.ts'

export type ConnectionState = 'offline' | 'connecting' | 'open' | 'stopped'

/** Why the connection stopped for good (the user must act: sign in again, update the app). */
export type StopReason = 'unauthorized' | 'client-too-old'

export interface ConnectionOptions {
  /** `ws://host/ws` or `wss://host/ws`. */
  url: string
  token: string
  /** WebSocket implementation (the browser's by default; `ws` in Node). */
  WebSocket?: typeof WebSocket
  /** Window-like target for `online`/`offline` events and `navigator.onLine`; null in Node. */
  network?: { target: EventTarget; isOnline: () => boolean } | null
  onState(state: ConnectionState, detail?: { stop?: StopReason; serverTooOld?: boolean }): void
  /** Called after the relay's welcome: (re)subscribe and flush the outbox here. */
  onOpen(): void
  onFrame(frame: ServerFrame): void
}

/**
 * The device's one WebSocket to the relay (owned by the leader tab): hello/welcome handshake,
 * reconnect with jittered backoff, and the browser's online/offline events (y-websocket's
 * client ignores them, TOOLCHAIN). Frames that fail to decode close the socket; it reconnects
 * and resyncs from state vectors, so nothing is lost.
 */
export class Connection {
  readonly #opts: ConnectionOptions
  #ws: WebSocket | null = null
  #state: ConnectionState = 'connecting'
  #attempt = 0
  #timer: ReturnType<typeof setTimeout> | null = null
  #welcomed = false
  #disposed = false
  readonly #onOnline = () => this.#connectNow()
  readonly #onOffline = () => this.#goOffline()

  constructor(opts: ConnectionOptions) {
    this.#opts = opts
    opts.network?.target.addEventListener('online', this.#onOnline)
    opts.network?.target.addEventListener('offline', this.#onOffline)
    if (opts.network && !opts.network.isOnline()) this.#setState('offline')
    else this.#open()
  }

  get state(): ConnectionState {
    return this.#state
  }

  /** Sends a frame if the relay has welcomed us; false otherwise (the caller retries on open). */
  send(frame: ClientFrame): boolean {
    const ws = this.#ws
    if (ws === null || !this.#welcomed || ws.readyState !== 1) return false
    ws.send(encodeFrame(frame))
    return true
  }

  /** Drops the socket and reconnects (used after a protocol error). */
  reconnect(): void {
    this.#ws?.close(CloseCode.normal, 'reconnect')
  }

  /** Replaces the token (after renewal) and reconnects with it. */
  setToken(token: string): void {
    this.#opts.token = token
    if (this.#state === 'stopped') this.#connectNow()
    else this.reconnect()
  }

  dispose(): void {
    this.#disposed = true
    this.#opts.network?.target.removeEventListener('online', this.#onOnline)
    this.#opts.network?.target.removeEventListener('offline', this.#onOffline)
    if (this.#timer !== null) clearTimeout(this.#timer)
    const ws = this.#ws
    this.#ws = null
    ws?.close(CloseCode.normal, 'closed')
  }

  #setState(state: ConnectionState, detail?: { stop?: StopReason; serverTooOld?: boolean }): void {
    this.#state = state
    this.#opts.onState(state, detail)
  }

  #open(): void {
    if (this.#disposed) return
    this.#setState('connecting')
    const Impl = this.#opts.WebSocket ?? WebSocket
    const ws = new Impl(this.#opts.url)
    ws.binaryType = 'arraybuffer'
    this.#ws = ws
    this.#welcomed = false
    ws.onopen = () => ws.send(encodeFrame({ type: 'hello', version: PROTOCOL_VERSION, token: this.#opts.token }))
    // A close event always follows and drives the reconnect. Without a listener, Node's `ws`
    // throws the error instead (e.g. when a socket still connecting is closed by dispose()).
    ws.onerror = () => {}
    ws.onmessage = (event: MessageEvent) => {
      if (this.#ws !== ws) return
      let frame: ServerFrame
      try {
        frame = decodeServerFrame(new Uint8Array(event.data as ArrayBuffer))
      } catch {
        ws.close(CloseCode.malformed, 'malformed frame from relay')
        return
      }
      if (frame.type === 'welcome') {
        this.#welcomed = true
        this.#attempt = 0
        this.#setState('open')
        this.#opts.onOpen()
        return
      }
      this.#opts.onFrame(frame)
    }
    ws.onclose = (event: CloseEvent) => {
      if (this.#ws !== ws) return
      this.#ws = null
      this.#welcomed = false
      if (this.#disposed) return
      if (event.code === CloseCode.unauthorized) return this.#setState('stopped', { stop: 'unauthorized' })
      if (event.code === CloseCode.clientTooOld) return this.#setState('stopped', { stop: 'client-too-old' })
      if (this.#state === 'offline') return
      this.#scheduleReconnect(event.code === CloseCode.serverTooOld)
    }
  }

  #scheduleReconnect(serverTooOld: boolean): void {
    this.#setState('connecting', serverTooOld ? { serverTooOld } : undefined)
    const delay = backoffDelay(this.#attempt++)
    this.#timer = setTimeout(() => {
      this.#timer = null
      this.#open()
    }, delay)
  }

  #connectNow(): void {
    if (this.#disposed) return
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
    this.#attempt = 0
    if (this.#ws === null) this.#open()
  }

  #goOffline(): void {
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
    this.#setState('offline')
    const ws = this.#ws
    this.#ws = null
    // A paused socket would otherwise look open until TCP gives up.
    ws?.close(CloseCode.normal, 'offline')
  }
}
