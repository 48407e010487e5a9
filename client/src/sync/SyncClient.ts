import { Origin, Reason, WaggleError, type Access, type DocName, type ServerFrame } from '@waggle/schema'
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness'
import * as Y from 'yjs'
import { backoffDelay } from './backoff.ts'
import { Connection, type ConnectionState, type StopReason } from './Connection.ts'
import type { DocStorage, OutboxEntry } from './DocStorage.ts'
import { Watchable, initialStatus, type SyncStatus } from './SyncStatus.ts'
import { TabAwareness, type AwarenessState } from './TabAwareness.ts'
import { TabChannel, electLeader, type TabEnvironment, type TabMessage } from './TabLink.ts'
import { transactionUpdate } from './transactionUpdate.ts'

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
  /**
   * Set while a local edit that bypassed `doc.transact` (an implicit transaction) changes a
   * document this session may not write: it records the edit, which is undone after it.
   */
  revert: Y.UndoManager | null
}

const EMPTY_UPDATE_LENGTH = 2
/** A tab tells the others about user input at most this often (focus: at once). */
export const ACTIVITY_REPORT_MS = 60_000
const NO_STATES: ReadonlyMap<number, AwarenessState> = new Map()

const isState = (x: unknown): x is AwarenessState => typeof x === 'object' && x !== null && !Array.isArray(x)
const sameState = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)

/**
 * The relay's reason for an update refused only because it builds on structs the relay never
 * got (an earlier refused update). Compared as a string: schema/src/errors.ts may not list it.
 */
export const MISSING_DEPENDENCY = 'missing-dependency'
/** A document's own automatic re-sends of `missing-dependency` refusals per session, at most. */
const MAX_AUTO_RESENDS = 20
const MAX_CLIENT_ID = 0xffff_ffff

/**
 * A random 32-bit Yjs client id that `doc` has no structs of, above `above` (null: none left).
 * Above: where a fresh write replaces refused structs of the same map key, it must sort after
 * them (Yjs orders concurrent map values by client id), or replicas holding them would hide it.
 */
function freshClientId(doc: Y.Doc, above = -1): number | null {
  if (above >= MAX_CLIENT_ID) return null
  for (;;) {
    const [r = 0] = crypto.getRandomValues(new Uint32Array(1))
    const id = above < 0 ? r : above + 1 + (r % (MAX_CLIENT_ID - above))
    if (id !== doc.clientID && !doc.store.clients.has(id)) return id
  }
}

/** Whether a transaction with `origin` is a local edit (stored, queued, sent), not a copy of others' changes. */
const isLocalEdit = (origin: unknown): boolean =>
  origin !== Origin.remote && origin !== Origin.storage && origin !== Origin.tab && origin !== Origin.localOnly

/** The refusal of a local edit to a document the relay said this session may only read (or not even that). */
function readOnlyError(access: Access): WaggleError {
  return new WaggleError(Reason.readOnly, access === 'read' ? 'This is read-only for you: the change was not made.' : 'You may not change this: the change was not made.')
}

/** Client id -> clock ranges [start, end) of the structs in an update. */
type StructRanges = Map<number, [number, number][]>

function structRanges(update: Uint8Array): StructRanges {
  const out: StructRanges = new Map()
  for (const struct of Y.decodeUpdate(update).structs) {
    if (struct instanceof Y.Skip) continue
    const list = out.get(struct.id.client) ?? []
    list.push([struct.id.clock, struct.id.clock + struct.length])
    out.set(struct.id.client, list)
  }
  return out
}

const inRanges = (ranges: readonly StructRanges[], id: Y.ID): boolean =>
  ranges.some((r) => (r.get(id.client) ?? []).some(([start, end]) => id.clock >= start && id.clock < end))

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((x, i) => x === b[i])
}

/** The item holding `id` in `doc`, or null (not there, or garbage-collected). */
function itemAt(doc: Y.Doc, id: Y.ID): Y.Item | null {
  if (Y.getState(doc.store, id.client) <= id.clock) return null
  const struct: unknown = Y.getItem(doc.store, id)
  return struct instanceof Y.Item ? struct : null
}

/**
 * The keys of root maps that `update` (applied to `doc`) sets, by root name; null when it also
 * writes anything else (arrays, text, nested types), which a fresh write cannot re-create.
 */
function rootMapKeys(doc: Y.Doc, update: Uint8Array): Map<string, Set<string>> | null {
  const roots = new Map<unknown, string>()
  for (const [name, type] of doc.share) roots.set(type, name)
  const out = new Map<string, Set<string>>()
  for (const struct of Y.decodeUpdate(update).structs) {
    if (!(struct instanceof Y.Item)) continue
    let clock = struct.id.clock
    while (clock < struct.id.clock + struct.length) {
      const item = itemAt(doc, Y.createID(struct.id.client, clock))
      if (item === null) break
      const root = roots.get(item.parent)
      if (root === undefined || typeof item.parentSub !== 'string') return null
      const keys = out.get(root) ?? new Set()
      keys.add(item.parentSub)
      out.set(root, keys)
      clock = item.id.clock + item.length
    }
  }
  return out
}

/**
 * Writes again, as a local edit that does not depend on refused structs, the root-map values
 * `update` set in `doc` (the refused update, applied there): each value still current is
 * forgotten on this device only, then set again under a fresh client id on top of the newest
 * value the relay has for its key (`refused`: struct ranges the relay never stored). False when
 * `update` wrote more than root-map values (nothing changed then).
 */
function rewriteFresh(doc: Y.Doc, update: Uint8Array, refused: readonly StructRanges[]): boolean {
  const keys = rootMapKeys(doc, update)
  if (keys === null) return false
  const writes: { map: Y.Map<unknown>; key: string; value: unknown; base: Y.Item | null }[] = []
  let above = -1
  for (const [root, names] of keys) {
    const map = doc.getMap<unknown>(root)
    for (const key of names) {
      const value = map.get(key)
      // Deleted since, or changed by a write the relay has: nothing of the refused one shows.
      const tail = map._map.get(key) ?? null
      if (value === undefined || tail === null || !inRanges(refused, tail.id)) continue
      if (value instanceof Y.AbstractType) return false
      let base: Y.Item | null = tail
      while (base !== null && inRanges(refused, base.id)) {
        above = Math.max(above, base.id.client)
        base = base.left instanceof Y.Item ? base.left : null
      }
      writes.push({ map, key, value, base })
    }
  }
  if (writes.length === 0) return true
  const id = freshClientId(doc, above)
  if (id === null) return false
  doc.transact(() => {
    for (const w of writes) w.map.delete(w.key)
  }, Origin.localOnly)
  doc.clientID = id
  doc.transact(() => {
    for (const w of writes) {
      // Yjs takes a new map value's origin from `_map`: point it at what the relay has, so the
      // update does not name the refused structs (which stay, deleted, on this device only).
      if (w.base === null) w.map._map.delete(w.key)
      else w.map._map.set(w.key, w.base)
      w.map.set(w.key, w.value)
    }
  }, Origin.local)
  return true
}

/** A Y.Doc whose `transact` refuses a local edit before it starts when `refusal` names a reason. */
function guardedDoc(refusal: (origin: unknown) => WaggleError | null): Y.Doc {
  const doc = new Y.Doc()
  const transact = doc.transact.bind(doc)
  doc.transact = <T>(f: (tr: Y.Transaction) => T, origin?: unknown): T => {
    const refused = refusal(origin ?? null)
    if (refused !== null) throw refused
    return transact(f, origin)
  }
  return doc
}

/**
 * The client's sync layer for one account (ARCHITECTURE §4, §5): a registry of open documents
 * backed by {@link DocStorage}, one WebSocket per browser held by the leader tab, other tabs
 * syncing through BroadcastChannel, an outbox of local updates kept until the relay
 * acknowledges them, and a {@link SyncStatus} for the UI. Awareness: one state per device per
 * document ({@link setAwareness}, sent by the leader), other devices' states in every tab
 * ({@link awarenessStates}), and the device's last user input across tabs ({@link deviceActivity}).
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
  /** Struct ranges of rejected outbox entries by seq (what the relay never stored). */
  readonly #rejectedRanges = new Map<number, StructRanges>()
  /** Rejected entries being (or already) sent again as fresh writes. */
  readonly #resending = new Set<number>()
  readonly #autoResends = new Map<DocName, number>()
  readonly #inFlight = new Set<number>()
  readonly #channel: TabChannel | null
  readonly #election: { release: () => void } | null
  #connection: Connection | null = null
  #connState: ConnectionState = 'connecting'
  #problem: Pick<SyncStatus, 'problem' | 'detail'> = { problem: null, detail: null }
  #counts = { pending: 0, rejected: 0 }
  #resendAttempt = 0
  /** Documents with an update refused for a passing reason (rate limit, storage), waiting to go again. */
  readonly #waitingToResend = new Set<DocName>()
  /** Outbox reads for the counts started so far; only the latest one's result is used. */
  #recounts = 0
  #resendTimer: ReturnType<typeof setTimeout> | null = null
  #closed = false
  // Awareness (ISSUE "Presence"): one state per device per document, sent by the leader.
  readonly #tabAwareness = new TabAwareness()
  /**
   * Leader: a y-protocols Awareness per document for the current connection. Each connection
   * gets fresh ones (a fresh client id): the relay keeps an old id's clock after its socket
   * closed, and would ignore the same id's state sent again at that clock.
   */
  readonly #awareness = new Map<DocName, Awareness>()
  /** Leader: documents asked for on the current connection (awareness may be sent there). */
  readonly #subscribed = new Set<DocName>()
  /** Other devices' states per document (leader: from the relay; followers: from the leader). */
  readonly #peers = new Map<DocName, ReadonlyMap<number, AwarenessState>>()
  readonly #awarenessListeners = new Map<DocName, Set<() => void>>()
  #activity = Date.now()
  /** This tab's last input, which it reports to the others. */
  #ownActivity = this.#activity
  #activityNotified = this.#activity
  #activityReportedAt = 0
  #activityTimer: ReturnType<typeof setTimeout> | null = null
  readonly #activityListeners = new Set<(time: number) => void>()

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
    if (browser) {
      window.addEventListener('pointerdown', this.#onInput, { capture: true, passive: true })
      window.addEventListener('keydown', this.#onInput, { capture: true, passive: true })
      window.addEventListener('focus', this.#onFocus)
      document.addEventListener('visibilitychange', this.#onVisibility)
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

  // --- awareness and activity ---------------------------------------------------------------

  /**
   * Sets this device's awareness state in `name` (null: none), from any tab. One state per
   * device per document: the newest of its tabs' calls that is not null. The leader tab sends
   * it on its socket while `name` is open (again after every (re)subscription and hand-over;
   * y-protocols renews it every 15 s so the relay's 30 s timeout keeps it).
   */
  setAwareness(name: DocName, state: Record<string, unknown> | null): void {
    if (this.#closed) return
    const stamp = this.#tabAwareness.stamp()
    this.#tabAwareness.set(name, this.tabId, state, stamp)
    this.#channel?.post({ t: 'awareness', doc: name, tab: this.tabId, state, stamp })
    this.#pushAwareness(name, false)
  }

  /** Other devices' (and sessions') awareness states in `name` by client id, never this device's. */
  awarenessStates(name: DocName): ReadonlyMap<number, Record<string, unknown>> {
    return this.#peers.get(name) ?? NO_STATES
  }

  /** Calls `fn` whenever {@link awarenessStates} of `name` changes; returns a function that stops it. */
  onAwareness(name: DocName, fn: () => void): () => void {
    let set = this.#awarenessListeners.get(name)
    if (set === undefined) {
      set = new Set()
      this.#awarenessListeners.set(name, set)
    }
    set.add(fn)
    return () => {
      set.delete(fn)
      if (set.size === 0 && this.#awarenessListeners.get(name) === set) this.#awarenessListeners.delete(name)
    }
  }

  /**
   * The last user input in any tab of this device (ms epoch): pointer, keys, focus, the tab
   * becoming visible. Other tabs' input arrives at most once a minute per tab (focus at once);
   * until any input it is this client's creation time.
   */
  deviceActivity(): number {
    return this.#activity
  }

  /**
   * Calls `fn` with {@link deviceActivity} when it moved on, as often as it is reported: at
   * most once a minute per tab (focus at once). Returns a function that stops the calls.
   */
  onDeviceActivity(fn: (time: number) => void): () => void {
    this.#activityListeners.add(fn)
    return () => this.#activityListeners.delete(fn)
  }

  /**
   * Records user input in this tab at `time` (the DOM listeners call it; tests and the app may
   * too). Reported to listeners and other tabs at once when `urgent` (focus) or when the last
   * report is a minute old, else at the end of that minute.
   */
  reportActivity(time: number = Date.now(), urgent = false): void {
    if (this.#closed) return
    if (time > this.#ownActivity) this.#ownActivity = time
    if (time > this.#activity) this.#activity = time
    const wait = this.#activityReportedAt + ACTIVITY_REPORT_MS - Date.now()
    if (urgent || wait <= 0) return this.#reportActivityNow()
    this.#activityTimer ??= setTimeout(() => {
      this.#activityTimer = null
      this.#reportActivityNow()
    }, wait)
  }

  readonly #onInput = () => this.reportActivity()
  readonly #onFocus = () => this.reportActivity(Date.now(), true)
  readonly #onVisibility = () => {
    if (document.visibilityState === 'visible') this.reportActivity(Date.now(), true)
  }

  #reportActivityNow(): void {
    if (this.#activityTimer !== null) clearTimeout(this.#activityTimer)
    this.#activityTimer = null
    this.#activityReportedAt = Date.now()
    this.#channel?.post({ t: 'activity', tab: this.tabId, time: this.#ownActivity })
    this.#notifyActivity()
  }

  #notifyActivity(): void {
    if (this.#activity <= this.#activityNotified) return
    const time = (this.#activityNotified = this.#activity)
    for (const fn of [...this.#activityListeners]) fn(time)
  }

  /**
   * Leader: brings the awareness of `name` in line with the device's state and sends it if it
   * changed (`resend`: also when it did not, after a subscription). Not subscribed: nothing yet.
   */
  #pushAwareness(name: DocName, resend: boolean): void {
    if (this.#connection === null || !this.#subscribed.has(name)) return
    const state = this.#tabAwareness.device(name)
    const existing = this.#awareness.get(name)
    if (existing === undefined && state === null) return
    const aw = existing ?? this.#awarenessFor(name)
    const current = aw.getLocalState()
    if (state === null) {
      if (current !== null) aw.setLocalState(null)
    } else if (current === null || !sameState(current, state)) {
      aw.setLocalState(state)
    } else if (resend) {
      this.#connection.send({ type: 'awareness', doc: name, update: encodeAwarenessUpdate(aw, [aw.clientID]) })
    }
  }

  /** Leader: the awareness of `name` on the current connection, created on first use. */
  #awarenessFor(name: DocName): Awareness {
    const existing = this.#awareness.get(name)
    if (existing !== undefined) return existing
    const aw = new Awareness(new Y.Doc())
    aw.setLocalState(null)
    this.#awareness.set(name, aw)
    // Local changes and y-protocols' renewals go to the relay; others' changes to the tabs.
    aw.on('update', (_change: unknown, origin: unknown) => {
      if (origin !== 'local' || this.#awareness.get(name) !== aw || !this.#subscribed.has(name)) return
      this.#connection?.send({ type: 'awareness', doc: name, update: encodeAwarenessUpdate(aw, [aw.clientID]) })
    })
    aw.on('change', (_change: unknown, origin: unknown) => {
      if (origin === 'local' || this.#awareness.get(name) !== aw) return
      const states = new Map<number, AwarenessState>()
      for (const [id, state] of aw.getStates()) if (id !== aw.clientID && isState(state)) states.set(id, state)
      this.#setPeers(name, states)
    })
    return aw
  }

  /** Leader: forgets the awareness of `name` (or of every document) on this connection. */
  #dropAwareness(name?: DocName): void {
    for (const doc of name === undefined ? [...this.#subscribed] : [name]) this.#subscribed.delete(doc)
    for (const [doc, aw] of [...this.#awareness]) {
      if (name !== undefined && doc !== name) continue
      this.#awareness.delete(doc)
      aw.destroy()
      aw.doc.destroy()
    }
    for (const doc of [...this.#peers.keys()]) if (name === undefined || doc === name) this.#setPeers(doc, new Map())
  }

  /** Sets the other devices' states in `name` and tells listeners (the leader: and the tabs). */
  #setPeers(name: DocName, states: ReadonlyMap<number, AwarenessState>): void {
    const before = this.#peers.get(name)
    if (states.size === 0 && before === undefined) return
    if (states.size === 0) this.#peers.delete(name)
    else this.#peers.set(name, states)
    if (this.#connection !== null) this.#channel?.post({ t: 'peers', doc: name, states: [...states] })
    for (const fn of [...(this.#awarenessListeners.get(name) ?? [])]) fn()
  }

  /**
   * What the relay said this session may do with `name` (null until it said). Not stored: after
   * a reload the first `access` frame (in a follower: the leader's word) decides, and until then
   * local edits are allowed (offline-first; the relay refuses them if it must, shown rejected).
   * Once it said `read` or `none`, a local edit throws a `read-only` WaggleError and changes nothing.
   */
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
   * Sends a rejected outbox entry again as a fresh write (ISSUE 7): what it set in the document's
   * root maps (e.g. a message by its id) is forgotten on this device ({@link Origin.localOnly})
   * and set again, as a local edit under a fresh Yjs client id, on top of what the relay has
   * rather than on the refused structs; then the old entry is discarded. The new write goes
   * through the outbox like any edit, so a refusal shows again with its reason. An entry that
   * wrote anything else (arrays, text) is sent again as it is ({@link retry}). Throws a
   * `read-only` WaggleError, changing nothing, while the document may not be written.
   */
  async resend(seq: number): Promise<void> {
    if (!(await this.#resendFresh(seq))) await this.retry(seq)
  }

  /** {@link resend} as a fresh write; false when the entry cannot be written that way (nothing changed then). */
  async #resendFresh(seq: number): Promise<boolean> {
    const outbox = await this.#opts.storage.outbox()
    const entry = outbox.find((e) => e.seq === seq)
    if (entry === undefined || entry.state !== 'rejected' || this.#closed) return true
    const handle = this.open(entry.doc)
    try {
      await handle.loaded
      const open = this.#docs.get(entry.doc)
      const refused = open === undefined ? null : this.#refusal(open)
      if (refused !== null) throw refused
      const refusedRanges = outbox.filter((e) => e.state === 'rejected' && e.doc === entry.doc).map((e) => this.#rangesOf(e))
      if (!rewriteFresh(handle.doc, entry.update, refusedRanges)) return false
    } finally {
      handle.release()
    }
    await this.#opts.storage.discard(seq)
    this.#outboxChanged(true)
    return true
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
        handle.doc.clientID = freshClientId(handle.doc) ?? handle.doc.clientID
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
    // Closing the socket removes this device's states at the relay; followers forget the peers.
    this.#dropAwareness()
    if (this.#resendTimer !== null) clearTimeout(this.#resendTimer)
    if (this.#activityTimer !== null) clearTimeout(this.#activityTimer)
    this.#election?.release()
    this.#channel?.close()
    if (typeof window !== 'undefined') {
      window.removeEventListener('pagehide', this.#onPageHide)
      window.removeEventListener('pointerdown', this.#onInput, { capture: true })
      window.removeEventListener('keydown', this.#onInput, { capture: true })
      window.removeEventListener('focus', this.#onFocus)
      document.removeEventListener('visibilitychange', this.#onVisibility)
    }
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
    // Read-only (ISSUE 7): a local edit to a document the relay said this session may not write
    // is refused before it starts when it runs in `doc.transact` (every edit should); one that
    // bypasses it (an implicit transaction) is undone right after and its caller gets the error.
    const doc = guardedDoc((origin) => (isLocalEdit(origin) ? this.#refusal(entry) : null))
    const entry: OpenDoc = { doc, loaded: Promise.resolve(), refs: 0, tabs: new Set(), synced: false, syncWaiters: [], access: null, releaseTimer: null, revert: null }
    this.#docs.set(name, entry)
    doc.on('beforeTransaction', (tr: Y.Transaction) => {
      if (entry.revert === null && isLocalEdit(tr.origin) && this.#refusal(entry) !== null) {
        entry.revert = new Y.UndoManager(doc, { trackedOrigins: new Set([tr.origin]), captureTimeout: 0 })
      }
    })
    doc.on('afterAllTransactions', (_doc: Y.Doc, transactions: Y.Transaction[]) => {
      const undo = entry.revert
      if (undo === null || transactions.some((tr) => tr.origin === undo)) return
      try {
        undo.undo()
      } finally {
        entry.revert = null
        undo.destroy()
      }
      // The undone structs exist on this tab only: later edits must not build on them.
      doc.clientID = freshClientId(doc) ?? doc.clientID
      const refused = this.#refusal(entry)
      // Thrown last in Yjs' clean-up, so it reaches the caller of the edit with the document consistent.
      if (refused !== null) throw refused
    })
    // A local edit goes to the outbox before the observers run (they re-render; see transactionUpdate.ts).
    const early = new WeakSet<Y.Transaction>()
    doc.on('beforeObserverCalls', (tr: Y.Transaction) => {
      if (!this.#isStoredLocally(name, tr.origin)) return
      const update = transactionUpdate(doc, tr)
      if (update === null) return
      early.add(tr)
      // The leader also sends it to the relay at once, before the outbox commit, so a tab
      // closed or killed while storing still delivers it; the outbox entry follows and is
      // acknowledged as held (the relay does not charge its rate limit twice).
      const open = this.#docs.get(name)
      if (this.#connection !== null && open?.access === 'write' && open.synced) this.#connection.send({ type: 'sync', doc: name, step: 'update', data: update })
      this.#storeLocalEdit(name, update)
    })
    doc.on('update', (update: Uint8Array, origin: unknown, _doc: Y.Doc, tr: Y.Transaction) => {
      if (!early.has(tr)) this.#onDocUpdate(name, update, origin)
    })
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
      if (this.#connection !== null) {
        this.#connection.send({ type: 'unsubscribe', doc: name })
        this.#dropAwareness(name)
      } else this.#channel?.post({ t: 'unwant', doc: name, tab: this.tabId })
      entry.doc.destroy()
      this.#updateStatus()
    }, this.#opts.releaseDelayMs ?? 5_000)
  }

  /**
   * Why a local edit to the document must not be made now, or null (writable, or not known yet).
   * Only `read` refuses: `none` is also what a conversation created offline gets until the relay
   * has created it, and its first messages must be kept (the relay judges them when they go).
   */
  #refusal(entry: OpenDoc): WaggleError | null {
    return entry.access === 'read' ? readOnlyError(entry.access) : null
  }

  /** A change with this origin is a local edit to store in the outbox and send. */
  #isStoredLocally(name: DocName, origin: unknown): boolean {
    if (!isLocalEdit(origin)) return false
    const open = this.#docs.get(name)
    return !(open !== undefined && open.revert !== null)
  }

  #onDocUpdate(name: DocName, update: Uint8Array, origin: unknown): void {
    if (origin === Origin.storage || origin === Origin.tab) return
    const open = this.#docs.get(name)
    // A refused local edit (and its undoing) stays in this tab: never stored, shared or sent.
    if (open !== undefined && open.revert !== null && (origin === open.revert || isLocalEdit(origin))) return
    const { storage } = this.#opts
    // A local-only change (taking back a discarded edit) is kept like a remote one: stored and
    // shared with other tabs, never queued or sent.
    if (origin === Origin.remote || origin === Origin.localOnly) {
      this.#channel?.post({ t: 'update', doc: name, update })
      storage.storeRemote(name, update).catch((err: unknown) => this.#storageProblem(err))
      return
    }
    this.#storeLocalEdit(name, update)
  }

  /** A local edit: durable in the outbox first, then sent (by the leader). */
  #storeLocalEdit(name: DocName, update: Uint8Array): void {
    const { storage } = this.#opts
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
      // The relay drops this connection's awareness with the socket; others' is unknown now.
      this.#dropAwareness()
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
    if (this.#connection?.send({ type: 'sync', doc: name, step: 'step1', data: Y.encodeStateVector(entry.doc) }) === true) {
      // The relay handles a connection's frames in order: the awareness follows the subscription.
      this.#subscribed.add(name)
      this.#pushAwareness(name, true)
    }
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

  /** An update of `doc` queued before `seq` is still waiting for the relay's acknowledgement. */
  #earlierUnacked(doc: DocName, seq: number): boolean {
    return this.#lastOutbox.some((e) => e.doc === doc && e.seq < seq && e.state === 'pending')
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
        this.#waitingToResend.delete(frame.doc)
        this.#resendAttempt = 0
        this.#opts.storage.ack([frame.seq]).then(() => this.#outboxChanged(true), (err: unknown) => this.#storageProblem(err))
        return
      case 'reject':
        this.#inFlight.delete(frame.seq)
        // The relay could not store it now (storage, a rate limit): it stays pending and goes
        // again after a backoff (later updates may depend on it, so it must not wait for the
        // next connection).
        if (frame.reason === Reason.storageFailed || frame.reason === Reason.rateLimited) {
          this.#waitingToResend.add(frame.doc)
          return this.#scheduleResend()
        }
        // Built on one that waits to go again: it goes again after it, in order, not refused.
        // Likewise when an earlier update of the document is not acknowledged yet: it may be what
        // this one builds on, still on its way (found by the torture suite, seed 102).
        if (frame.reason === Reason.missingDependency && (this.#waitingToResend.has(frame.doc) || this.#earlierUnacked(frame.doc, frame.seq))) {
          this.#waitingToResend.add(frame.doc)
          return this.#scheduleResend()
        }
        this.#opts.storage.reject(frame.seq, frame.reason, frame.message).then(() => this.#outboxChanged(true), (err: unknown) => this.#storageProblem(err))
        return
      case 'access': {
        const entry = this.#docs.get(frame.doc)
        if (entry !== undefined) entry.access = frame.access
        if (frame.access === 'none') this.#dropAwareness(frame.doc)
        this.#channel?.post({ t: 'access', doc: frame.doc, access: frame.access })
        return
      }
      case 'error': {
        const entry = frame.doc === null ? undefined : this.#docs.get(frame.doc)
        // A refused subscription. (A write refused for its content may be `forbidden` too; that
        // does not make a document the relay said is writable unreadable.)
        if (entry !== undefined && frame.reason === Reason.forbidden && frame.doc !== null && entry.access !== 'write') {
          entry.access = 'none'
          this.#markSynced(frame.doc, entry)
          this.#updateStatus()
        }
        return
      }
      case 'awareness': {
        if (!this.#subscribed.has(frame.doc)) return
        try {
          applyAwarenessUpdate(this.#awarenessFor(frame.doc), frame.update, Origin.remote)
        } catch {
          // A malformed awareness update only loses that update.
        }
        return
      }
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
        if (entry === undefined) return
        // The leader: a tab only ever forgets (local-only deletions) in a document this session
        // may not write; anything it would add there is not the tab's to add.
        if (this.#connection !== null && this.#refusal(entry) !== null && Y.decodeUpdate(m.update).structs.length > 0) {
          console.warn(`waggle: dropped a tab's update to ${m.doc}, which this session may not change`)
          return
        }
        Y.applyUpdate(entry.doc, m.update, Origin.tab)
        return
      }
      case 'local':
        return this.#onTabLocal(m)
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
          const peers = this.#peers.get(m.doc)
          if (peers !== undefined) this.#channel?.post({ t: 'peers', doc: m.doc, states: [...peers] })
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
        // The new tab learns this tab's awareness states and input, and the leader's peers.
        this.#announceSelf()
        if (this.#connection !== null) for (const [doc, peers] of this.#peers) this.#channel?.post({ t: 'peers', doc, states: [...peers] })
        return
      case 'bye':
        for (const [name, entry] of this.#docs) if (entry.tabs.delete(m.tab)) this.#maybeRelease(name, entry)
        this.#setTabFocus(m.tab, null)
        for (const doc of this.#tabAwareness.dropTab(m.tab)) this.#pushAwareness(doc, false)
        return
      case 'awareness':
        if (this.#tabAwareness.set(m.doc, m.tab, m.state, m.stamp)) this.#pushAwareness(m.doc, false)
        return
      case 'peers':
        if (this.#connection === null) this.#setPeers(m.doc, new Map(m.states))
        return
      case 'activity':
        if (m.time > this.#activity) {
          this.#activity = m.time
          this.#notifyActivity()
        }
        return
      case 'focus':
        this.#setTabFocus(m.tab, m.focused)
        return
      case 'leader':
        // The new leader may have started after this tab last reported its focus.
        if (this.#focusedTabs.has(this.tabId)) this.#channel?.post({ t: 'focus', tab: this.tabId, focused: this.#focusedTabs.get(this.tabId) === true })
        this.#announceSelf()
        for (const [name, entry] of this.#docs) {
          void entry.loaded.then(() => this.#channel?.post({ t: 'want', doc: name, tab: this.tabId, sv: Y.encodeStateVector(entry.doc) }))
        }
        return
      case 'status':
        if (this.#connection === null) this.status.set({ ...m.status, ...this.#counts, ...(this.#problem.problem === 'storage' ? this.#problem : {}) })
        return
      case 'access': {
        // The leader hears the relay itself; followers learn it from the leader.
        if (this.#connection !== null) return
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

  /**
   * Another tab's local edit, already in the shared outbox as `seq` (the tab says). Never
   * applied in a document this session may not write (ISSUE 7: no laundering through the
   * channel). The leader sends the outbox entry as stored, never the channel's bytes, and only
   * when the channel's copy matches it; a genuine entry for a document the relay said is
   * read-only is marked rejected at once, as the relay would.
   */
  #onTabLocal(m: Extract<TabMessage, { t: 'local' }>): void {
    const entry = this.#docs.get(m.doc)
    const refusal = entry === undefined ? null : this.#refusal(entry)
    const leader = this.#connection !== null
    if (!leader) {
      if (refusal !== null) return console.warn(`waggle: dropped a tab's edit to ${m.doc}, which this session may not change`)
      // Already in the shared outbox, but this tab has not read it yet.
      const unstored: UnstoredUpdate = { doc: m.doc, update: m.update }
      this.#unstored.add(unstored)
      if (entry !== undefined) Y.applyUpdate(entry.doc, m.update, Origin.tab)
      this.#outboxChanged(false, unstored)
      return
    }
    this.#opts.storage.outbox().then((entries) => {
      if (this.#closed) return
      const stored = entries.find((e) => e.seq === m.seq)
      if (stored !== undefined && (stored.doc !== m.doc || !sameBytes(stored.update, m.update))) {
        return console.warn(`waggle: dropped a tab's edit that does not match outbox entry ${m.seq}`)
      }
      const current = this.#docs.get(m.doc)
      const refused = current === undefined ? refusal : this.#refusal(current)
      if (refused !== null) {
        console.warn(`waggle: dropped a tab's edit to ${m.doc}, which this session may not change`)
        if (stored?.state !== 'pending') return
        this.#opts.storage.reject(stored.seq, refused.reason, refused.message).then(() => this.#outboxChanged(true), (err: unknown) => this.#storageProblem(err))
        return
      }
      const unstored: UnstoredUpdate = { doc: m.doc, update: m.update }
      this.#unstored.add(unstored)
      if (current !== undefined) Y.applyUpdate(current.doc, m.update, Origin.tab)
      // Not in the outbox any more: acknowledged already (sent by a flush), nothing to send.
      if (stored?.state === 'pending') this.#send(stored)
      this.#outboxChanged(false, unstored)
    }, (err: unknown) => this.#storageProblem(err))
  }

  /** Tells the other tabs this tab's own awareness states and last input. */
  #announceSelf(): void {
    for (const { doc, state, stamp } of this.#tabAwareness.of(this.tabId)) this.#channel?.post({ t: 'awareness', doc, tab: this.tabId, state, stamp })
    this.#channel?.post({ t: 'activity', tab: this.tabId, time: this.#ownActivity })
  }

  // --- status ------------------------------------------------------------------------------

  /** `settled`: an unstored edit that the outbox read started here is sure to contain. */
  #outboxChanged(tellOthers: boolean, settled?: UnstoredUpdate): void {
    if (tellOthers) this.#channel?.post({ t: 'outbox' })
    void this.#recount(settled)
  }

  async #recount(settled?: UnstoredUpdate): Promise<void> {
    const reading = ++this.#recounts
    let entries: OutboxEntry[]
    try {
      entries = await this.#opts.storage.outbox()
    } catch (err) {
      return this.#storageProblem(err)
    } finally {
      if (settled !== undefined) this.#unstored.delete(settled)
    }
    // Reads may finish out of order; an older one would bring back counts already past.
    if (reading !== this.#recounts) return
    this.#counts = {
      pending: entries.filter((e) => e.state === 'pending').length,
      rejected: entries.filter((e) => e.state === 'rejected').length,
    }
    this.#lastOutbox = entries
    this.#notifyOutbox()
    this.#updateStatus()
    this.#afterRejections(entries)
  }

  /** The struct ranges of a rejected outbox entry (decoded once per entry). */
  #rangesOf(entry: OutboxEntry): StructRanges {
    let ranges = this.#rejectedRanges.get(entry.seq)
    if (ranges === undefined) {
      ranges = structRanges(entry.update)
      this.#rejectedRanges.set(entry.seq, ranges)
    }
    return ranges
  }

  /**
   * ISSUE 7, rejected updates cost no other work: a document whose current Yjs client id wrote a
   * refused update gets a fresh one (in every tab, between transactions), so later local changes
   * do not build on structs the relay never stored; and the leader re-sends, as fresh writes,
   * the entries refused only because they built on a refused one.
   */
  #afterRejections(entries: readonly OutboxEntry[]): void {
    const rejected = entries.filter((e) => e.state === 'rejected')
    for (const seq of this.#rejectedRanges.keys()) if (!rejected.some((e) => e.seq === seq)) this.#rejectedRanges.delete(seq)
    for (const e of rejected) {
      const open = this.#docs.get(e.doc)
      if (open === undefined || (open.doc as { _transaction: unknown })._transaction !== null) continue
      if (this.#rangesOf(e).has(open.doc.clientID)) open.doc.clientID = freshClientId(open.doc) ?? open.doc.clientID
    }
    if (this.#connection === null || this.#closed) return
    for (const e of rejected) {
      if ((e.reason as string | undefined) !== MISSING_DEPENDENCY || this.#resending.has(e.seq)) continue
      const count = this.#autoResends.get(e.doc) ?? 0
      if (count >= MAX_AUTO_RESENDS) continue
      this.#autoResends.set(e.doc, count + 1)
      this.#resending.add(e.seq)
      this.#resendFresh(e.seq).catch((err: unknown) => console.warn(`waggle: could not send outbox entry ${e.seq} again`, err))
    }
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
