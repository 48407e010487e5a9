import {
  Reason, WaggleError, collectChanges,
  type ContentCheck, type DocName, type ParsedDocName, type Writer,
} from '@waggle/schema'
import * as Y from 'yjs'
import type { Logger } from '../../config.ts'
import { SERVER_OWNER, type ClientIdOwner } from '../../storage/ClientIdStore.ts'
import type { GateStats } from './GateStats.ts'

/** What every document's gate of one hub shares. */
export interface GateContext {
  logger: Logger
  stats: GateStats
  /** Decode and check time budget per write (ms). */
  budgetMs: number
  /** The hub's own Yjs client id: no client may write with it. */
  serverClientId: number
  /** Reads the clock (ms, fractional); `performance.now` unless a test replaces it. */
  now: () => number
}

/** What the gate decided for an accepted write. */
export interface Accepted {
  /** The update adds nothing the document lacks (a resent outbox entry): it was not judged. */
  contained: boolean
  /** Client ids the update is the first to use in this document, to bind to the writer. */
  bind: number[]
  owner: ClientIdOwner
}

const ownerOf = (writer: Writer): ClientIdOwner => (writer === 'server' ? SERVER_OWNER : writer.userId)

const refused = (reason: Reason, message: string): WaggleError => new WaggleError(reason, message)

/**
 * The write gate of one loaded document (issue 7, ARCHITECTURE §3 "The write gate").
 *
 * It keeps a *shadow*: a second Y.Doc holding the same state as the live document, made
 * lazily from it on the first judged write. A client update is applied to the shadow in one
 * transaction whose changed root types and keys ({@link collectChanges}) tell the kind's
 * {@link ContentCheck} what to look at, with `before` the live document and `after` the shadow.
 * Accepted: the hub commits it and applies it to the live document; the shadow already has it.
 * Every other committed update (the relay's own changes) is applied to the shadow too. Refused,
 * or the commit failed: the shadow is dropped and rebuilt on the next write, so it never holds
 * what the live document does not.
 *
 * Before that, each Yjs client id the update writes with is checked against the bindings: an id
 * belongs to whoever first wrote with it in this document, and the hub's own id to the relay.
 */
/**
 * Updates smaller than this are never refused `too-expensive`: so few bytes cannot carry much
 * work, and when checking one overruns the budget, the relay was busy (a restart warming up,
 * a shared core, a collection), not the writer costly. The torture suite found an honest
 * one-message write refused at 351 ms right after a relay restart (seed 104), and every later
 * write of that device refused after it (they built on it).
 */
export const EXPENSIVE_MIN_BYTES = 4_096

export class DocGate {
  readonly #name: DocName
  readonly #parsed: ParsedDocName
  readonly #check: ContentCheck
  readonly #owners: Map<number, ClientIdOwner>
  #shadow: Y.Doc | null = null
  /** Time the last {@link judge} spent building the shadow, not counted against the budget. */
  #buildMs = 0

  constructor(name: DocName, parsed: ParsedDocName, check: ContentCheck, owners: Map<number, ClientIdOwner>) {
    this.#name = name
    this.#parsed = parsed
    this.#check = check
    this.#owners = owners
  }

  /** Whether a shadow is held now (tests). */
  get hasShadow(): boolean {
    return this.#shadow !== null
  }

  /**
   * Judges `update` by `writer` against `live` (which must not change until the write is
   * committed or refused). Throws a {@link WaggleError} with the reason when refused; on
   * acceptance the shadow holds the update.
   */
  judge(live: Y.Doc, update: Uint8Array, writer: Writer, ctx: GateContext): Accepted {
    const started = ctx.now()
    const owner = ownerOf(writer)
    this.#buildMs = 0
    try {
      const accepted = this.#judge(live, update, writer, owner, ctx)
      // Building the shadow (once per loaded document) is the relay's cost, not this write's.
      const ms = ctx.now() - started - this.#buildMs
      if (!accepted.contained) ctx.stats.record(ms, false)
      if (ms > ctx.budgetMs && update.byteLength < EXPENSIVE_MIN_BYTES) {
        ctx.logger.warn('write gate over its time budget on a small update (accepted)', { doc: this.#name, ms: Math.round(ms), budgetMs: ctx.budgetMs, bytes: update.byteLength, user: owner })
      } else if (ms > ctx.budgetMs) {
        this.drop()
        ctx.logger.warn('write gate over its time budget', { doc: this.#name, ms: Math.round(ms), budgetMs: ctx.budgetMs, bytes: update.byteLength, user: owner })
        throw refused(Reason.tooExpensive, `This change took too long to check (${Math.round(ms)} ms, limit ${ctx.budgetMs} ms); send it in smaller parts`)
      }
      return accepted
    } catch (err) {
      if (err instanceof WaggleError && err.reason !== Reason.tooExpensive) ctx.stats.record(ctx.now() - started - this.#buildMs, true)
      throw err
    }
  }

  #judge(live: Y.Doc, update: Uint8Array, writer: Writer, owner: ClientIdOwner, ctx: GateContext): Accepted {
    let decoded: ReturnType<typeof Y.decodeUpdate>
    try {
      decoded = Y.decodeUpdate(update)
    } catch (err) {
      throw refused(Reason.malformedUpdate, `Malformed update: ${(err as Error).message}`)
    }
    // Structs the live document lacks: only those are new (a resent or overlapping update
    // carries some it has, possibly other clients', which add nothing).
    const fresh = decoded.structs.filter((s) => !(s instanceof Y.Skip) && s.id.clock + s.length > Y.getState(live.store, s.id.client))
    if (fresh.length === 0 && decoded.ds.clients.size === 0) return { contained: true, bind: [], owner }

    const bind = new Set<number>()
    for (const s of fresh) {
      const client = s.id.client
      if (writer !== 'server' && client === ctx.serverClientId) throw refused(Reason.forbidden, 'This client id belongs to another session')
      const bound = this.#owners.get(client)
      if (bound === undefined) bind.add(client)
      else if (bound !== owner) throw refused(Reason.forbidden, 'This client id belongs to another session')
    }

    const shadow = this.#shadowOf(live, ctx)
    const pendingDsBefore = shadow.store.pendingDs
    let changes
    try {
      changes = collectChanges(shadow, () => Y.applyUpdate(shadow, update, GATE_ORIGIN))
    } catch (err) {
      this.drop()
      throw refused(Reason.malformedUpdate, `This change does not apply: ${(err as Error).message}`)
    }
    // Left pending: it builds on structs or deletes items the relay does not have (an update
    // it refused, or one never sent). Stored, it would hide every later write of that client.
    const pending = fresh.some((s) => s.id.clock + s.length > Y.getState(shadow.store, s.id.client))
    const pendingDs = shadow.store.pendingDs
    if (pending || (pendingDs !== null && (pendingDsBefore === null || !sameBytes(pendingDs, pendingDsBefore)))) {
      this.drop()
      throw refused(Reason.missingDependency, 'This change builds on one the relay does not have')
    }
    let refusal
    try {
      refusal = this.#check(this.#parsed, live, shadow, writer, changes)
    } catch (err) {
      this.drop()
      if (err instanceof WaggleError) throw err
      // A check that trips over what the update made of the document (e.g. a root of another
      // type than its layout's): the update does not fit it.
      ctx.logger.warn('content check failed', { doc: this.#name, err: String(err) })
      throw refused(Reason.invalidContent, 'This change does not fit the document’s layout')
    }
    if (refusal !== null) {
      this.drop()
      throw refused(refusal.reason, refusal.message)
    }
    return { contained: false, bind: [...bind], owner }
  }

  /** Records bindings the hub has stored. */
  bound(ids: readonly number[], owner: ClientIdOwner): void {
    for (const id of ids) if (!this.#owners.has(id)) this.#owners.set(id, owner)
  }

  /** Whether `id` is bound (to anyone). */
  isBound(id: number): boolean {
    return this.#owners.has(id)
  }

  /** A committed update that {@link judge} did not apply to the shadow (the relay's own changes). */
  committed(update: Uint8Array): void {
    if (this.#shadow === null) return
    try {
      Y.applyUpdate(this.#shadow, update, GATE_ORIGIN)
    } catch {
      this.drop()
    }
  }

  /** Forgets the shadow (it is rebuilt from the live document on the next write). */
  drop(): void {
    this.#shadow?.destroy()
    this.#shadow = null
  }

  #shadowOf(live: Y.Doc, ctx: GateContext): Y.Doc {
    if (this.#shadow === null) {
      const started = ctx.now()
      const shadow = new Y.Doc({ gc: true })
      Y.applyUpdate(shadow, Y.encodeStateAsUpdate(live), GATE_ORIGIN)
      this.#shadow = shadow
      this.#buildMs = ctx.now() - started
    }
    return this.#shadow
  }
}

/** The origin of the shadow's transactions. */
const GATE_ORIGIN = Symbol('write-gate')

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false
  return true
}
