import {
  CloseCode, MIN_CLIENT_PROTOCOL_VERSION, PROTOCOL_VERSION, Reason, WaggleError, canRead, canWrite,
  decodeClientFrame, encodeFrame, isEmptyUpdate, parseDocName, validateUpdate,
  type Access, type ConvId, type ClientFrame, type DocName, type Principal, type ServerFrame, type SyncFrame, type UpdateFrame,
} from '@waggle/schema'
import { encodeAwarenessUpdate, type Awareness } from 'y-protocols/awareness'
import type { WebSocket } from 'ws'
import * as Y from 'yjs'
import type { RelayContext } from './RelayContext.ts'
import type { DocSubscriber } from './DocHub.ts'
import { accessFor } from './authorize.ts'
import { rateLimiterOf, updateLimitsOf } from './gate/sessionGate.ts'
import { releaseAwareness, screenAwareness } from './awarenessGuard.ts'
import { watchSession } from '../auth/watchSession.ts'

interface Subscription {
  access: Access
  /** The document's live awareness (the hub keeps it while this connection is subscribed). */
  awareness: Awareness
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
  #stopSessionWatch: (() => void) | null = null
  /**
   * Frames for documents of a conversation whose access is being re-checked, held until the
   * answer is in (then sent, or dropped when the document may no longer be read), by conversation.
   */
  readonly #held = new Map<ConvId, { checks: number; frames: ServerFrame[] }>()
  readonly #helloTimer: ReturnType<typeof setTimeout>
  /** Called once when this socket stops counting as unauthenticated (hello answered, or closed). */
  #onAuthSettled: (() => void) | null

  constructor(ws: WebSocket, ctx: RelayContext, onAuthSettled?: () => void) {
    this.#ws = ws
    this.#ctx = ctx
    this.#onAuthSettled = onAuthSettled ?? null
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
    this.#forward({ type: 'sync', doc, step: 'update', data: update }, update)
  }

  onAwareness(doc: DocName, update: Uint8Array): void {
    this.#forward({ type: 'awareness', doc, update }, update)
  }

  /** Sends what the hub forwards, unless the document's conversation is being re-checked (then holds it). */
  #forward(frame: ServerFrame & { doc: DocName }, bytes: Uint8Array): void {
    if (this.#held.size > 0) {
      const conv = convOf(frame.doc)
      const held = conv === null ? undefined : this.#held.get(conv)
      if (held !== undefined) {
        held.frames.push(frame)
        return
      }
    }
    this.#sendEncoded(this.#ctx.frames.forwarded(frame, bytes))
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
        const sub = this.#subs.get(frame.doc)
        if (sub === undefined) return this.#sendError(frame.doc, Reason.notSubscribed, 'Subscribe before sending awareness')
        // Identity stamped from the session; others' client ids, oversized states dropped (awarenessGuard.ts).
        const update = screenAwareness(frame.doc, frame.update, this.#principal.userId, this, sub.awareness)
        if (update === null) return
        return this.#ctx.hub.applyAwareness(frame.doc, update, this)
      }
      case 'unsubscribe': {
        const sub = this.#subs.get(frame.doc)
        if (sub === undefined) return
        this.#subs.delete(frame.doc)
        releaseAwareness(sub.awareness, this)
        this.#ctx.hub.unsubscribe(frame.doc, this)
        return
      }
    }
  }

  async #onHello(frame: ClientFrame): Promise<void> {
    if (frame.type !== 'hello') throw new WaggleError(Reason.unauthorized, 'The first frame must be hello')
    clearTimeout(this.#helloTimer)
    if (frame.version < MIN_CLIENT_PROTOCOL_VERSION) return this.close(CloseCode.clientTooOld, Reason.clientTooOld)
    if (frame.version > PROTOCOL_VERSION) return this.close(CloseCode.serverTooOld, Reason.serverTooOld)
    const session = await this.#ctx.auth.session(frame.token)
    if (session === null) return this.close(CloseCode.unauthorized, Reason.unauthorized)
    if (this.#closed) return
    const principal = session.principal
    this.#principal = principal
    this.#settleAuth()
    // Expiry or sign-out of this session closes the socket with 4401 (the device asks to sign in again).
    this.#stopSessionWatch = watchSession(this.#ctx.auth, session, (message) => this.close(CloseCode.unauthorized, `${Reason.unauthorized}: ${message}`))
    this.#stopAccessEvents = this.#ctx.access.onChanged((conv, users) => {
      if (!users.includes(principal.userId)) return
      // From now until the re-check answers, nothing of this conversation is sent (held).
      const held = this.#held.get(conv) ?? { checks: 0, frames: [] }
      held.checks += 1
      this.#held.set(conv, held)
      this.#queue = this.#queue.then(() => this.#recheck(principal, conv)).catch((err: unknown) => this.#fail(err)).finally(() => this.#release(conv))
    })
    this.#send({ type: 'welcome', version: PROTOCOL_VERSION, userId: principal.userId, workspaceId: principal.workspaceId })
  }

  async #onSync(frame: SyncFrame): Promise<void> {
    const principal = this.#principal as Principal
    if (frame.step === 'step1') return this.#subscribe(principal, frame.doc, frame.data)
    // A client's step 2 or update through sync: a write without an outbox sequence.
    const sub = this.#subs.get(frame.doc)
    if (sub === undefined) return this.#sendError(frame.doc, Reason.notSubscribed, 'Subscribe before writing')
    try {
      const decoded = validateUpdate(frame.data, updateLimitsOf(this.#ctx.config))
      if (isEmptyUpdate(decoded)) return
      const access = await accessFor(this.#ctx.accounts, principal, frame.doc)
      if (!canWrite(access)) return this.#sendError(frame.doc, access === 'read' ? Reason.readOnly : Reason.forbidden, 'You may not change this document')
      rateLimiterOf(this, this.#ctx.config).take(frame.doc)
      await this.#ctx.hub.write(frame.doc, frame.data, this, principal)
    } catch (err) {
      // Out of bounds, over the rate limit or refused by the write gate: nothing stored; the connection stays.
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
    this.#subs.set(doc, { access, awareness: loaded.awareness })
    this.#send({ type: 'access', doc, access })
    if (Y.decodeStateVector(sv).size === 0) this.#sendEncoded(this.#ctx.frames.wholeState(doc, loaded.doc))
    else this.#send({ type: 'sync', doc, step: 'step2', data: Y.encodeStateAsUpdate(loaded.doc, sv) })
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
        releaseAwareness(sub.awareness, this)
        this.#ctx.hub.unsubscribe(doc, this)
      }
      this.#send({ type: 'access', doc, access })
    }
  }

  /** A re-check of `conv` is done: the frames held meanwhile go out for documents still subscribed. */
  #release(conv: ConvId): void {
    const held = this.#held.get(conv)
    if (held === undefined) return
    held.checks -= 1
    if (held.checks > 0) return
    this.#held.delete(conv)
    for (const frame of held.frames) if ('doc' in frame && frame.doc !== null && this.#subs.has(frame.doc)) this.#send(frame)
  }

  async #onUpdateFrame(frame: UpdateFrame): Promise<void> {
    const principal = this.#principal as Principal
    const reject = (reason: Reason, message: string) => this.#send({ type: 'reject', doc: frame.doc, seq: frame.seq, reason, message })
    let decoded
    try {
      decoded = validateUpdate(frame.update, updateLimitsOf(this.#ctx.config))
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
        // Per session: past the limit the client's outbox sends it again later. Not charged for
        // an outbox entry of a new message the relay already holds: the client sent its content
        // at once, before storing it, as a sync write (which was charged).
        if (!(await this.#holds(frame.doc, decoded))) rateLimiterOf(this, this.#ctx.config).take(frame.doc)
        await this.#ctx.hub.write(frame.doc, frame.update, this, principal)
      } catch (err) {
        // Over the rate limit or refused by the write gate (e.g. invalid-content): nothing stored or forwarded.
        if (err instanceof WaggleError) return reject(err.reason, err.message)
        this.#ctx.logger.error('write failed', { doc: frame.doc, err: String(err) })
        return reject(Reason.storageFailed, 'The relay could not store this change; it will be sent again')
      }
    }
    this.#send({ type: 'ack', doc: frame.doc, seq: frame.seq })
  }

  /** Whether `doc` already holds every struct of `decoded`, which deletes nothing. */
  async #holds(doc: DocName, decoded: ReturnType<typeof validateUpdate>): Promise<boolean> {
    if (decoded.ds.clients.size > 0) return false
    return this.#ctx.hub.read(doc, (d) => decoded.structs.every((st) => st instanceof Y.Skip || st.id.clock + st.length <= Y.getState(d.store, st.id.client)))
  }

  #sendError(doc: DocName | null, reason: Reason, message: string): void {
    this.#send({ type: 'error', doc, reason, message })
  }

  #send(frame: ServerFrame): void {
    this.#sendEncoded(encodeFrame(frame))
  }

  #sendEncoded(encoded: Uint8Array): void {
    if (this.#closed || this.#ws.readyState !== this.#ws.OPEN) return
    if (this.#ws.bufferedAmount > this.#ctx.config.sendQueueBytes) {
      // Never drop silently: the client reconnects and resyncs from state vectors.
      return this.close(CloseCode.sendQueueFull, Reason.sendQueueFull)
    }
    this.#ws.send(encoded)
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

  /** This socket no longer counts against the pre-authentication limits. */
  #settleAuth(): void {
    const settle = this.#onAuthSettled
    this.#onAuthSettled = null
    settle?.()
  }

  #cleanup(): void {
    this.#closed = true
    clearTimeout(this.#helloTimer)
    this.#settleAuth()
    this.#stopAccessEvents?.()
    this.#stopAccessEvents = null
    this.#stopSessionWatch?.()
    this.#stopSessionWatch = null
    this.#held.clear()
    for (const [doc, sub] of this.#subs) {
      releaseAwareness(sub.awareness, this)
      this.#ctx.hub.unsubscribe(doc, this)
    }
    this.#subs.clear()
    this.#ctx.connections.delete(this)
  }
}

/** The conversation whose membership decides access to `doc`, or null for other documents. */
function convOf(doc: DocName): ConvId | null {
  const parsed = parseDocName(doc)
  return parsed !== null && 'conv' in parsed ? parsed.conv : null
}

export function toBytes(data: unknown): Uint8Array {
  if (data instanceof Uint8Array) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  if (data instanceof ArrayBuffer) return new Uint8Array(data)
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data as Buffer[]))
  throw new WaggleError(Reason.malformedFrame, 'Unexpected frame payload')
}
