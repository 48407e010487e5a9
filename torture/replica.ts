import { LocalIndex, MemoryDocStorage, createAppModel, type AppModel, type AppModelOptions, type ConversationModel } from '@waggle/client'
import type { ConvId, UserId } from '@waggle/schema'
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb'
import WebSocket from 'ws'

/**
 * One device in the torture run: the real app model (the document API the UI calls, and under it
 * the real sync layer) on in-memory document storage and fake-indexeddb, connected to the relay
 * through the chaos proxy. Restarting disposes the app model and starts a new one on the same
 * stored state, as a reopened app does.
 */
export class Replica {
  /** The device's documents and outbox; they survive restarts. */
  readonly storage = new MemoryDocStorage()
  /** The device's local index and command outbox (IndexedDB); they survive restarts too. */
  readonly indexedDB = new IDBFactory()
  #app: AppModel | null = null
  readonly #views = new Map<ConvId, ConversationModel>()
  restarts = 0

  constructor(
    /** `anna/1`: user and device. */
    readonly name: string,
    readonly user: UserId,
    readonly session: AppModelOptions['session'],
    readonly relayHttp: string,
    readonly wsUrl: string,
    readonly fetch: typeof globalThis.fetch,
  ) {}

  get app(): AppModel {
    if (this.#app === null) throw new Error(`${this.name} is not running`)
    return this.#app
  }

  get running(): boolean {
    return this.#app !== null
  }

  start(): void {
    if (this.#app !== null) return
    this.#app = createAppModel({
      session: this.session, baseUrl: this.relayHttp, wsUrl: this.wsUrl, storage: this.storage, indexedDB: this.indexedDB, IDBKeyRange,
      WebSocket: WebSocket as unknown as typeof globalThis.WebSocket, fetch: this.fetch, network: null, tabs: null, releaseDelayMs: 0, storageManager: null,
    })
  }

  stop(): void {
    for (const view of this.#views.values()) view.dispose()
    this.#views.clear()
    this.#app?.dispose()
    this.#app = null
  }

  restart(): void {
    this.stop()
    this.restarts++
    this.start()
  }

  /** The open view of `conv`, opening it if needed. */
  view(conv: ConvId): ConversationModel {
    let view = this.#views.get(conv)
    if (view === undefined) {
      view = this.app.openConversation(conv)
      this.#views.set(conv, view)
    }
    return view
  }

  openViews(): ConversationModel[] {
    return [...this.#views.values()]
  }

  /** The command outbox as stored (for failure reports): type, state and the relay's reason. */
  async commands(): Promise<string> {
    const index = new LocalIndex({ account: `${this.session.workspaceId}.${this.session.userId}`, indexedDB: this.indexedDB, IDBKeyRange })
    try {
      const rows = await index.commands()
      if (rows.length === 0) return 'no commands queued'
      return rows.map((r) => `${r.command.type} ${r.conv} ${r.state}${r.reason === undefined ? '' : ` (${r.reason}: ${r.message ?? ''})`}`).join(', ')
    } finally {
      index.close()
    }
  }

  closeView(conv: ConvId): void {
    this.#views.get(conv)?.dispose()
    this.#views.delete(conv)
  }
}
