import { DexieDocStorage, SyncClient } from '@waggle/client'
import { Origin, appendMessage, newMessageId, type DocName, type UserId } from '@waggle/schema'
import { IDBKeyRange } from 'fake-indexeddb'
import { expect } from 'vitest'
import {
  MemoryAccountStore, MemoryPersistence, createServer, demoEmail, seedDemo, silentLogger,
  type Persistence, type ServerConfig, type WaggleServer,
} from '@waggle/sync-server'

/** An in-process relay on 127.0.0.1 port 0 with the demo workspace, restartable on its port. */
export class TestRelay {
  readonly accounts = new MemoryAccountStore()
  server: WaggleServer | null = null
  port = 0

  constructor(
    readonly config: Partial<ServerConfig> = {},
    readonly persistence: Persistence = new MemoryPersistence(),
  ) {}

  async start(): Promise<this> {
    const server = createServer({ persistence: this.persistence, accounts: this.accounts, logger: silentLogger, config: { demo: true, ...this.config } })
    await seedDemo(this.accounts, server)
    this.port = (await server.listen(this.port)).port
    this.server = server
    return this
  }

  async stop(): Promise<void> {
    await this.server?.close()
    this.server = null
  }

  get httpUrl(): string {
    return `http://127.0.0.1:${this.port}`
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/ws`
  }

  /** Signs a demo user in through the HTTP API. */
  async signIn(id: string): Promise<{ token: string; userId: string; workspaceId: string }> {
    const email = demoEmail(id)
    const post = async (path: string, body: unknown) => {
      const res = await fetch(this.httpUrl + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`)
      return (await res.json()) as Record<string, string>
    }
    const { devCode } = await post('/api/auth/email/start', { email })
    return (await post('/api/auth/email/verify', { email, code: devCode })) as { token: string; userId: string; workspaceId: string }
  }
}

/**
 * Leaves a message by `user` to `doc` waiting in the outbox of the device whose IndexedDB is
 * `indexedDB`, written while offline (as if before the relay's rules changed); the app started
 * on that device later sends it.
 */
export async function queueOffline(relay: TestRelay, user: string, indexedDB: IDBFactory, doc: DocName, text: string): Promise<void> {
  const s = await relay.signIn(user)
  const account = `${s.workspaceId}.${s.userId}`
  const early = new SyncClient({
    account, url: relay.wsUrl, token: s.token, storage: new DexieDocStorage({ account, indexedDB, IDBKeyRange }), tabs: null,
    network: { target: new EventTarget(), isOnline: () => false },
  })
  const seg = early.open(doc)
  await seg.loaded
  appendMessage(seg.doc, { id: newMessageId(), author: user as UserId, time: Date.now(), text }, Origin.local)
  await expect.poll(() => early.status.get().pending, { timeout: 20_000 }).toBe(1)
  seg.release()
  early.close()
}
