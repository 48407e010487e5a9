import { Origin, Reason, type Access, type DocName, type ServerFrame } from '@waggle/schema'
import * as Y from 'yjs'
import { backoffDelay } from './backoff.ts'
import { Connection, type ConnectionState, type StopReason } from './Connection.ts'
import type { DocStorage, OutboxEntry } from './DocStorage.ts'
import { Watchable, initialStatus, type SyncStatus } from './SyncStatus.ts'
import { TabChannel, electLeader, type TabEnvironment, type TabMessage } from './TabLink.ts'

export interface SyncClientOptions {
  /** Names storage and channels, so two accounts never mix (e.g. `workspace.user`). */
  account: string
  /** The relay's multiplexed endpoint, `ws(s)://host/ws`. */
  url: string
  token: string
  storage: DocStorage
  WebSocket?: typeof WebSocket
  /** Online/offline source; defaults to `window` in a browser, none elsewhere. */
  network?: { target: EventTarget; isOnline: () => boolean } | null
  /** Tab coordination; defaults to BroadcastChannel + Web Locks in a browser. Null: this tab leads. */
  tabs?: TabEnvironment | null
  /** How long an unused document stays open (cheap reopen when switching back). */
  releaseDelayMs?: number
}

/** A reference to an open document; call `release()` when done. */
export interface DocHandle {
  readonly name: DocName
  readonly doc: Y.Doc
  /** Resolves once the stored copy has been loaded into `doc`. */
  readonly loaded: Promise<void>
  release(): void
}

interface OpenDoc {
  doc: Y.Doc
  loaded: Promise<void>
  refs: number
  /** Follower tabs that want this document kept in sync (leader only). */
  tabs: Set<string>
  synced: boolean
  access: Access | null
  releaseTimer: ReturnType<typeof setTimeout> | null
}

const EMPTY_UPDATE_LENGTH = 2

/**
 * The client's sync layer for one account (ARCHITECTURE §4, §5): a registry of open documents
 * backed by {@link DocStorage}, one WebSocket per browser held by the leader tab, other tabs
 * syncing through BroadcastChannel, an outbox of local updates kept until the relay
 * acknowledges them, and a {@link SyncStatus} for the UI.
 */
export class SyncClient {
  readonly status = new Watchable<SyncStatus>(initialStatus)
  readonly isLeader = new Watchable<boolean>(false)
  readonly tabId = Math.random().toString(36).slice(2)
  readonly #opts: SyncClientOptions
  readonly #docs = new Map<DocName, OpenDoc>()
  readonly #outboxListeners = new Set<(entries: OutboxEntry[]) => void>()
  readonly #inFlight = new Set<number>()
  readonly #channel: TabChannel | null
  readonly #election: { release: () => void } | null
  #connection: Connection | null = null
  #connState: ConnectionState = 'connecting'
  #problem: Pick<SyncStatus, 'problem' | 'detail'> = { problem: null, detail: null }
  #counts = { pending: 0, rejected: 0 }
  #resendAttempt = 0
  #resendTimer: ReturnType<typeof setTimeout> | null = null
  #closed = false

  constructor(opts: SyncClientOptions) {
    this.#opts = opts
    const browser = typeof window !== 'undefined'
    const tabs = opts.tabs !== undefined ? opts.tabs
      : browser && 'locks' in navigator ? { channel: (n: string) => new BroadcastChannel(n), locks: navigator.locks } : null
    if (opts.network === undefined && browser) opts.network = { target: window, isOnline: () => navigator.onLine }
    if (tabs === null) {
      this.#channel = null
      this.#election = null
      this.#becomeLeader()
    } else {
      this.#channel = new TabChannel(tabs, opts.account, (m) => this.#onTabMessage(m))
      this.#election = electLeader(tabs, opts.account, () => this.#becomeLeader())
      this.#channel.post({ t: 'hello', tab: this.tabId })
      if (browser) window.addEventListener('pagehide', this.#onPageHide)
    }
    void this.#recount()
  }

  /** Opens (or shares) a document; local edits to `handle.doc` are stored, queued and sent. */
  open(name: DocName): DocHandle {
    const entry = this.#ensure(name)
    entry.refs += 1
    if (entry.releaseTimer !== null) clearTimeout(entry.releaseTimer)
    entry.releaseTimer = null
    let released = false
    return {
      name, doc: entry.doc, loaded: entry.loaded,
      release: () => {
        if (released) return
        released = true
        entry.refs -= 1
        this.#maybeRelease(name, entry)
      },
    }
  }

  /** What the relay said this session may do with `name` (null until it said). */
  access(name: DocName): Access | null {
    return this.#docs.get(name)?.access ?? null
  }

  /** Outbox entries (pending and rejected) in send order. */
  outbox(): Promise<OutboxEntry[]> {
    return this.#opts.storage.outbox()
  }

  /** Calls `fn` with the outbox after every change, in this tab or another. */
  onOutboxChange(fn: (entries: OutboxEntry[]) => void): () => void {
    this.#outboxListeners.add(fn)
    return () => this.#outboxListeners.delete(fn)
  }

  async retry(seq: number): Promise<void> {
    await this.#opts.storage.retry(seq)
    this.#outboxChanged(true)
    if (this.#connection !== null) await this.#flushOutbox()
  }

  async discard(seq: number): Promise<void> {
    await this.#opts.storage.discard(seq)
    this.#outboxChanged(true)
  }

  /** Uses a renewed token (reconnects). */
  setToken(token: string): void {
    this.#opts.token = token
    this.#connection?.setToken(token)
  }

  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.#channel?.post({ t: 'bye', tab: this.tabId })
    this.#connection?.dispose()
    if (this.#resendTimer !== null) clearTimeout(this.#resendTimer)
    this.#election?.release()
    this.#channel?.close()
    if (typeof window !== 'undefined') window.removeEventListener('pagehide', this.#onPageHide)
    for (const entry of this.#docs.values()) entry.doc.destroy()
    this.#docs.clear()
  }

  readonly #onPageHide = () => this.close()

  // --- documents -------------------------------------------------------------------------

  #ensure(name: DocName): OpenDoc {
    const existing = this.#docs.get(name)
    if (existing !== undefined) return existing
    const doc = new Y.Doc()
    const entry: OpenDoc = { doc, loaded: Promise.resolve(), refs: 0, tabs: new Set(), synced: false, access: null, releaseTimer: null }
    this.#docs.set(name, entry)
    doc.on('update', (update: Uint8Array, origin: unknown) => this.#onDocUpdate(name, update, origin))
    entry.loaded = this.#opts.storage.load(name).then(
      (updates) => {
        if (updates.length > 0) Y.applyUpdate(doc, Y.mergeUpdates(updates), Origin.storage)
        if (this.#closed || this.#docs.get(name) !== entry) return
        if (this.#connection !== null) this.#subscribe(name, entry)
        else this.#channel?.post({ t: 'want', doc: name, tab: this.tabId, sv: Y.encodeStateVector(doc) })
      },
      (err: unknown) => this.#storageProblem(err),
    )
    return entry
  }

  #maybeRelease(name: DocName, entry: OpenDoc): void {
    if (entry.refs > 0 || entry.tabs.size > 0 || entry.releaseTimer !== null) return
    entry.releaseTimer = setTimeout(() => {
      entry.releaseTimer = null
      if (entry.refs > 0 || entry.tabs.size > 0 || this.#docs.get(name) !== entry) return
      this.#docs.delete(name)
      // The leader tells the relay; a follower tells the leader.
      if (this.#connection !== null) this.#connection.send({ type: 'unsubscribe', doc: name })
      else this.#channel?.post({ t: 'unwant', doc: name, tab: this.tabId })
      entry.doc.destroy()
      this.#updateStatus()
    }, this.#opts.releaseDelayMs ?? 5_000)
  }

  #onDocUpdate(name: DocName, update: Uint8Array, origin: unknown): void {
    if (origin === Origin.storage || origin === Origin.tab) return
    const { storage } = this.#opts
    if (origin === Origin.remote) {
      this.#channel?.post({ t: 'update', doc: name, update })
      storage.storeRemote(name, update).catch((err: unknown) => this.#storageProblem(err))
      return
    }
    // A local edit: durable in the outbox first, then sent (by the leader).
    storage.storeLocal(name, update).then(
      (entry) => {
        this.#channel?.post({ t: 'local', doc: name, update, seq: entry.seq })
        this.#send(entry)
        this.#outboxChanged(true)
      },
      (err: unknown) => this.#storageProblem(err),
    )
  }

  // --- leader: the connection ------------------------------------------------------------

  #becomeLeader(): void {
    if (this.#closed) return
    this.isLeader.set(true)
    this.#channel?.post({ t: 'leader', tab: this.tabId })
    const wsUrl = this.#opts.url
    this.#connection = new Connection({
      url: wsUrl,
      token: this.#opts.token,
      ...(this.#opts.WebSocket ? { WebSocket: this.#opts.WebSocket } : {}),
      network: this.#opts.network ?? null,
      onState: (state, detail) => this.#onConnectionState(state, detail?.stop, detail?.serverTooOld === true),
      onOpen: () => this.#onOpen(),
      onFrame: (frame) => this.#onFrame(frame),
    })
  }

  #onConnectionState(state: ConnectionState, stop: StopReason | undefined, serverTooOld: boolean): void {
    this.#connState = state
    if (state !== 'open') {
      this.#inFlight.clear()
      for (const entry of this.#docs.values()) entry.synced = false
    }
    if (stop === 'unauthorized') this.#problem = { problem: 'unauthorized', detail: 'Your session has ended. Sign in again.' }
    else if (stop === 'client-too-old') this.#problem = { problem: 'client-too-old', detail: 'This version of Waggle is too old for the server. Reload to update.' }
    else if (serverTooOld) this.#problem = { problem: 'server-too-old', detail: 'The server is older than this app; waiting for it to be updated.' }
    else if (state === 'open') this.#problem = { problem: null, detail: null }
    this.#updateStatus()
  }

  #onOpen(): void {
    for (const [name, entry] of this.#docs) void entry.loaded.then(() => this.#subscribe(name, entry))
    void this.#flushOutbox()
  }

  #subscribe(name: DocName, entry: OpenDoc): void {
    if (this.#docs.get(name) !== entry) return
    entry.synced = false
    this.#connection?.send({ type: 'sync', doc: name, step: 'step1', data: Y.encodeStateVector(entry.doc) })
    this.#updateStatus()
  }

  #send(entry: Pick<OutboxEntry, 'seq' | 'doc' | 'update'>): void {
    if (this.#inFlight.has(entry.seq)) return
    if (this.#connection?.send({ type: 'update', doc: entry.doc, seq: entry.seq, update: entry.update })) {
      this.#inFlight.add(entry.seq)
      this.#updateStatus()
    }
  }

  #scheduleResend(): void {
    this.#updateStatus()
    if (this.#resendTimer !== null) return
    this.#resendTimer = setTimeout(() => {
      this.#resendTimer = null
      void this.#flushOutbox()
    }, backoffDelay(this.#resendAttempt++))
  }

  async #flushOutbox(): Promise<void> {
    const entries = await this.#opts.storage.outbox()
    for (const entry of entries) if (entry.state === 'pending') this.#send(entry)
  }

  #onFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case 'sync': {
        const entry = this.#docs.get(frame.doc)
        if (entry === undefined) return
        if (frame.step === 'step1') {
          if (entry.access !== 'write') return
          const missing = Y.encodeStateAsUpdate(entry.doc, frame.data)
          if (missing.byteLength > EMPTY_UPDATE_LENGTH) this.#connection?.send({ type: 'sync', doc: frame.doc, step: 'step2', data: missing })
          return
        }
        Y.applyUpdate(entry.doc, frame.data, Origin.remote)
        if (frame.step === 'step2') {
          entry.synced = true
          this.#updateStatus()
        }
        return
      }
      case 'ack':
        this.#inFlight.delete(frame.seq)
        this.#resendAttempt = 0
        this.#opts.storage.ack([frame.seq]).then(() => this.#outboxChanged(true), (err: unknown) => this.#storageProblem(err))
        return
      case 'reject':
        this.#inFlight.delete(frame.seq)
        // The relay could not store it: it stays pending and goes again after a backoff (later
        // updates may depend on it, so it must not wait for the next connection).
        if (frame.reason === Reason.storageFailed) return this.#scheduleResend()
        this.#opts.storage.reject(frame.seq, frame.reason, frame.message).then(() => this.#outboxChanged(true), (err: unknown) => this.#storageProblem(err))
        return
      case 'access': {
        const entry = this.#docs.get(frame.doc)
        if (entry !== undefined) entry.access = frame.access
        this.#channel?.post({ t: 'access', doc: frame.doc, access: frame.access })
        return
      }
      case 'error': {
        const entry = frame.doc === null ? undefined : this.#docs.get(frame.doc)
        if (entry !== undefined && frame.reason === Reason.forbidden) {
          entry.access = 'none'
          entry.synced = true
          this.#updateStatus()
        }
        return
      }
      case 'awareness':
      case 'welcome':
        return
    }
  }

  // --- followers ---------------------------------------------------------------------------

  #onTabMessage(m: TabMessage): void {
    if (this.#closed) return
    switch (m.t) {
      case 'update': {
        const entry = this.#docs.get(m.doc)
        if (entry !== undefined) Y.applyUpdate(entry.doc, m.update, Origin.tab)
        return
      }
      case 'local': {
        const entry = this.#docs.get(m.doc)
        if (entry !== undefined) Y.applyUpdate(entry.doc, m.update, Origin.tab)
        this.#send({ seq: m.seq, doc: m.doc, update: m.update })
        this.#outboxChanged(false)
        return
      }
      case 'want': {
        if (this.#connection === null) return
        const entry = this.#ensure(m.doc)
        entry.tabs.add(m.tab)
        if (entry.releaseTimer !== null) clearTimeout(entry.releaseTimer)
        entry.releaseTimer = null
        void entry.loaded.then(() => {
          this.#channel?.post({ t: 'update', doc: m.doc, update: Y.encodeStateAsUpdate(entry.doc, m.sv) })
          if (entry.access !== null) this.#channel?.post({ t: 'access', doc: m.doc, access: entry.access })
          // A tab that joins later would otherwise show `connecting` until the status next changes.
          this.#channel?.post({ t: 'status', status: this.status.get() })
        })
        return
      }
      case 'unwant': {
        const entry = this.#docs.get(m.doc)
        if (entry !== undefined && entry.tabs.delete(m.tab)) this.#maybeRelease(m.doc, entry)
        return
      }
      case 'hello':
        if (this.#connection !== null) this.#channel?.post({ t: 'status', status: this.status.get() })
        return
      case 'bye':
        for (const [name, entry] of this.#docs) if (entry.tabs.delete(m.tab)) this.#maybeRelease(name, entry)
        return
      case 'leader':
        for (const [name, entry] of this.#docs) {
          void entry.loaded.then(() => this.#channel?.post({ t: 'want', doc: name, tab: this.tabId, sv: Y.encodeStateVector(entry.doc) }))
        }
        return
      case 'status':
        if (this.#connection === null) this.status.set({ ...m.status, ...this.#counts, ...(this.#problem.problem === 'storage' ? this.#problem : {}) })
        return
      case 'access': {
        const entry = this.#docs.get(m.doc)
        if (entry !== undefined) entry.access = m.access
        return
      }
      case 'outbox':
        this.#outboxChanged(false)
        return
    }
  }

  // --- status ------------------------------------------------------------------------------

  #outboxChanged(tellOthers: boolean): void {
    if (tellOthers) this.#channel?.post({ t: 'outbox' })
    void this.#recount()
  }

  async #recount(): Promise<void> {
    let entries: OutboxEntry[]
    try {
      entries = await this.#opts.storage.outbox()
    } catch (err) {
      return this.#storageProblem(err)
    }
    this.#counts = {
      pending: entries.filter((e) => e.state === 'pending').length,
      rejected: entries.filter((e) => e.state === 'rejected').length,
    }
    for (const fn of [...this.#outboxListeners]) fn(entries)
    this.#updateStatus()
  }

  #storageProblem(err: unknown): void {
    const quota = err instanceof Error && err.name === 'QuotaExceededError'
    this.#problem = {
      problem: 'storage',
      detail: quota ? 'This device is out of storage space for Waggle: free some space, or changes cannot be saved.' : `Could not save on this device: ${String(err)}`,
    }
    this.#updateStatus()
  }

  #updateStatus(): void {
    if (this.#connection === null) {
      // Followers mirror the leader's connection state; counts are their own reading.
      this.status.set({ ...this.status.get(), ...this.#counts, ...(this.#problem.problem === 'storage' ? this.#problem : {}) })
      return
    }
    const state = this.#connState
    const busy = this.#inFlight.size > 0 || this.#counts.pending > 0 || [...this.#docs.values()].some((d) => !d.synced)
    const status: SyncStatus = {
      state: state === 'open' ? (busy ? 'syncing' : 'synced') : state === 'connecting' ? 'connecting' : 'offline',
      ...this.#counts,
      ...this.#problem,
    }
    this.status.set(status)
    this.#channel?.post({ t: 'status', status })
  }
}
