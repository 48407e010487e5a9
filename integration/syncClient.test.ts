import { MemoryDocStorage, SyncClient } from '@waggle/client'
import { MemoryPersistence, type Persistence } from '@waggle/sync-server'
import { Origin, appendMessage, docName, forgetMessages, listMessages, messageIdsIn, newMessageId, type ConvId, type UserId } from '@waggle/schema'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { TestRelay } from './relay.ts'

/**
 * The client's real sync layer (SyncClient + its storage) against a real relay over real
 * WebSockets on 127.0.0.1, in Node (the browser-only parts — Dexie, Web Locks — run in e2e/).
 */
const sales = docName.segment('sales-team' as ConvId, 0)
const announcements = docName.segment('announcements' as ConvId, 0)

let relay: TestRelay
const clients: SyncClient[] = []

afterEach(async () => {
  for (const c of clients.splice(0)) c.close()
  await relay.stop()
})

async function device(id: string, storage = new MemoryDocStorage()): Promise<SyncClient> {
  const session = await relay.signIn(id)
  const client = new SyncClient({
    account: `${session.workspaceId}.${session.userId}`, url: relay.wsUrl, token: session.token, storage,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket, network: null, tabs: null, releaseDelayMs: 0,
  })
  clients.push(client)
  return client
}

/**
 * Writes `text` to `doc` as `id` on a device (`storage`) that has not reached the relay yet, so
 * the write is queued before any `access` frame could refuse it locally (offline-first).
 */
async function writtenOffline(id: string, storage: MemoryDocStorage, doc: typeof sales, text: string): Promise<void> {
  const session = await relay.signIn(id)
  const offline = new SyncClient({
    account: `${session.workspaceId}.${session.userId}`, url: relay.wsUrl, token: session.token, storage,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket, network: { target: new EventTarget(), isOnline: () => false }, tabs: null,
  })
  send(offline, doc, id, text)
  await expect.poll(() => offline.status.get().pending, { timeout: 5000 }).toBeGreaterThan(0)
  offline.close()
}

function send(client: SyncClient, doc: typeof sales, author: string, text: string): void {
  const handle = client.open(doc)
  appendMessage(handle.doc, { id: newMessageId(), author: author as UserId, time: Date.now(), text }, Origin.local)
  handle.release()
}

const texts = (client: SyncClient, doc: typeof sales): string[] => {
  const handle = client.open(doc)
  const out = listMessages(handle.doc).map((m) => ('text' in m ? m.text : '(deleted)'))
  handle.release()
  return out
}

/** Anna and Marco, each on a device with the sales conversation open and synced. */
async function annaAndMarcoOnSales() {
  const anna = await device('anna')
  const marco = await device('marco')
  const keepA = anna.open(sales)
  const keepM = marco.open(sales)
  await expect.poll(() => anna.status.get().state, { timeout: 5000 }).toBe('synced')
  return { anna, marco, keepA, keepM }
}

describe('SyncClient against a real relay', () => {
  it('delivers a message from one device to another and settles as synced with nothing pending', async () => {
    relay = await new TestRelay().start()
    const { anna, marco, keepA, keepM } = await annaAndMarcoOnSales()
    send(anna, sales, 'anna', 'Hello from Anna')
    await expect.poll(() => texts(marco, sales).at(-1), { timeout: 5000 }).toBe('Hello from Anna')
    await expect.poll(() => anna.status.get(), { timeout: 5000 }).toMatchObject({ state: 'synced', pending: 0, rejected: 0 })
    keepA.release()
    keepM.release()
  })

  it('keeps a write made while the relay is down pending, and sends it when the relay returns', async () => {
    relay = await new TestRelay().start()
    const { anna, marco, keepA, keepM } = await annaAndMarcoOnSales()
    await relay.stop()
    await expect.poll(() => anna.status.get().state, { timeout: 5000 }).not.toBe('synced')
    send(anna, sales, 'anna', 'Written offline')
    await expect.poll(() => anna.status.get().pending, { timeout: 5000 }).toBe(1)
    await relay.start()
    await expect.poll(() => texts(marco, sales).at(-1), { timeout: 20_000 }).toBe('Written offline')
    await expect.poll(() => anna.status.get(), { timeout: 5000 }).toMatchObject({ state: 'synced', pending: 0 })
    keepA.release()
    keepM.release()
  })

  it('marks a write to a read-only conversation rejected with the reason, and keeps other work', async () => {
    relay = await new TestRelay().start()
    const storage = new MemoryDocStorage()
    await writtenOffline('anna', storage, announcements, 'Not allowed here')
    const anna = await device('anna', storage)
    const keepAnn = anna.open(announcements)
    const keepSales = anna.open(sales)
    send(anna, sales, 'anna', 'Allowed here')
    await expect.poll(async () => (await anna.outbox()).map((e) => [e.doc, e.state, e.reason]), { timeout: 5000 })
      .toEqual([[announcements, 'rejected', 'read-only']])
    expect(anna.status.get().rejected).toBe(1)
    const other = await device('marco')
    const keep = other.open(sales)
    await expect.poll(() => texts(other, sales).at(-1), { timeout: 5000 }).toBe('Allowed here')
    keepAnn.release()
    keepSales.release()
    keep.release()
  })

  it('sends a change again after the relay failed to store it, so later changes are not stranded', async () => {
    const memory = new MemoryPersistence()
    let failNext = 0
    const flaky: Persistence = {
      load: (doc) => memory.load(doc),
      append: (doc, update) => (failNext-- > 0 ? Promise.reject(new Error('disk full')) : memory.append(doc, update)),
      compact: (doc, snapshot, through) => memory.compact(doc, snapshot, through),
      logLength: (doc) => memory.logLength(doc),
      close: () => memory.close(),
    }
    relay = await new TestRelay({}, flaky).start()
    const { anna, marco, keepA, keepM } = await annaAndMarcoOnSales()
    failNext = 1
    send(anna, sales, 'anna', 'First, refused by storage once')
    send(anna, sales, 'anna', 'Second, depends on the first')
    await expect.poll(() => texts(marco, sales).slice(-2), { timeout: 10_000 }).toEqual(['First, refused by storage once', 'Second, depends on the first'])
    await expect.poll(() => anna.status.get(), { timeout: 5000 }).toMatchObject({ state: 'synced', pending: 0, rejected: 0 })
    keepA.release()
    keepM.release()
  })

  it('lists a local edit as unstored from the moment it is made until its outbox entry is read', async () => {
    relay = await new TestRelay().start()
    const anna = await device('anna')
    const seen: [number, number][] = []
    anna.onOutboxChange((entries, unstored) => seen.push([entries.length, unstored.length]))
    const keep = anna.open(sales)
    await keep.loaded
    appendMessage(keep.doc, { id: newMessageId(), author: 'anna' as UserId, time: Date.now(), text: 'x' }, Origin.local)
    // Synchronously, before storage answered: the edit is not shown as acknowledged.
    expect(seen.at(-1)).toEqual([0, 1])
    await expect.poll(() => seen.at(-1), { timeout: 5000 }).toEqual([0, 0])
    keep.release()
  })

  it('discards a rejected edit and takes it back on this device only, where it stays gone', async () => {
    relay = await new TestRelay().start()
    const storage = new MemoryDocStorage()
    await writtenOffline('anna', storage, announcements, 'Not allowed here')
    const anna = await device('anna', storage)
    const keep = anna.open(announcements)
    await expect.poll(() => anna.access(announcements), { timeout: 5000 }).toBe('read')
    await expect.poll(() => texts(anna, announcements).length, { timeout: 5000 }).toBeGreaterThan(1)
    const before = texts(anna, announcements).filter((t) => t !== 'Not allowed here')
    await expect.poll(async () => (await anna.outbox()).map((e) => e.state), { timeout: 5000 }).toEqual(['rejected'])
    const [entry] = await anna.outbox()
    const ids = messageIdsIn(entry?.update ?? new Uint8Array())
    await anna.discard(entry?.seq ?? -1, (doc) => forgetMessages(doc, ids, Origin.localOnly))
    expect(texts(anna, announcements)).toEqual(before)
    expect(await anna.outbox()).toEqual([])
    expect(anna.status.get()).toMatchObject({ pending: 0, rejected: 0 })
    keep.release()
    anna.close()
    // Reopened from storage on the same device: still gone, and nothing waits to be sent.
    const again = await device('anna', storage)
    const reopened = again.open(announcements)
    await reopened.loaded
    expect(texts(again, announcements)).toEqual(before)
    await expect.poll(() => again.status.get(), { timeout: 5000 }).toMatchObject({ state: 'synced', pending: 0, rejected: 0 })
    reopened.release()
  })

  it('gets nothing of a document the session may not read', async () => {
    relay = await new TestRelay().start()
    const anna = await device('anna')
    const handle = anna.open(docName.private('anna' as UserId))
    handle.doc.getMap('x').set('secret', 1)
    const marco = await device('marco')
    const foreign = marco.open(docName.private('anna' as UserId))
    await expect.poll(() => marco.access(docName.private('anna' as UserId)), { timeout: 5000 }).toBe('none')
    expect(foreign.doc.getMap('x').size).toBe(0)
    handle.release()
    foreign.release()
  })
})
