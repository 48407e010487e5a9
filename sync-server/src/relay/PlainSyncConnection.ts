import {
  CloseCode, Reason, WaggleError, canRead, canWrite, isEmptyUpdate, parseDocName, validateUpdate,
  type Access, type ConvId, type DocName, type Principal,
} from '@waggle/schema'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness'
import { messagePermissionDenied } from 'y-protocols/auth'
import { messageYjsSyncStep1, messageYjsSyncStep2, messageYjsUpdate } from 'y-protocols/sync'
import type { WebSocket } from 'ws'
import * as Y from 'yjs'
import type { DocSubscriber, LoadedDoc } from './DocHub.ts'
import { toBytes } from './MuxConnection.ts'
import type { RelayContext } from './RelayContext.ts'
import { accessFor } from './authorize.ts'
import { rateLimiterOf, updateLimitsOf } from './gate/sessionGate.ts'
import { releaseAwareness, screenAwareness } from './awarenessGuard.ts'
import type { Session } from '../auth/AuthService.ts'
import { watchSession } from '../auth/watchSession.ts'

// The y-websocket message types (y-websocket/src/y-websocket.js).
const messageSync = 0
const messageAwareness = 1
const messageAuth = 2
const messageQueryAwareness = 3

/**
 * The plain y-websocket protocol for one document at `/sync/<doc name>?token=…`, so any stock
 * y-websocket client can sync a document its token allows. Reads were authorized at upgrade;
 * writes are checked again each time and refused with y-protocols' permission-denied message.
 * A membership change of this user in the document's conversation re-checks the read access
 * too, like the mux does: without it the socket is closed with 4403 (which stock clients do not
 * retry), a write access turned read-only is told with permission-denied; until the re-check
 * answers, nothing more of the document is sent. When the session expires or is signed out, the
 * socket is closed with 4401. Awareness is screened like on the mux (awarenessGuard.ts).
 */
export class PlainSyncConnection implements DocSubscriber {
  readonly #ws: WebSocket
  readonly #ctx: RelayContext
  readonly #doc: DocName
  readonly #principal: Principal
  /** The access last granted, so a re-check tells only a change. */
  #access: Access
  #loaded: LoadedDoc | null = null
  #queue: Promise<void>
  #closed = false
  readonly #stopAccessEvents: () => void
  #stopSessionWatch: (() => void) | null = null
  /** Messages held while a re-check of the access runs (null: none runs), and how many run. */
  #held: Uint8Array[] | null = null
  #checks = 0

  constructor(ws: WebSocket, ctx: RelayContext, doc: DocName, session: Session, access: Access) {
    this.#ws = ws
    this.#ctx = ctx
    this.#doc = doc
    const principal = session.principal
    this.#principal = principal
    this.#access = access
    ctx.connections.add(this)
    const conv = convOf(doc)
    this.#stopAccessEvents = conv === null ? () => undefined : ctx.access.onChanged((changed, users) => {
      if (changed !== conv || !users.includes(principal.userId)) return
      this.#held ??= []
      this.#checks += 1
      this.#queue = this.#queue.then(() => this.#recheck()).catch((err: unknown) => this.#fail(err)).finally(() => this.#release())
    })
    this.#stopSessionWatch = watchSession(ctx.auth, session, (message) => this.close(CloseCode.unauthorized, `${Reason.unauthorized}: ${message}`))
    ws.on('close', () => this.#cleanup())
    ws.on('error', (err) => ctx.logger.warn('socket error', { err: String(err) }))
    this.#queue = this.#start(access)
    ws.on('message', (data) => {
      const bytes = toBytes(data)
      this.#queue = this.#queue.then(() => this.#onMessage(bytes)).catch((err: unknown) => this.#fail(err))
    })
  }

  onUpdate(_doc: DocName, update: Uint8Array): void {
    this.#forward((e) => {
      encoding.writeVarUint(e, messageSync)
      encoding.writeVarUint(e, messageYjsUpdate)
      encoding.writeVarUint8Array(e, update)
    })
  }

  onAwareness(_doc: DocName, update: Uint8Array): void {
    this.#forward((e) => {
      encoding.writeVarUint(e, messageAwareness)
      encoding.writeVarUint8Array(e, update)
    })
  }

  close(code: number, reason: string): void {
    if (this.#closed) return
    this.#closed = true
    this.#ws.close(code, reason.slice(0, 120))
    this.#cleanup()
  }

  async #start(access: Access): Promise<void> {
    const loaded = await this.#ctx.hub.subscribe(this.#doc, this)
    if (this.#closed) return this.#ctx.hub.unsubscribe(this.#doc, this)
    this.#loaded = loaded
    this.#send((e) => {
      encoding.writeVarUint(e, messageSync)
      encoding.writeVarUint(e, messageYjsSyncStep1)
      encoding.writeVarUint8Array(e, Y.encodeStateVector(loaded.doc))
    })
    this.#sendAwarenessStates()
    if (!canWrite(access)) this.#denied('This document is read-only for you')
  }

  /**
   * Re-evaluates the access after a membership change (ARCHITECTURE §4). The close happens as
   * soon as the answer is in, before any other queued message runs, so nothing more is
   * forwarded to someone who may no longer read.
   */
  async #recheck(): Promise<void> {
    if (this.#closed) return
    const access = await accessFor(this.#ctx.accounts, this.#principal, this.#doc)
    if (access === this.#access) return
    this.#access = access
    if (!canRead(access)) return this.close(CloseCode.forbidden, Reason.forbidden)
    if (!canWrite(access)) this.#denied('This document is read-only for you now')
  }

  /** A re-check is done: what was held goes out if the document may still be read. */
  #release(): void {
    this.#checks -= 1
    if (this.#checks > 0) return
    const held = this.#held ?? []
    this.#held = null
    if (this.#closed || !canRead(this.#access)) return
    for (const bytes of held) this.#sendBytes(bytes)
  }

  async #onMessage(bytes: Uint8Array): Promise<void> {
    const loaded = this.#loaded
    if (this.#closed || loaded === null) return
    if (bytes.byteLength > this.#ctx.config.maxFrameBytes) throw new WaggleError(Reason.frameTooLarge, 'Frame too large')
    const d = decoding.createDecoder(bytes)
    try {
      const type = decoding.readVarUint(d)
      if (type === messageSync) return await this.#onSync(d, loaded)
      if (type === messageAwareness) {
        // Identity stamped from the session; others' client ids, oversized states dropped (awarenessGuard.ts).
        const update = screenAwareness(this.#doc, decoding.readVarUint8Array(d), this.#principal.userId, this, loaded.awareness)
        return update === null ? undefined : applyAwarenessUpdate(loaded.awareness, update, this)
      }
      if (type === messageQueryAwareness) return this.#sendAwarenessStates()
      if (type === messageAuth) return
    } catch (err) {
      if (err instanceof WaggleError) throw err
      throw new WaggleError(Reason.malformedFrame, `Malformed message: ${(err as Error).message}`)
    }
    throw new WaggleError(Reason.malformedFrame, 'Unknown message type')
  }

  async #onSync(d: decoding.Decoder, loaded: LoadedDoc): Promise<void> {
    const step = decoding.readVarUint(d)
    const data = decoding.readVarUint8Array(d)
    if (step === messageYjsSyncStep1) {
      return this.#send((e) => {
        encoding.writeVarUint(e, messageSync)
        encoding.writeVarUint(e, messageYjsSyncStep2)
        encoding.writeVarUint8Array(e, Y.encodeStateAsUpdate(loaded.doc, data))
      })
    }
    if (step !== messageYjsSyncStep2 && step !== messageYjsUpdate) throw new WaggleError(Reason.malformedFrame, 'Unknown sync step')
    const decoded = validateUpdate(data, updateLimitsOf(this.#ctx.config))
    if (isEmptyUpdate(decoded)) return
    const access = await accessFor(this.#ctx.accounts, this.#principal, this.#doc)
    if (!canWrite(access)) return this.#denied('You may not change this document')
    try {
      // The same per-connection write limits as the multiplexed protocol.
      rateLimiterOf(this, this.#ctx.config).take(this.#doc)
      await this.#ctx.hub.write(this.#doc, data, this, this.#principal)
    } catch (err) {
      // Refused by the rate limit or the document's content check: nothing stored; told like a refused write.
      if (err instanceof WaggleError) return this.#denied(err.message)
      throw err
    }
  }

  #denied(reason: string): void {
    this.#send((e) => {
      encoding.writeVarUint(e, messageAuth)
      encoding.writeVarUint(e, messagePermissionDenied)
      encoding.writeVarString(e, reason)
    })
  }

  #sendAwarenessStates(): void {
    const aw = this.#loaded?.awareness
    if (aw === undefined || aw.getStates().size === 0) return
    this.onAwareness(this.#doc, encodeAwarenessUpdate(aw, [...aw.getStates().keys()]))
  }

  #send(write: (e: encoding.Encoder) => void): void {
    const e = encoding.createEncoder()
    write(e)
    this.#sendBytes(encoding.toUint8Array(e))
  }

  /** Like {@link #send}, for what the hub forwards: held while a re-check of the access runs. */
  #forward(write: (e: encoding.Encoder) => void): void {
    if (this.#held === null) return this.#send(write)
    const e = encoding.createEncoder()
    write(e)
    this.#held.push(encoding.toUint8Array(e))
  }

  #sendBytes(bytes: Uint8Array): void {
    if (this.#closed || this.#ws.readyState !== this.#ws.OPEN) return
    if (this.#ws.bufferedAmount > this.#ctx.config.sendQueueBytes) return this.close(CloseCode.sendQueueFull, Reason.sendQueueFull)
    this.#ws.send(bytes)
  }

  #fail(err: unknown): void {
    const reason = err instanceof WaggleError ? `${err.reason}: ${err.message}` : Reason.internal
    if (!(err instanceof WaggleError)) this.#ctx.logger.error('plain sync failed', { err: err instanceof Error ? err.stack : String(err) })
    this.close(err instanceof WaggleError ? CloseCode.malformed : CloseCode.internal, reason)
  }

  #cleanup(): void {
    this.#closed = true
    this.#stopAccessEvents()
    this.#stopSessionWatch?.()
    this.#held = null
    if (this.#loaded !== null) releaseAwareness(this.#loaded.awareness, this)
    this.#ctx.hub.unsubscribe(this.#doc, this)
    this.#ctx.connections.delete(this)
  }
}

/** The conversation whose membership decides access to `doc`, or null for other documents. */
function convOf(doc: DocName): ConvId | null {
  const parsed = parseDocName(doc)
  return parsed !== null && 'conv' in parsed ? parsed.conv : null
}
