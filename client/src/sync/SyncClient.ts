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

/** A local edit applied to a document whose outbox entry is not stored yet (it has no `seq`). */
export interface UnstoredUpdate {
  readonly doc: DocName
  readonly update: Uint8Array
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
  /** `whenSynced` callers, called once the document has caught up with the relay. */
  syncWaiters: (() => void)[]
  access: Access | null
  releaseTimer: ReturnType<typeof setTimeout> | null
}

const EMPTY_UPDATE_LENGTH = 2

/** A random 32-bit Yjs client id other than `current`. */
function freshClientId(current: number): number {
  const [id = 0] = crypto.getRandomValues(new Uint32Array(1))
  return id === current ? (id + 1) >>> 0 : id
}

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
  /** Whether any tab of this account is visible and focused (each tab reports with `setFocused`). */
  readonly anyTabFocused = new Watchable<boolean>(false)
  readonly #focusedTabs = new Map<string, boolean>()
  readonly #opts: SyncClientOptions
  readonly #docs = new Map<DocName, OpenDoc>()
  readonly #outboxListeners = new Set<(entries: OutboxEntry[], unstored: readonly UnstoredUpdate[]) => void>()
  /** Local edits between the document change and the outbox commit (this tab's and other tabs'). */
  readonly #unstored = new Set<UnstoredUpdate>()
  #lastOutbox: OutboxEntry[] = []
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

  /** Reports whether this tab is visible and focused, to every tab of the account. */
  setFocused(focused: boolean): void {
    this.#setTabFocus(this.tabId, focused)
    this.#channel?.post({ t: 'focus', tab: this.tabId, focused })
  }

  #setTabFocus(tab: string, focused: boolean | null): void {
    if (focused === null) this.#focusedTabs.delete(tab)
    else this.#focusedTabs.set(tab, focused)
    const any = [...this.#focusedTabs.values()].some((f) => f)
    if (any !== this.anyTabFocused.get()) this.anyTabFocused.set(any)
  }

  /** What the relay said this session may do with `name` (null until it said). */
  access(name: DocName): Access | null {
    return this.#docs.get(name)?.access ?? null
  }

  /**
   * Resolves once `name` has caught up with the relay in this session (its sync step 2 came, or
   * the relay refused it), at once when it is not open. Never while offline: combine it with
   * the status. In a follower tab, the leader tells when its copy caught up.
   */
  whenSynced(name: DocName): Promise<void> {
    const entry = this.#docs.get(name)
    if (entry === undefined || entry.synced || this.#closed) return Promise.resolve()
    return new Promise((resolve) => entry.syncWaiters.push(resolve))
  }

  /** Outbox entries (pending and rejected) in send order. */
  outbox(): Promise<OutboxEntry[]> {
    return this.#opts.storage.outbox()
  }

  /**
   * Calls `fn` with the outbox after every change, in this tab or another. `unstored` holds
   * local edits already applied to their document whose outbox entry is still being written,
   * so a view never shows such an edit as acknowledged; an edit may briefly be in both lists.
   */
  onOutboxChange(fn: (entries: OutboxEntry[], unstored: readonly UnstoredUpdate[]) => void): () => void {
    this.#outboxListeners.add(fn)
    return () => this.#outboxListeners.delete(fn)
  }

  async retry(seq: number): Promise<void> {
    await this.#opts.storage.retry(seq)
    this.#outboxChanged(true)
    if (this.#connection !== null) await this.#flushOutbox()
  }

  /**
   * Drops an outbox entry without sending it. `takeBack` then runs on the entry's document in
   * one transaction with {@link Origin.localOnly} (e.g. `forgetMessages`), so this device
   * forgets what the rejected update added; that change is stored and shared with other tabs
   * but never sent. The document gets a fresh Yjs client id afterwards: the relay never saw the
   * discarded structs, and later edits under the old id would depend on them.
   */
  async discard(seq: number, takeBack?: (doc: Y.Doc) => void): Promise<void> {
    const entry = takeBack === undefined ? undefined : (await this.#opts.storage.outbox()).find((e) => e.seq === seq)
    if (takeBack !== undefined && entry !== undefined && !this.#closed) {
      const handle = this.open(entry.doc)
      try {
        await handle.loaded
        handle.doc.transact(() => takeBack(handle.doc), Origin.localOnly)
        handle.doc.clientID = freshClientId(handle.doc.clientID)
      } finally {
        handle.release()
      }
    }
    await this.#opts.storage.discard(seq)
    this.#outboxChanged(true)
  }

  /**
   * Asks the relay again for a document it refused (for example a conversation this user has
   * just become a member of); the relay does not upgrade a refused subscription by itself.
   */
  resubscribe(name: DocName): void {
    const entry = this.#docs.get(name)
    if (entry === undefined || this.#closed) return
    void entry.loaded.then(() => {
      if (this.#connection !== null) this.#subscribe(name, entry)
      else this.#channel?.post({ t: 'want', doc: name, tab: this.tabId, sv: Y.encodeStateVector(entry.doc) })
    })
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
    for (const entry of this.#docs.values()) {
      entry.doc.destroy()
      for (const resolve of entry.syncWaiters.splice(0)) resolve()
    }
    this.#docs.clear()
  }

  readonly #onPageHide = () => this.close()

  // --- documents -------------------------------------------------------------------------

  #ensure(name: DocName): OpenDoc {
    const existing = this.#docs.get(name)
    if (existing !== undefined) return existing
    const doc = new Y.Doc()
    const entry: OpenDoc = { doc, loaded: Promise.resolve(), refs: 0, tabs: new Set(), synced: false, syncWaiters: [], access: null, releaseTimer: null }
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
    // A local-only change (taking back a discarded edit) is kept like a remote one: stored and
    // shared with other tabs, never queued or sent.
    if (origin === Origin.remote || origin === Origin.localOnly) {
      this.#channel?.post({ t: 'update', doc: name, update })
      storage.storeRemote(name, update).catch((err: unknown) => this.#storageProblem(err))
      return
    }
    // A local edit: durable in the outbox first, then sent (by the leader).
    const unstored: UnstoredUpdate = { doc: name, update }
    this.#unstored.add(unstored)
    this.#notifyOutbox()
    storage.storeLocal(name, update).then(
      (entry) => {
        this.#channel?.post({ t: 'local', doc: name, update, seq: entry.seq })
        this.#send(entry)
        this.#outboxChanged(true, unstored)
      },
      (err: unknown) => {
        this.#unstored.delete(unstored)
        this.#notifyOutbox()
        this.#storageProblem(err)
      },
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
          this.#markSynced(frame.doc, entry)
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
        if (entry !== undefined && frame.reason === Reason.forbidden && frame.doc !== null) {
          entry.access = 'none'
          this.#markSynced(frame.doc, entry)
          this.#updateStatus()
        }
        return
      }
      case 'awareness':
      case 'welcome':
        return
    }
  }

  #markSynced(name: DocName, entry: OpenDoc): void {
    entry.synced = true
    this.#channel?.post({ t: 'synced', doc: name })
    for (const resolve of entry.syncWaiters.splice(0)) resolve()
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
        // Already in the shared outbox, but this tab has not read it yet.
        const unstored: UnstoredUpdate = { doc: m.doc, update: m.update }
        this.#unstored.add(unstored)
        const entry = this.#docs.get(m.doc)
        if (entry !== undefined) Y.applyUpdate(entry.doc, m.update, Origin.tab)
        this.#send({ seq: m.seq, doc: m.doc, update: m.update })
        this.#outboxChanged(false, unstored)
        return
      }
      case 'want': {
        if (this.#connection === null) return
        const entry = this.#ensure(m.doc)
        entry.tabs.add(m.tab)
        if (entry.releaseTimer !== null) clearTimeout(entry.releaseTimer)
        entry.releaseTimer = null
        void entry.loaded.then(() => {
          // A follower asks again for a document the relay refused: ask the relay again too.
          if (entry.access === 'none') this.#subscribe(m.doc, entry)
          this.#channel?.post({ t: 'update', doc: m.doc, update: Y.encodeStateAsUpdate(entry.doc, m.sv) })
          if (entry.access !== null) this.#channel?.post({ t: 'access', doc: m.doc, access: entry.access })
          if (entry.synced) this.#channel?.post({ t: 'synced', doc: m.doc })
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
        this.#setTabFocus(m.tab, null)
        return
      case 'focus':
        this.#setTabFocus(m.tab, m.focused)
        return
      case 'leader':
        // The new leader may have started after this tab last reported its focus.
        if (this.#focusedTabs.has(this.tabId)) this.#channel?.post({ t: 'focus', tab: this.tabId, focused: this.#focusedTabs.get(this.tabId) === true })
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
      case 'synced': {
        // The leader's copy caught up; this tab has everything it had (the updates came first).
        const entry = this.#docs.get(m.doc)
        if (entry !== undefined && this.#connection === null) {
          entry.synced = true
          for (const resolve of entry.syncWaiters.splice(0)) resolve()
        }
        return
      }
    }
  }

  // --- status ------------------------------------------------------------------------------

  /** `settled`: an unstored edit that the outbox read started here is sure to contain. */
  #outboxChanged(tellOthers: boolean, settled?: UnstoredUpdate): void {
    if (tellOthers) this.#channel?.post({ t: 'outbox' })
    void this.#recount(settled)
  }

  async #recount(settled?: UnstoredUpdate): Promise<void> {
    let entries: OutboxEntry[]
    try {
      entries = await this.#opts.storage.outbox()
    } catch (err) {
      return this.#storageProblem(err)
    } finally {
      if (settled !== undefined) this.#unstored.delete(settled)
    }
    this.#counts = {
      pending: entries.filter((e) => e.state === 'pending').length,
      rejected: entries.filter((e) => e.state === 'rejected').length,
    }
    this.#lastOutbox = entries
    this.#notifyOutbox()
    this.#updateStatus()
  }

  #notifyOutbox(): void {
    const unstored = [...this.#unstored]
    for (const fn of [...this.#outboxListeners]) fn(this.#lastOutbox, unstored)
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
