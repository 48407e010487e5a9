import {
  CloseCode, MIN_CLIENT_PROTOCOL_VERSION, PROTOCOL_VERSION, Reason, WaggleError, canRead, canWrite,
  decodeClientFrame, encodeFrame, isEmptyUpdate, parseDocName, validateUpdate,
  type Access, type ConvId, type ClientFrame, type DocName, type Principal, type ServerFrame, type SyncFrame, type UpdateFrame,
} from '@waggle/schema'
import { encodeAwarenessUpdate } from 'y-protocols/awareness'
import type { WebSocket } from 'ws'
import * as Y from 'yjs'
import type { RelayContext } from './RelayContext.ts'
import type { DocSubscriber } from './DocHub.ts'
import { accessFor } from './authorize.ts'
import { acceptAwareness } from './presenceAwareness.ts'

interface Subscription {
  access: Access
}

/**
 * One device's multiplexed WebSocket: a hello with the protocol version and token, then
 * y-protocols sync and awareness for any number of documents, and acknowledged updates.
 * Frames are handled one at a time, in order, so acks follow the order of updates.
 */
export class MuxConnection implements DocSubscriber {
  readonly #ws: WebSocket
  readonly #ctx: RelayContext
  #principal: Principal | null = null
  readonly #subs = new Map<DocName, Subscription>()
  #queue: Promise<void> = Promise.resolve()
  #closed = false
  #stopAccessEvents: (() => void) | null = null
  readonly #helloTimer: ReturnType<typeof setTimeout>

  constructor(ws: WebSocket, ctx: RelayContext) {
    this.#ws = ws
    this.#ctx = ctx
    ctx.connections.add(this)
    this.#helloTimer = setTimeout(() => this.close(CloseCode.helloTimeout, 'No hello received'), ctx.config.helloTimeoutMs)
    ws.on('message', (data, isBinary) => {
      if (!isBinary) return this.close(CloseCode.malformed, 'Binary frames only')
      const bytes = toBytes(data)
      this.#queue = this.#queue.then(() => this.#onBytes(bytes)).catch((err: unknown) => this.#fail(err))
    })
    ws.on('close', () => this.#cleanup())
    ws.on('error', (err) => ctx.logger.warn('socket error', { err: String(err) }))
  }

  get userId(): string | null {
    return this.#principal?.userId ?? null
  }

  onUpdate(doc: DocName, update: Uint8Array): void {
    this.#send({ type: 'sync', doc, step: 'update', data: update })
  }

  onAwareness(doc: DocName, update: Uint8Array): void {
    this.#send({ type: 'awareness', doc, update })
  }

  close(code: number, reason: string): void {
    if (this.#closed) return
    this.#closed = true
    this.#ws.close(code, reason.slice(0, 120))
    this.#cleanup()
  }

  async #onBytes(bytes: Uint8Array): Promise<void> {
    if (this.#closed) return
    const frame = decodeClientFrame(bytes, this.#ctx.config.maxFrameBytes)
    if (this.#principal === null) return this.#onHello(frame)
    switch (frame.type) {
      case 'hello': throw new WaggleError(Reason.malformedFrame, 'Hello sent twice')
      case 'sync': return this.#onSync(frame)
      case 'update': return this.#onUpdateFrame(frame)
      case 'awareness': {
        if (!this.#subs.has(frame.doc)) return this.#sendError(frame.doc, Reason.notSubscribed, 'Subscribe before sending awareness')
        // Someone else's awareness on a user's presence document is dropped (presenceAwareness.ts).
        const update = acceptAwareness(frame.doc, frame.update, this.#principal.userId)
        if (update === null) return
        return this.#ctx.hub.applyAwareness(frame.doc, update, this)
      }
      case 'unsubscribe': {
        if (this.#subs.delete(frame.doc)) this.#ctx.hub.unsubscribe(frame.doc, this)
        return
      }
    }
  }

  async #onHello(frame: ClientFrame): Promise<void> {
    if (frame.type !== 'hello') throw new WaggleError(Reason.unauthorized, 'The first frame must be hello')
    clearTimeout(this.#helloTimer)
    if (frame.version < MIN_CLIENT_PROTOCOL_VERSION) return this.close(CloseCode.clientTooOld, Reason.clientTooOld)
    if (frame.version > PROTOCOL_VERSION) return this.close(CloseCode.serverTooOld, Reason.serverTooOld)
    const principal = await this.#ctx.auth.authenticate(frame.token)
    if (principal === null) return this.close(CloseCode.unauthorized, Reason.unauthorized)
    this.#principal = principal
    this.#stopAccessEvents = this.#ctx.access.onChanged((conv, users) => {
      if (!users.includes(principal.userId)) return
      this.#queue = this.#queue.then(() => this.#recheck(principal, conv)).catch((err: unknown) => this.#fail(err))
    })
    this.#send({ type: 'welcome', version: PROTOCOL_VERSION, userId: principal.userId, workspaceId: principal.workspaceId })
  }

  async #onSync(frame: SyncFrame): Promise<void> {
    const principal = this.#principal as Principal
    if (frame.step === 'step1') return this.#subscribe(principal, frame.doc, frame.data)
    // A client's step 2 or update through sync: a write without an outbox sequence.
    const sub = this.#subs.get(frame.doc)
    if (sub === undefined) return this.#sendError(frame.doc, Reason.notSubscribed, 'Subscribe before writing')
    const decoded = validateUpdate(frame.data)
    if (isEmptyUpdate(decoded)) return
    const access = await accessFor(this.#ctx.accounts, principal, frame.doc)
    if (!canWrite(access)) return this.#sendError(frame.doc, access === 'read' ? Reason.readOnly : Reason.forbidden, 'You may not change this document')
    try {
      await this.#ctx.hub.write(frame.doc, frame.data, this, principal)
    } catch (err) {
      // Refused by the document's content check: nothing stored; the connection stays.
      if (err instanceof WaggleError) return this.#sendError(frame.doc, err.reason, err.message)
      throw err
    }
  }

  async #subscribe(principal: Principal, doc: DocName, clientStateVector: Uint8Array): Promise<void> {
    const access = await accessFor(this.#ctx.accounts, principal, doc)
    if (!canRead(access)) {
      this.#send({ type: 'access', doc, access: 'none' })
      return this.#sendError(doc, Reason.forbidden, 'You may not read this document')
    }
    if (!this.#subs.has(doc) && this.#subs.size >= this.#ctx.config.maxDocsPerConnection) {
      return this.#sendError(doc, Reason.rateLimited, 'Too many documents open on one connection')
    }
    let sv: Uint8Array
    try {
      sv = clientStateVector.byteLength === 0 ? new Uint8Array([0]) : clientStateVector
      Y.decodeStateVector(sv)
    } catch {
      throw new WaggleError(Reason.malformedFrame, 'Malformed state vector')
    }
    const loaded = await this.#ctx.hub.subscribe(doc, this)
    if (this.#closed) return this.#ctx.hub.unsubscribe(doc, this)
    this.#subs.set(doc, { access })
    this.#send({ type: 'access', doc, access })
    this.#send({ type: 'sync', doc, step: 'step2', data: Y.encodeStateAsUpdate(loaded.doc, sv) })
    this.#send({ type: 'sync', doc, step: 'step1', data: Y.encodeStateVector(loaded.doc) })
    const states = loaded.awareness.getStates()
    if (states.size > 0) {
      this.#send({ type: 'awareness', doc, update: encodeAwarenessUpdate(loaded.awareness, [...states.keys()]) })
    }
  }

  /**
   * Re-evaluates this connection's subscriptions to `conv`'s documents after a membership
   * change (ARCHITECTURE §4): a document no longer readable gets `access: none` and nothing
   * more is forwarded; a changed access is announced.
   */
  async #recheck(principal: Principal, conv: ConvId): Promise<void> {
    for (const [doc, sub] of [...this.#subs]) {
      if (this.#closed) return
      const parsed = parseDocName(doc)
      if (parsed === null || !('conv' in parsed) || parsed.conv !== conv) continue
      const access = await accessFor(this.#ctx.accounts, principal, doc)
      if (access === sub.access) continue
      if (canRead(access)) {
        sub.access = access
      } else {
        this.#subs.delete(doc)
        this.#ctx.hub.unsubscribe(doc, this)
      }
      this.#send({ type: 'access', doc, access })
    }
  }

  async #onUpdateFrame(frame: UpdateFrame): Promise<void> {
    const principal = this.#principal as Principal
    const reject = (reason: Reason, message: string) => this.#send({ type: 'reject', doc: frame.doc, seq: frame.seq, reason, message })
    let decoded
    try {
      decoded = validateUpdate(frame.update)
    } catch (err) {
      if (err instanceof WaggleError) return reject(err.reason, err.message)
      throw err
    }
    const access = await accessFor(this.#ctx.accounts, principal, frame.doc)
    if (!canWrite(access)) {
      return reject(access === 'read' ? Reason.readOnly : Reason.forbidden, 'You may not change this document')
    }
    if (!isEmptyUpdate(decoded)) {
      try {
        await this.#ctx.hub.write(frame.doc, frame.update, this, principal)
      } catch (err) {
        // Refused by the document's content check (e.g. invalid-content): nothing stored or forwarded.
        if (err instanceof WaggleError) return reject(err.reason, err.message)
        this.#ctx.logger.error('write failed', { doc: frame.doc, err: String(err) })
        return reject(Reason.storageFailed, 'The relay could not store this change; it will be sent again')
      }
    }
    this.#send({ type: 'ack', doc: frame.doc, seq: frame.seq })
  }

  #sendError(doc: DocName | null, reason: Reason, message: string): void {
    this.#send({ type: 'error', doc, reason, message })
  }

  #send(frame: ServerFrame): void {
    if (this.#closed || this.#ws.readyState !== this.#ws.OPEN) return
    if (this.#ws.bufferedAmount > this.#ctx.config.sendQueueBytes) {
      // Never drop silently: the client reconnects and resyncs from state vectors.
      return this.close(CloseCode.sendQueueFull, Reason.sendQueueFull)
    }
    this.#ws.send(encodeFrame(frame))
  }

  #fail(err: unknown): void {
    if (err instanceof WaggleError) {
      const code = err.reason === Reason.frameTooLarge ? CloseCode.tooLarge : err.reason === Reason.unauthorized ? CloseCode.unauthorized : CloseCode.malformed
      this.#ctx.logger.warn('closing connection', { reason: err.reason, message: err.message, user: this.userId })
      return this.close(code, `${err.reason}: ${err.message}`)
    }
    this.#ctx.logger.error('connection failed', { err: err instanceof Error ? err.stack : String(err) })
    this.close(CloseCode.internal, Reason.internal)
  }

  #cleanup(): void {
    this.#closed = true
    clearTimeout(this.#helloTimer)
    this.#stopAccessEvents?.()
    this.#stopAccessEvents = null
    for (const doc of this.#subs.keys()) this.#ctx.hub.unsubscribe(doc, this)
    this.#subs.clear()
    this.#ctx.connections.delete(this)
  }
}

export function toBytes(data: unknown): Uint8Array {
  if (data instanceof Uint8Array) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  if (data instanceof ArrayBuffer) return new Uint8Array(data)
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data as Buffer[]))
  throw new WaggleError(Reason.malformedFrame, 'Unexpected frame payload')
}
