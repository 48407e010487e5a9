import {
  Origin, contentCheckFor, parseDocName, readLastSeen, writeLastSeen,
  type ContentCheck, type DocName, type ParsedDocName, type TxOrigin, type Writer,
} from '@waggle/schema'
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate, removeAwarenessStates } from 'y-protocols/awareness'
import * as Y from 'yjs'
import { defaultConfig, type Logger } from '../config.ts'
import { MemoryClientIdStore, SERVER_OWNER, type ClientIdStore } from '../storage/ClientIdStore.ts'
import type { Persistence } from '../storage/Persistence.ts'
import { DocGate, type GateContext } from './gate/DocGate.ts'
import { GateStats, type GateStatsSnapshot } from './gate/GateStats.ts'
import { LastSeenTracker, presenceOwner } from './presenceAwareness.ts'

/** Something that receives a loaded document's updates: one connection's subscription. */
export interface DocSubscriber {
  onUpdate(doc: DocName, update: Uint8Array): void
  onAwareness(doc: DocName, update: Uint8Array): void
}

/** A document in memory with its subscribers. */
export interface LoadedDoc {
  readonly name: DocName
  readonly doc: Y.Doc
  readonly awareness: Awareness
}

interface Entry extends LoadedDoc {
  subscribers: Set<DocSubscriber>
  /** Awareness client ids each subscriber controls, removed when it leaves. */
  awarenessIds: Map<DocSubscriber, Set<number>>
  lastSeq: number
  logLength: number
  /** Writes, compactions and the unload run one at a time, in order. */
  queue: Promise<unknown>
  idleTimer: ReturnType<typeof setTimeout> | null
  unloading: Promise<void> | null
  /** The write gate's shadow and client id bindings; null when the gate is off or the kind has no check. */
  gate: DocGate | null
}

/**
 * Told about every update the hub has stored and applied (client writes and {@link DocHub.change}),
 * never about documents loaded from storage. `doc` is the live document: read it, never write it.
 */
export type AppliedListener = (name: DocName, update: Uint8Array, doc: Y.Doc) => void

export interface DocHubOptions {
  persistence: Persistence
  logger: Logger
  idleMs: number
  compactThreshold: number
  /**
   * The content check of a document kind, run on every client write before it is stored
   * (default: the schema's {@link contentCheckFor}: the per-kind rules of issue 7).
   */
  contentCheckFor?: (doc: ParsedDocName) => ContentCheck | undefined
  /**
   * The content-level write gate (content checks and client id bindings) on client writes.
   * Default true; `false` only for benchmarks comparing against no gate: access still applies,
   * content does not.
   */
  gate?: boolean
  /** Decode and check time budget per client write (ms); default `defaultConfig.gateTimeBudgetMs`. */
  gateTimeBudgetMs?: number
  /**
   * Where client id bindings are kept; default the persistence's own (`persistence.clientIds`),
   * else memory (lost on restart).
   */
  clientIds?: ClientIdStore
}

/**
 * The relay's loaded documents (one hub per server instance, no module state). Documents load
 * on first subscription and unload when idle. Every write is committed to storage before it
 * is applied and forwarded, so an acknowledged update is never only in memory.
 */
export class DocHub {
  readonly #docs = new Map<DocName, Entry>()
  readonly #loading = new Map<DocName, Promise<Entry>>()
  readonly #opts: DocHubOptions
  readonly #applied = new Set<AppliedListener>()
  /**
   * The Yjs client id of this hub's own changes. One per hub rather than one per change keeps
   * the state vectors of server-written documents (inboxes) from growing with every write; it
   * is safe because {@link change} runs in the document's queue, after every earlier write.
   */
  readonly #clientId = randomClientId()
  readonly #clientIds: ClientIdStore
  readonly #gateStats = new GateStats()
  readonly #gateCtx: GateContext
  #closed = false

  constructor(opts: DocHubOptions) {
    this.#opts = opts
    this.#clientIds = opts.clientIds ?? opts.persistence.clientIds ?? new MemoryClientIdStore()
    this.#gateCtx = {
      logger: opts.logger,
      stats: this.#gateStats,
      budgetMs: opts.gateTimeBudgetMs ?? defaultConfig.gateTimeBudgetMs,
      serverClientId: this.#clientId,
      now: () => performance.now(),
    }
  }

  /** Times of the write gate's decisions so far (a histogram and recent percentiles). */
  gateStats(): GateStatsSnapshot {
    return this.#gateStats.snapshot()
  }

  /** The Yjs client id of this hub's own changes (bound to the relay in every document it writes). */
  get clientId(): number {
    return this.#clientId
  }

  get loadedCount(): number {
    return this.#docs.size
  }

  isLoaded(name: DocName): boolean {
    return this.#docs.has(name)
  }

  /** Loads the document if needed and adds `sub` to its subscribers. */
  async subscribe(name: DocName, sub: DocSubscriber): Promise<LoadedDoc> {
    const entry = await this.#load(name)
    if (entry.idleTimer !== null) clearTimeout(entry.idleTimer)
    entry.idleTimer = null
    entry.subscribers.add(sub)
    return entry
  }

  /** Removes `sub`; its awareness states go with it; the document unloads once idle. */
  unsubscribe(name: DocName, sub: DocSubscriber): void {
    const entry = this.#docs.get(name)
    if (entry === undefined || !entry.subscribers.delete(sub)) return
    const ids = entry.awarenessIds.get(sub)
    entry.awarenessIds.delete(sub)
    if (ids !== undefined && ids.size > 0) removeAwarenessStates(entry.awareness, [...ids], sub)
    if (entry.subscribers.size === 0) this.#scheduleUnload(entry)
  }

  /**
   * Calls `fn` after every update that is stored and applied, from a client or from
   * {@link change}; returns a function that stops the calls. A throwing listener is logged.
   */
  onApplied(fn: AppliedListener): () => void {
    this.#applied.add(fn)
    return () => this.#applied.delete(fn)
  }

  /**
   * Loads the document if needed and runs `fn` on it. `fn` must only read: writes go through
   * {@link change}. A document nobody subscribes to unloads once idle, as after a write.
   */
  async read<T>(name: DocName, fn: (doc: Y.Doc) => T): Promise<T> {
    const entry = await this.#load(name)
    try {
      return fn(entry.doc)
    } finally {
      if (entry.subscribers.size === 0) this.#scheduleUnload(entry)
    }
  }

  /**
   * Commits `update` to storage, then applies it and forwards it to every subscriber but
   * `from`. Resolves once committed and applied; rejects (with nothing applied) if storage fails,
   * or with a {@link WaggleError} when the write gate refuses what `writer` changes: its
   * content check, a client id bound to someone else, or an update left pending (judged on
   * the document's shadow, in the queue, after every earlier write; see {@link DocGate}).
   */
  async write(name: DocName, update: Uint8Array, from: DocSubscriber | null, writer?: Writer): Promise<void> {
    const entry = await this.#load(name)
    await this.#enqueue(entry, async () => {
      const gate = writer === undefined ? null : entry.gate
      const accepted = gate === null || writer === undefined ? null : gate.judge(entry.doc, update, writer, this.#gateCtx)
      try {
        if (accepted !== null && accepted.bind.length > 0) {
          // Bound before the update is stored: a crash between the two leaves a binding to the
          // writer, never a stored update whose client id anyone could take.
          await this.#clientIds.bind(name, accepted.bind, accepted.owner)
          gate?.bound(accepted.bind, accepted.owner)
        }
        await this.#commit(entry, update, from, true, accepted !== null && !accepted.contained)
      } catch (err) {
        // The shadow may hold an update the live document does not.
        gate?.drop()
        throw err
      }
    })
    this.#afterWrite(entry)
  }

  /**
   * A change made by the relay itself (seeding, commands, projections): `change` runs on a
   * copy of the document inside `transact(…, origin)`, in the document's queue so it sees every
   * earlier write, and the resulting update is committed like a client's: stored before anyone
   * sees it. A change that changes nothing writes nothing.
   */
  async change(name: DocName, change: (doc: Y.Doc) => void, origin: TxOrigin = Origin.server): Promise<void> {
    const entry = await this.#load(name)
    await this.#enqueue(entry, async () => {
      const copy = new Y.Doc({ gc: true })
      try {
        Y.applyUpdate(copy, Y.encodeStateAsUpdate(entry.doc))
        // Set after loading the state: Yjs picks a new id when a remote update uses its own.
        copy.clientID = this.#clientId
        const updates: Uint8Array[] = []
        copy.on('update', (u: Uint8Array) => updates.push(u))
        copy.transact(() => change(copy), origin)
        const [only] = updates
        if (only === undefined) return
        if (entry.gate !== null && !entry.gate.isBound(this.#clientId)) {
          await this.#clientIds.bind(name, [this.#clientId], SERVER_OWNER)
          entry.gate.bound([this.#clientId], SERVER_OWNER)
        }
        await this.#commit(entry, updates.length === 1 ? only : Y.mergeUpdates(updates), null, false)
      } finally {
        copy.destroy()
      }
    })
    this.#afterWrite(entry)
  }

  /** Applies an awareness update from `from` and forwards it to the others. */
  async applyAwareness(name: DocName, update: Uint8Array, from: DocSubscriber): Promise<void> {
    const entry = await this.#load(name)
    applyAwarenessUpdate(entry.awareness, update, from)
  }

  /** Unloads everything after pending writes finish. */
  async close(): Promise<void> {
    this.#closed = true
    await Promise.allSettled([...this.#loading.values()])
    const entries = [...this.#docs.values()]
    await Promise.allSettled(entries.map((e) => this.#unload(e)))
  }

  #load(name: DocName): Promise<Entry> {
    const loaded = this.#docs.get(name)
    if (loaded !== undefined && loaded.unloading === null) return Promise.resolve(loaded)
    let loading = this.#loading.get(name)
    if (loading === undefined) {
      loading = (async () => {
        if (loaded?.unloading) await loaded.unloading
        if (this.#closed) throw new Error('Relay is shutting down')
        const entry = await this.#read(name)
        this.#docs.set(name, entry)
        return entry
      })().finally(() => this.#loading.delete(name))
      this.#loading.set(name, loading)
    }
    return loading
  }

  async #read(name: DocName): Promise<Entry> {
    const stored = await this.#opts.persistence.load(name)
    const doc = new Y.Doc({ gc: true })
    doc.transact(() => {
      if (stored.snapshot !== null) Y.applyUpdate(doc, stored.snapshot)
      for (const u of stored.updates) Y.applyUpdate(doc, u)
    }, Origin.storage)
    const parsed = parseDocName(name)
    const check = parsed === null || this.#opts.gate === false ? undefined : (this.#opts.contentCheckFor ?? contentCheckFor)(parsed)
    const gate = parsed === null || check === undefined ? null : new DocGate(name, parsed, check, await this.#clientIds.load(name))
    const awareness = new Awareness(doc)
    awareness.setLocalState(null)
    // A presence document: the user's last device going away is when they were last seen.
    const lastSeen = presenceOwner(name) === null ? null : new LastSeenTracker()
    const entry: Entry = {
      name, doc, awareness,
      subscribers: new Set(), awarenessIds: new Map(),
      lastSeq: stored.lastSeq, logLength: stored.updates.length,
      queue: Promise.resolve(), idleTimer: null, unloading: null, gate,
    }
    doc.on('update', (update: Uint8Array, origin: unknown) => {
      for (const sub of entry.subscribers) if (sub !== origin) sub.onUpdate(name, update)
    })
    awareness.on('update', ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
      const changed = [...added, ...updated, ...removed]
      if (origin !== null && typeof origin === 'object' && entry.subscribers.has(origin as DocSubscriber)) {
        const owned = entry.awarenessIds.get(origin as DocSubscriber) ?? new Set<number>()
        for (const id of [...added, ...updated]) owned.add(id)
        for (const id of removed) owned.delete(id)
        entry.awarenessIds.set(origin as DocSubscriber, owned)
      }
      const bytes = encodeAwarenessUpdate(awareness, changed)
      for (const sub of entry.subscribers) if (sub !== origin) sub.onAwareness(name, bytes)
      const gone = lastSeen?.changed(awareness.getStates(), [...added, ...updated], removed)
      if (gone !== undefined) this.#writeLastSeen(name, gone)
    })
    return entry
  }

  /**
   * Records that the last device of a presence document's user went away: last seen at `time`
   * (their latest `lastActive`, never in the future; null: now). Never moves backwards.
   */
  #writeLastSeen(name: DocName, time: number | null): void {
    const now = Date.now()
    const seen = time === null ? now : Math.min(time, now)
    this.change(name, (doc) => {
      const before = readLastSeen(doc)
      if (before === undefined || seen > before) writeLastSeen(doc, seen, Origin.server)
    }).catch((err: unknown) => this.#opts.logger.warn('could not write last seen', { doc: name, err: String(err) }))
  }

  /**
   * Stores, applies and announces one update; runs in the document's queue. `maybeResent`:
   * the update may be one the relay already has (a client's), not one {@link change} just made.
   * `inShadow`: the write gate has applied it to the document's shadow already.
   */
  async #commit(entry: Entry, update: Uint8Array, from: DocSubscriber | null, maybeResent: boolean, inShadow = false): Promise<void> {
    // A resent outbox entry the relay already has: acknowledged without storing it twice.
    if (maybeResent && !inShadow && alreadyContained(entry.doc, update)) return
    entry.lastSeq = await this.#opts.persistence.append(entry.name, update)
    entry.logLength += 1
    Y.applyUpdate(entry.doc, update, from ?? Origin.server)
    if (!inShadow) entry.gate?.committed(update)
    for (const fn of this.#applied) {
      try {
        fn(entry.name, update, entry.doc)
      } catch (err) {
        this.#opts.logger.error('onApplied listener failed', { doc: entry.name, err: err instanceof Error ? err.stack : String(err) })
      }
    }
  }

  #afterWrite(entry: Entry): void {
    if (entry.logLength > this.#opts.compactThreshold) void this.#compact(entry)
    if (entry.subscribers.size === 0) this.#scheduleUnload(entry)
  }

  #enqueue<T>(entry: Entry, task: () => Promise<T>): Promise<T> {
    const run = entry.queue.then(task)
    entry.queue = run.catch(() => undefined)
    return run
  }

  #compact(entry: Entry): Promise<void> {
    return this.#enqueue(entry, async () => {
      if (entry.logLength <= this.#opts.compactThreshold) return
      await this.#opts.persistence.compact(entry.name, Y.encodeStateAsUpdate(entry.doc), entry.lastSeq)
      entry.logLength = 0
    }).catch((err: unknown) => this.#opts.logger.error('compaction failed', { doc: entry.name, err: String(err) }))
  }

  #scheduleUnload(entry: Entry): void {
    if (entry.idleTimer !== null || entry.unloading !== null) return
    entry.idleTimer = setTimeout(() => {
      entry.idleTimer = null
      if (entry.subscribers.size === 0) void this.#unload(entry)
    }, this.#opts.idleMs)
    entry.idleTimer.unref?.()
  }

  #unload(entry: Entry): Promise<void> {
    if (entry.idleTimer !== null) clearTimeout(entry.idleTimer)
    entry.idleTimer = null
    entry.unloading ??= this.#enqueue(entry, async () => {
      if (entry.logLength > 0) {
        await this.#opts.persistence.compact(entry.name, Y.encodeStateAsUpdate(entry.doc), entry.lastSeq)
      }
    })
      .catch((err: unknown) => this.#opts.logger.error('compaction on unload failed', { doc: entry.name, err: String(err) }))
      .finally(() => {
        entry.gate?.drop()
        entry.awareness.destroy()
        entry.doc.destroy()
        if (this.#docs.get(entry.name) === entry) this.#docs.delete(entry.name)
      })
    return entry.unloading
  }
}

/** A random 32-bit Yjs client id, as `new Y.Doc()` would pick. */
function randomClientId(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0] ?? 0
}

/** True when every struct of `update` is already in `doc` and it deletes nothing. */
function alreadyContained(doc: Y.Doc, update: Uint8Array): boolean {
  const { structs, ds } = Y.decodeUpdate(update)
  if (ds.clients.size > 0) return false
  return structs.every((s) => s.id.clock + s.length <= Y.getState(doc.store, s.id.client))
}
