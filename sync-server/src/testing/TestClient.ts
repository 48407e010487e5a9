import {
  Origin, PROTOCOL_VERSION, decodeServerFrame, encodeFrame,
  type Access, type AccessFrame, type ClientFrame, type DocName, type ErrorFrame, type Reason, type RejectFrame,
  type ServerFrame, type WelcomeFrame,
} from '@waggle/schema'
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness'
import { WebSocket, type RawData } from 'ws'
import * as Y from 'yjs'
import { toBytes } from './bytes.ts'
import type { Truthy } from './waitFor.ts'

/** How the relay answered one update frame. */
export type WriteResult = { acked: true } | { rejected: Reason }

export interface SubscribeResult {
  access: Access
  doc: Y.Doc
}

export interface CloseInfo {
  code: number
  reason: string
}

/** What the relay has said so far about one subscription request. */
interface SubState {
  access: Access | null
  synced: boolean
  error: ErrorFrame | null
}

const DEFAULT_TIMEOUT_MS = 5_000

/**
 * A minimal client of the multiplexed protocol (ARCHITECTURE §4) for relay tests: one socket,
 * a Y.Doc per subscribed document, acknowledged writes and awareness. Everything the relay
 * sends is recorded so tests can assert on it; every wait has a deadline.
 */
export class TestClient {
  /** Every frame received, in order. */
  readonly frames: ServerFrame[] = []
  readonly errors: ErrorFrame[] = []
  readonly accessFrames: AccessFrame[] = []
  readonly rejects: RejectFrame[] = []
  /** Every update frame sent, like a client's outbox (tests resend from it). */
  readonly sentUpdates: { doc: DocName; seq: number; update: Uint8Array }[] = []
  /** Frames from the relay that did not decode (a relay bug if ever non-empty). */
  readonly badFrames: string[] = []
  welcome: WelcomeFrame | null = null
  closeInfo: CloseInfo | null = null

  readonly #ws: WebSocket
  readonly #docs = new Map<DocName, Y.Doc>()
  readonly #awareness = new Map<DocName, Awareness>()
  readonly #subs = new Map<DocName, SubState>()
  readonly #outcomes = new Map<string, WriteResult>()
  readonly #listeners = new Set<() => void>()
  #seq = 0

  private constructor(ws: WebSocket) {
    this.#ws = ws
    ws.on('message', (data: RawData) => this.#onMessage(toBytes(data)))
    ws.on('close', (code: number, reason: Buffer) => {
      this.closeInfo = { code, reason: reason.toString('utf8') }
      for (const aw of this.#awareness.values()) aw.destroy()
      this.#notify()
    })
    // Without a listener, a socket error would be thrown; the close that follows is what counts.
    ws.on('error', () => this.#notify())
  }

  /** Opens a socket to `url` without saying hello (for handshake tests). */
  static open(url: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<TestClient> {
    const ws = new WebSocket(url)
    const client = new TestClient(ws)
    return new Promise<TestClient>((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.terminate()
        reject(new Error(`Timed out opening ${url}`))
      }, timeoutMs)
      ws.once('open', () => {
        clearTimeout(timer)
        resolve(client)
      })
      ws.once('error', (err) => {
        clearTimeout(timer)
        reject(err)
      })
    })
  }

  /** Opens a socket, says hello with `token` and waits for the welcome. */
  static async connect(url: string, token: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<TestClient> {
    const client = await TestClient.open(url, timeoutMs)
    client.send({ type: 'hello', version: PROTOCOL_VERSION, token })
    await client.until(() => client.welcome ?? client.closeInfo, timeoutMs, 'welcome')
    if (client.welcome === null) {
      throw new Error(`Relay closed instead of welcoming: ${client.closeInfo?.code} ${client.closeInfo?.reason}`)
    }
    return client
  }

  get userId(): string | null {
    return this.welcome?.userId ?? null
  }

  /** This client's replica of `name`, created empty on first use. */
  doc(name: DocName): Y.Doc {
    let doc = this.#docs.get(name)
    if (doc === undefined) {
      doc = new Y.Doc()
      this.#docs.set(name, doc)
    }
    return doc
  }

  /**
   * Subscribes with the state vector of this client's replica (or of `replica`, which then
   * becomes it, e.g. a document edited while offline). Resolves once the relay's step 2 is
   * applied, or with access 'none' when the relay refuses.
   */
  async subscribe(name: DocName, replica?: Y.Doc, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<SubscribeResult> {
    if (replica !== undefined) this.#docs.set(name, replica)
    const doc = this.doc(name)
    const state: SubState = { access: null, synced: false, error: null }
    this.#subs.set(name, state)
    this.send({ type: 'sync', doc: name, step: 'step1', data: Y.encodeStateVector(doc) })
    await this.until(() => state.synced || state.access === 'none' || (state.error ?? this.closeInfo), timeoutMs, `subscription to ${name}`)
    if (state.access === 'none') return { access: 'none', doc }
    if (!state.synced) {
      const why = state.error === null ? `connection closed (${this.closeInfo?.code})` : `${state.error.reason}: ${state.error.message}`
      throw new Error(`Subscription to ${name} failed: ${why}`)
    }
    return { access: state.access ?? 'read', doc }
  }

  unsubscribe(name: DocName): void {
    this.#subs.delete(name)
    this.send({ type: 'unsubscribe', doc: name })
  }

  /**
   * Runs `change` on this client's replica inside `transact(…, Origin.local)` and sends the
   * resulting update as an update frame with the next sequence number.
   */
  async write(name: DocName, change: (doc: Y.Doc) => void, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<WriteResult> {
    const doc = this.doc(name)
    const updates: Uint8Array[] = []
    const capture = (update: Uint8Array, origin: unknown): void => {
      if (origin === Origin.local) updates.push(update)
    }
    doc.on('update', capture)
    try {
      doc.transact(() => change(doc), Origin.local)
    } finally {
      doc.off('update', capture)
    }
    if (updates.length === 0) throw new Error(`The change to ${name} changed nothing`)
    return this.sendUpdate(name, Y.mergeUpdates(updates), timeoutMs)
  }

  /** Sends `update` as-is in an update frame and waits for its ack or reject. */
  async sendUpdate(name: DocName, update: Uint8Array, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<WriteResult> {
    this.#seq += 1
    const key = outcomeKey(name, this.#seq)
    this.sentUpdates.push({ doc: name, seq: this.#seq, update })
    this.send({ type: 'update', doc: name, seq: this.#seq, update })
    await this.until(() => this.#outcomes.has(key) || this.closeInfo, timeoutMs, `ack of ${key}`)
    const outcome = this.#outcomes.get(key)
    if (outcome === undefined) throw new Error(`Connection closed (${this.closeInfo?.code}) before ${key} was answered`)
    return outcome
  }

  /** The awareness of `name` on this client (created on first use). */
  awareness(name: DocName): Awareness {
    let aw = this.#awareness.get(name)
    if (aw === undefined) {
      const created = new Awareness(this.doc(name))
      created.on('update', ({ added, updated, removed }: AwarenessChange, origin: unknown) => {
        if (origin === Origin.remote) return
        const update = encodeAwarenessUpdate(created, [...added, ...updated, ...removed])
        this.send({ type: 'awareness', doc: name, update })
      })
      this.#awareness.set(name, created)
      // Its check timer would outlive a closed socket.
      if (this.closeInfo !== null) created.destroy()
      aw = created
    }
    return aw
  }

  /** Other clients' awareness states for `name`, by Yjs client id. */
  peers(name: DocName): Map<number, Record<string, unknown>> {
    const aw = this.awareness(name)
    const others = new Map(aw.getStates() as Map<number, Record<string, unknown>>)
    others.delete(aw.clientID)
    return others
  }

  /** Sync frames of `step` received for `name`. */
  syncFrames(name: DocName, step: 'step1' | 'step2' | 'update'): ServerFrame[] {
    return this.frames.filter((f) => f.type === 'sync' && f.doc === name && f.step === step)
  }

  send(frame: ClientFrame): void {
    this.sendRaw(encodeFrame(frame))
  }

  sendRaw(bytes: Uint8Array): void {
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.send(bytes)
  }

  /** Resolves with the close code and reason once the socket is closed. */
  async closed(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<CloseInfo> {
    return this.until(() => this.closeInfo, timeoutMs, 'the socket to close')
  }

  /** Closes the socket normally and waits until it is closed. */
  async close(): Promise<void> {
    if (this.closeInfo !== null) return
    this.#ws.close(1000)
    await this.closed()
  }

  /**
   * Resolves with `probe()` once it is truthy, checking after every event on this socket;
   * rejects after `timeoutMs`.
   */
  until<T>(probe: () => T, timeoutMs = DEFAULT_TIMEOUT_MS, what = 'condition'): Promise<Truthy<T>> {
    return new Promise<Truthy<T>>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer)
        this.#listeners.delete(check)
      }
      const check = (): void => {
        try {
          const value = probe()
          if (!value) return
          done()
          resolve(value as Truthy<T>)
        } catch (err) {
          done()
          reject(err instanceof Error ? err : new Error(String(err)))
        }
      }
      const timer = setTimeout(() => {
        done()
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`))
      }, timeoutMs)
      this.#listeners.add(check)
      check()
    })
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener()
  }

  #onMessage(bytes: Uint8Array): void {
    let frame: ServerFrame
    try {
      frame = decodeServerFrame(bytes)
    } catch (err) {
      this.badFrames.push(String(err))
      return this.#notify()
    }
    this.frames.push(frame)
    this.#handle(frame)
    this.#notify()
  }

  #handle(frame: ServerFrame): void {
    switch (frame.type) {
      case 'welcome':
        this.welcome = frame
        return
      case 'access': {
        this.accessFrames.push(frame)
        const state = this.#subs.get(frame.doc)
        if (state !== undefined) state.access = frame.access
        return
      }
      case 'sync':
        return this.#onSync(frame.doc, frame.step, frame.data)
      case 'ack':
        this.#outcomes.set(outcomeKey(frame.doc, frame.seq), { acked: true })
        return
      case 'reject':
        this.rejects.push(frame)
        this.#outcomes.set(outcomeKey(frame.doc, frame.seq), { rejected: frame.reason })
        return
      case 'awareness':
        applyAwarenessUpdate(this.awareness(frame.doc), frame.update, Origin.remote)
        return
      case 'error': {
        this.errors.push(frame)
        const state = frame.doc === null ? undefined : this.#subs.get(frame.doc)
        if (state !== undefined && !state.synced) state.error = frame
        return
      }
    }
  }

  #onSync(name: DocName, step: 'step1' | 'step2' | 'update', data: Uint8Array): void {
    const doc = this.doc(name)
    if (step === 'step1') {
      // The relay's state vector: answer with what it lacks (edits made while offline).
      this.send({ type: 'sync', doc: name, step: 'step2', data: Y.encodeStateAsUpdate(doc, data) })
      return
    }
    Y.applyUpdate(doc, data, Origin.remote)
    const state = this.#subs.get(name)
    if (step === 'step2' && state !== undefined) state.synced = true
  }
}

interface AwarenessChange {
  added: number[]
  updated: number[]
  removed: number[]
}

const outcomeKey = (doc: DocName, seq: number): string => `${doc}#${seq}`
