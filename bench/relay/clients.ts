/**
 * Lightweight load-generator clients, one per relay protocol, speaking the raw protocol over
 * `ws`: no Y.Doc is applied. Each can join a document (resolves when the relay's sync step 2
 * arrives), write an update (resolves on what the relay offers as confirmation), send awareness,
 * and hands forwarded updates and awareness to callbacks as raw bytes.
 */
import { PROTOCOL_VERSION, decodeServerFrame, encodeFrame, type ClientFrame, type DocName } from '@waggle/schema'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { WebSocket, type RawData } from 'ws'

export type RelayKind = 'waggle' | 'hocuspocus' | 'reference'
export const RELAY_KINDS: readonly RelayKind[] = ['waggle', 'hocuspocus', 'reference']

/** An empty document's state vector: the client has nothing, the relay sends everything. */
const EMPTY_SV = new Uint8Array([0])
const JOIN_TIMEOUT_MS = 120_000
const OPEN_TIMEOUT_MS = 30_000

interface Pending { resolve: (n: number) => void; reject: (err: Error) => void }

/** One socket to a relay. */
export abstract class BenchClient {
  /** A document update the relay forwarded (the Yjs update). */
  onUpdate: ((doc: string, update: Uint8Array) => void) | null = null
  /** An awareness update the relay forwarded. */
  onAwareness: ((doc: string, update: Uint8Array) => void) | null = null
  closeCode: number | null = null
  /** False: incoming frames are not even decoded (load-only clients; the relay's work is the same). */
  inspect = true
  protected readonly joins = new Map<string, Pending>()

  constructor(protected readonly ws: WebSocket) {
    ws.on('message', (data: RawData) => {
      if (this.inspect) this.onBytes(toBytes(data))
    })
    ws.on('close', (code: number) => {
      this.closeCode = code
      for (const p of this.joins.values()) p.reject(new Error(`closed ${code} while joining`))
      this.joins.clear()
      this.failWrites(new Error(`closed ${code}`))
    })
    ws.on('error', () => undefined)
  }

  /** Asks for `doc` with an empty state vector; resolves with the step 2's size in bytes. */
  join(doc: string): Promise<number> {
    const done = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`join of ${doc} timed out`)), JOIN_TIMEOUT_MS)
      this.joins.set(doc, {
        resolve: (n) => { clearTimeout(timer); resolve(n) },
        reject: (err) => { clearTimeout(timer); reject(err) },
      })
    })
    this.sendJoin(doc)
    return done
  }

  /** Sends a Yjs update; resolves when the relay confirms it (see each protocol). */
  abstract write(doc: string, update: Uint8Array): Promise<void>
  abstract awareness(doc: string, update: Uint8Array): void
  protected abstract sendJoin(doc: string): void
  protected abstract onBytes(bytes: Uint8Array): void
  protected abstract failWrites(err: Error): void

  protected joined(doc: string, bytes: number): void {
    const p = this.joins.get(doc)
    this.joins.delete(doc)
    p?.resolve(bytes)
  }

  protected send(bytes: Uint8Array): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(bytes)
  }

  close(): void {
    this.ws.terminate()
  }
}

/** Waggle's multiplexed protocol (`/ws`): hello first; acks name the update's sequence number. */
class WaggleClient extends BenchClient {
  #seq = 0
  readonly #acks = new Map<number, { resolve: () => void; reject: (err: Error) => void }>()
  #welcomed: (() => void) | null = null

  #frame(frame: ClientFrame): void {
    this.send(encodeFrame(frame))
  }

  /** Says hello; resolves on the welcome, rejects if the relay closes instead (e.g. 4529). */
  greet(token: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no welcome')), OPEN_TIMEOUT_MS)
      const onClose = (code: number): void => {
        clearTimeout(timer)
        reject(new Error(`closed ${code} before the welcome`))
      }
      this.ws.once('close', onClose)
      this.#welcomed = () => {
        clearTimeout(timer)
        this.ws.off('close', onClose)
        resolve()
      }
      this.#frame({ type: 'hello', version: PROTOCOL_VERSION, token })
    })
  }

  protected sendJoin(doc: string): void {
    this.#frame({ type: 'sync', doc: doc as DocName, step: 'step1', data: EMPTY_SV })
  }

  /** Resolves on the relay's ack: the update is committed to SQLite (its durable acknowledgement). */
  write(doc: string, update: Uint8Array): Promise<void> {
    const seq = ++this.#seq
    return new Promise((resolve, reject) => {
      this.#acks.set(seq, { resolve, reject })
      this.#frame({ type: 'update', doc: doc as DocName, seq, update })
    })
  }

  awareness(doc: string, update: Uint8Array): void {
    this.#frame({ type: 'awareness', doc: doc as DocName, update })
  }

  protected failWrites(err: Error): void {
    for (const p of this.#acks.values()) p.reject(err)
    this.#acks.clear()
  }

  protected onBytes(bytes: Uint8Array): void {
    const frame = decodeServerFrame(bytes, Number.MAX_SAFE_INTEGER)
    switch (frame.type) {
      case 'welcome': this.#welcomed?.(); return
      case 'sync':
        if (frame.step === 'step2') this.joined(frame.doc, frame.data.byteLength)
        else if (frame.step === 'update') this.onUpdate?.(frame.doc, frame.data)
        return
      case 'awareness': this.onAwareness?.(frame.doc, frame.update); return
      case 'ack': this.#settle(frame.seq, null); return
      case 'reject': this.#settle(frame.seq, new Error(`rejected: ${frame.reason} ${frame.message}`)); return
      case 'error': {
        const p = frame.doc === null ? undefined : this.joins.get(frame.doc)
        if (frame.doc !== null) this.joins.delete(frame.doc)
        p?.reject(new Error(`relay error ${frame.reason}: ${frame.message}`))
        return
      }
      case 'access': return
    }
  }

  #settle(seq: number, err: Error | null): void {
    const p = this.#acks.get(seq)
    this.#acks.delete(seq)
    if (err === null) p?.resolve()
    else p?.reject(err)
  }
}

const HP = { sync: 0, awareness: 1, auth: 2, syncReply: 4, syncStatus: 8 } as const
const SYNC_STEP2 = 1
const SYNC_UPDATE = 2

/** Hocuspocus: every message starts with the document name; a document is joined with an auth message. */
class HocuspocusClient extends BenchClient {
  /** Writes waiting for their SyncStatus, per document, in order (Hocuspocus handles a connection's messages in order). */
  readonly #statuses = new Map<string, { resolve: () => void; reject: (err: Error) => void }[]>()

  #message(doc: string, type: number, body: (e: encoding.Encoder) => void): void {
    const e = encoding.createEncoder()
    encoding.writeVarString(e, doc)
    encoding.writeVarUint(e, type)
    body(e)
    this.send(encoding.toUint8Array(e))
  }

  protected sendJoin(doc: string): void {
    // Auth (token type 0, empty token: no onAuthenticate hook), then sync step 1.
    this.#message(doc, HP.auth, (e) => {
      encoding.writeVarUint(e, 0)
      encoding.writeVarString(e, '')
    })
    this.#message(doc, HP.sync, (e) => {
      encoding.writeVarUint(e, 0)
      encoding.writeVarUint8Array(e, EMPTY_SV)
    })
  }

  /** Resolves on Hocuspocus' SyncStatus: the update is applied in memory (stored later, debounced). */
  write(doc: string, update: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      const queue = this.#statuses.get(doc) ?? []
      queue.push({ resolve, reject })
      this.#statuses.set(doc, queue)
      this.#message(doc, HP.sync, (e) => {
        encoding.writeVarUint(e, SYNC_UPDATE)
        encoding.writeVarUint8Array(e, update)
      })
    })
  }

  awareness(doc: string, update: Uint8Array): void {
    this.#message(doc, HP.awareness, (e) => encoding.writeVarUint8Array(e, update))
  }

  protected failWrites(err: Error): void {
    for (const q of this.#statuses.values()) for (const p of q) p.reject(err)
    this.#statuses.clear()
  }

  protected onBytes(bytes: Uint8Array): void {
    const d = decoding.createDecoder(bytes)
    const doc = decoding.readVarString(d)
    const type = decoding.readVarUint(d)
    if (type === HP.sync || type === HP.syncReply) {
      const step = decoding.readVarUint(d)
      if (step === SYNC_STEP2) this.joined(doc, bytes.byteLength)
      else if (step === SYNC_UPDATE) this.onUpdate?.(doc, decoding.readVarUint8Array(d))
    } else if (type === HP.awareness) {
      this.onAwareness?.(doc, decoding.readVarUint8Array(d))
    } else if (type === HP.syncStatus) {
      const ok = decoding.readVarUint(d) === 1
      const p = this.#statuses.get(doc)?.shift()
      if (ok) p?.resolve()
      else p?.reject(new Error('SyncStatus: not applied'))
    } else if (type === HP.auth) {
      // 2 = authenticated; 1 = permission denied.
      if (decoding.readVarUint(d) === 1) this.joins.get(doc)?.reject(new Error(`permission denied for ${doc}`))
    }
  }
}

/** The classic y-websocket protocol: one socket per document (the room is the URL path). */
class ReferenceClient extends BenchClient {
  constructor(ws: WebSocket, readonly room: string) {
    super(ws)
  }

  protected sendJoin(doc: string): void {
    if (doc !== this.room) throw new Error(`This socket serves ${this.room}, not ${doc}`)
    const e = encoding.createEncoder()
    encoding.writeVarUint(e, 0)
    encoding.writeVarUint(e, 0)
    encoding.writeVarUint8Array(e, EMPTY_SV)
    this.send(encoding.toUint8Array(e))
  }

  /** Resolves at once: the protocol has no confirmation of a write. */
  write(_doc: string, update: Uint8Array): Promise<void> {
    const e = encoding.createEncoder()
    encoding.writeVarUint(e, 0)
    encoding.writeVarUint(e, SYNC_UPDATE)
    encoding.writeVarUint8Array(e, update)
    this.send(encoding.toUint8Array(e))
    return Promise.resolve()
  }

  awareness(_doc: string, update: Uint8Array): void {
    const e = encoding.createEncoder()
    encoding.writeVarUint(e, 1)
    encoding.writeVarUint8Array(e, update)
    this.send(encoding.toUint8Array(e))
  }

  protected failWrites(): void {}

  protected onBytes(bytes: Uint8Array): void {
    const d = decoding.createDecoder(bytes)
    const type = decoding.readVarUint(d)
    if (type === 0) {
      const step = decoding.readVarUint(d)
      if (step === SYNC_STEP2) this.joined(this.room, bytes.byteLength)
      else if (step === SYNC_UPDATE) this.onUpdate?.(this.room, decoding.readVarUint8Array(d))
    } else if (type === 1) {
      this.onAwareness?.(this.room, decoding.readVarUint8Array(d))
    }
  }
}

function open(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.terminate()
      reject(new Error(`Timed out opening ${url}`))
    }, OPEN_TIMEOUT_MS)
    ws.once('open', () => {
      clearTimeout(timer)
      resolve(ws)
    })
    ws.once('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
  })
}

export interface Target {
  kind: RelayKind
  /** `ws://127.0.0.1:<port>` */
  wsBase: string
}

/**
 * Opens a client: Waggle says hello with `token` and waits for the welcome; Hocuspocus only
 * opens the socket; the reference relay opens the socket of room `room` (required there).
 */
export async function connect(target: Target, token: string, room?: string): Promise<BenchClient> {
  switch (target.kind) {
    case 'waggle': {
      const client = new WaggleClient(await open(`${target.wsBase}/ws`))
      await client.greet(token)
      return client
    }
    case 'hocuspocus':
      return new HocuspocusClient(await open(target.wsBase))
    case 'reference': {
      if (room === undefined) throw new Error('A reference relay socket needs its room')
      return new ReferenceClient(await open(`${target.wsBase}/${room}`), room)
    }
  }
}

function toBytes(data: RawData): Uint8Array {
  if (Buffer.isBuffer(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  if (data instanceof ArrayBuffer) return new Uint8Array(data)
  return new Uint8Array(Buffer.concat(data))
}
