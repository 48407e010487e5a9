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
import { acceptAwareness } from './presenceAwareness.ts'

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
 * retry), a write access turned read-only is told with permission-denied.
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

  constructor(ws: WebSocket, ctx: RelayContext, doc: DocName, principal: Principal, access: Access) {
    this.#ws = ws
    this.#ctx = ctx
    this.#doc = doc
    this.#principal = principal
    this.#access = access
    ctx.connections.add(this)
    const conv = convOf(doc)
    this.#stopAccessEvents = conv === null ? () => undefined : ctx.access.onChanged((changed, users) => {
      if (changed !== conv || !users.includes(principal.userId)) return
      this.#queue = this.#queue.then(() => this.#recheck()).catch((err: unknown) => this.#fail(err))
    })
    ws.on('close', () => this.#cleanup())
    ws.on('error', (err) => ctx.logger.warn('socket error', { err: String(err) }))
    this.#queue = this.#start(access)
    ws.on('message', (data) => {
      const bytes = toBytes(data)
      this.#queue = this.#queue.then(() => this.#onMessage(bytes)).catch((err: unknown) => this.#fail(err))
    })
  }

  onUpdate(_doc: DocName, update: Uint8Array): void {
    this.#send((e) => {
      encoding.writeVarUint(e, messageSync)
      encoding.writeVarUint(e, messageYjsUpdate)
      encoding.writeVarUint8Array(e, update)
    })
  }

  onAwareness(_doc: DocName, update: Uint8Array): void {
    this.#send((e) => {
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

  async #onMessage(bytes: Uint8Array): Promise<void> {
    const loaded = this.#loaded
    if (this.#closed || loaded === null) return
    if (bytes.byteLength > this.#ctx.config.maxFrameBytes) throw new WaggleError(Reason.frameTooLarge, 'Frame too large')
    const d = decoding.createDecoder(bytes)
    try {
      const type = decoding.readVarUint(d)
      if (type === messageSync) return await this.#onSync(d, loaded)
      if (type === messageAwareness) {
        // Someone else's awareness on a user's presence document is dropped (presenceAwareness.ts).
        const update = acceptAwareness(this.#doc, decoding.readVarUint8Array(d), this.#principal.userId)
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
    const decoded = validateUpdate(data)
    if (isEmptyUpdate(decoded)) return
    const access = await accessFor(this.#ctx.accounts, this.#principal, this.#doc)
    if (!canWrite(access)) return this.#denied('You may not change this document')
    try {
      await this.#ctx.hub.write(this.#doc, data, this, this.#principal)
    } catch (err) {
      // Refused by the document's content check: nothing stored; told like a refused write.
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
    if (this.#closed || this.#ws.readyState !== this.#ws.OPEN) return
    if (this.#ws.bufferedAmount > this.#ctx.config.sendQueueBytes) return this.close(CloseCode.sendQueueFull, Reason.sendQueueFull)
    const e = encoding.createEncoder()
    write(e)
    this.#ws.send(encoding.toUint8Array(e))
  }

  #fail(err: unknown): void {
    const reason = err instanceof WaggleError ? `${err.reason}: ${err.message}` : Reason.internal
    if (!(err instanceof WaggleError)) this.#ctx.logger.error('plain sync failed', { err: err instanceof Error ? err.stack : String(err) })
    this.close(err instanceof WaggleError ? CloseCode.malformed : CloseCode.internal, reason)
  }

  #cleanup(): void {
    this.#closed = true
    this.#stopAccessEvents()
    this.#ctx.hub.unsubscribe(this.#doc, this)
    this.#ctx.connections.delete(this)
  }
}

/** The conversation whose membership decides access to `doc`, or null for other documents. */
function convOf(doc: DocName): ConvId | null {
  const parsed = parseDocName(doc)
  return parsed !== null && 'conv' in parsed ? parsed.conv : null
}
