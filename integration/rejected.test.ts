import { MemoryDocStorage, SyncClient, createAppModel, type AppModel, type ConversationModel } from '@waggle/client'
import {
  Origin, WaggleError, appendMessage, directConvId, docName, listMessages, newMessageId, readStatus, writeStatus, type ConvId, type DocName, type UserId,
} from '@waggle/schema'
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { TestRelay, queueOffline } from './relay.ts'

/**
 * ISSUE 7, the client's part: a document the relay said is read-only cannot be changed locally,
 * and an update the relay refused costs no other work (a fresh Yjs client id after a refusal;
 * Retry sends the message again as a fresh write). Real relay, real WebSockets, in Node.
 */
const anna = 'anna' as UserId
const marco = 'marco' as UserId
const announcements = 'announcements' as ConvId
const annSegment = docName.segment(announcements, 0)
const dm = directConvId(anna, marco)
const SLOW = { timeout: 20_000 }

let relay: TestRelay
const closers: (() => void)[] = []

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) close()
  await relay.stop()
})

const ws = WebSocket as unknown as typeof globalThis.WebSocket

async function client(id: string, storage: MemoryDocStorage, online = true): Promise<SyncClient> {
  const s = await relay.signIn(id)
  const c = new SyncClient({
    account: `${s.workspaceId}.${s.userId}`, url: relay.wsUrl, token: s.token, storage, WebSocket: ws, tabs: null, releaseDelayMs: 0,
    network: online ? null : { target: new EventTarget(), isOnline: () => false },
  })
  closers.push(() => c.close())
  return c
}

function write(c: SyncClient, doc: DocName, author: string, text: string): void {
  const handle = c.open(doc)
  try {
    appendMessage(handle.doc, { id: newMessageId(), author: author as UserId, time: Date.now(), text }, Origin.local)
  } finally {
    handle.release()
  }
}

function texts(c: SyncClient, doc: DocName): string[] {
  const handle = c.open(doc)
  const out = listMessages(handle.doc).map((m) => ('text' in m ? m.text : '(deleted)'))
  handle.release()
  return out
}

function thrown(fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    return err
  }
  return null
}

/** Lets Anna write the announcements from now on (the relay tells her open connections). */
async function makeAnnaWriter(): Promise<void> {
  const member = await relay.accounts.conversationMember(announcements, anna)
  if (member === null) throw new Error('Anna is not in the announcements')
  await relay.accounts.putConversationMember({ ...member, readOnly: false })
  relay.server?.access.changed(announcements, [anna])
}

const clientsOf = (update: Uint8Array): number[] => [...new Set(Y.decodeUpdate(update).structs.map((s) => s.id.client))]

describe('a read-only document', () => {
  it('cannot be changed locally once the relay said so: nothing is queued, the caller gets read-only', async () => {
    relay = await new TestRelay().start()
    const a = await client('anna', new MemoryDocStorage())
    const handle = a.open(annSegment)
    closers.push(() => handle.release())
    await expect.poll(() => a.access(annSegment), SLOW).toBe('read')
    await expect.poll(() => texts(a, annSegment).length, SLOW).toBeGreaterThan(0)
    const before = texts(a, annSegment)

    // Through `doc.transact` (every model write): refused before anything changes.
    const err = thrown(() => write(a, annSegment, 'anna', 'Not mine to post'))
    expect(err).toBeInstanceOf(WaggleError)
    expect(err).toMatchObject({ reason: 'read-only' })

    // An edit that bypasses `doc.transact` is undone right after, with the same error.
    const clientId = handle.doc.clientID
    const bypass = thrown(() => handle.doc.getMap('messages').set('sneaky', { id: 'sneaky', author: anna, time: 1, text: 'sneaky' }))
    expect(bypass).toMatchObject({ reason: 'read-only' })
    expect(handle.doc.getMap('messages').has('sneaky')).toBe(false)
    expect(handle.doc.clientID).not.toBe(clientId)

    expect(texts(a, annSegment)).toEqual(before)
    await new Promise((r) => setTimeout(r, 200))
    expect(await a.outbox()).toEqual([])
    expect(a.status.get()).toMatchObject({ pending: 0, rejected: 0 })
    // A document it may write is not affected.
    write(a, docName.segment('sales-team' as ConvId, 0), 'anna', 'Fine here')
    await expect.poll(() => a.status.get(), SLOW).toMatchObject({ state: 'synced', pending: 0, rejected: 0 })
  })
})

describe('an update the relay refused', () => {
  it('gives the document a fresh client id, and goes again as a fresh write that does not need it', async () => {
    relay = await new TestRelay().start()
    const storage = new MemoryDocStorage()
    // Two messages written before the relay could say the announcements are read-only for Anna:
    // the second builds on the first (same Yjs client).
    const offline = await client('anna', storage, false)
    write(offline, annSegment, 'anna', 'First, refused')
    write(offline, annSegment, 'anna', 'Second, refused too')
    await expect.poll(() => offline.status.get().pending, SLOW).toBe(2)
    offline.close()

    const a = await client('anna', storage)
    const keep = a.open(annSegment)
    closers.push(() => keep.release())
    await expect.poll(async () => (await a.outbox()).map((e) => [e.state, e.reason]), SLOW).toEqual([['rejected', 'read-only'], ['rejected', 'read-only']])
    const [first, second] = await a.outbox()
    if (first === undefined || second === undefined) throw new Error('two rejected entries expected')
    const refusedClients = [...clientsOf(first.update), ...clientsOf(second.update)]
    await expect.poll(() => refusedClients.includes(keep.doc.clientID), SLOW).toBe(false)

    const m = await client('marco', new MemoryDocStorage())
    const seen = m.open(annSegment)
    closers.push(() => seen.release())
    await expect.poll(() => texts(m, annSegment).length, SLOW).toBeGreaterThan(0)

    // Still read-only: Retry refuses at once and changes nothing.
    await expect(a.resend(second.seq)).rejects.toMatchObject({ reason: 'read-only' })
    expect((await a.outbox()).map((e) => e.seq)).toEqual([first.seq, second.seq])

    // The cause is gone. The second one alone first: sent as it was, the relay would lack the first.
    await makeAnnaWriter()
    await expect.poll(() => a.access(annSegment), SLOW).toBe('write')
    await a.resend(second.seq)
    await expect.poll(() => texts(m, annSegment), SLOW).toContain('Second, refused too')
    await expect.poll(async () => (await a.outbox()).map((e) => e.seq), SLOW).toEqual([first.seq])
    await a.resend(first.seq)
    await expect.poll(() => texts(m, annSegment).filter((t) => t.includes('refused')), SLOW).toEqual(['First, refused', 'Second, refused too'])
    await expect.poll(() => a.status.get(), SLOW).toMatchObject({ state: 'synced', pending: 0, rejected: 0 })
    expect(texts(a, annSegment).filter((t) => t.includes('refused'))).toEqual(['First, refused', 'Second, refused too'])

    // Later work goes through; and this device's stored copy shows each message once.
    write(a, annSegment, 'anna', 'Third, after')
    await expect.poll(() => texts(m, annSegment).at(-1), SLOW).toBe('Third, after')
    a.close()
    const again = await client('anna', storage)
    const reopened = again.open(annSegment)
    closers.push(() => reopened.release())
    await reopened.loaded
    expect(texts(again, annSegment).slice(-3)).toEqual(['First, refused', 'Second, refused too', 'Third, after'])
    expect(texts(again, annSegment)).toEqual(texts(m, annSegment))
  })
})

describe('an update refused only because it built on a refused one', () => {
  it('is sent again as a fresh write by itself (relay reason missing-dependency)', async () => {
    relay = await new TestRelay().start()
    const storage = new MemoryDocStorage()
    const offline = await client('anna', storage, false)
    write(offline, annSegment, 'anna', 'First, stays refused')
    write(offline, annSegment, 'anna', 'Second, builds on the first')
    await expect.poll(() => offline.status.get().pending, SLOW).toBe(2)
    offline.close()

    const a = await client('anna', storage)
    const keep = a.open(annSegment)
    closers.push(() => keep.release())
    await expect.poll(async () => (await a.outbox()).map((e) => e.state), SLOW).toEqual(['rejected', 'rejected'])
    const [first, second] = await a.outbox()
    if (first === undefined || second === undefined) throw new Error('two rejected entries expected')
    const m = await client('marco', new MemoryDocStorage())
    const seen = m.open(annSegment)
    closers.push(() => seen.release())
    await makeAnnaWriter()
    await expect.poll(() => a.access(annSegment), SLOW).toBe('write')

    // Sent again as it was: the relay lacks the first (still refused) and refuses it for that;
    // the client then writes it afresh without the first, and it is delivered.
    await a.retry(second.seq)
    await expect.poll(() => texts(m, annSegment), SLOW).toContain('Second, builds on the first')
    expect(texts(m, annSegment)).not.toContain('First, stays refused')
    await expect.poll(async () => (await a.outbox()).map((e) => [e.seq, e.state]), SLOW).toEqual([[first.seq, 'rejected']])
  })
})

describe('the app model with a refused message', () => {
  const models: AppModel[] = []
  const views: ConversationModel[] = []
  afterEach(() => {
    for (const v of views.splice(0)) v.dispose()
    for (const m of models.splice(0)) m.dispose()
  })

  async function device(id: string, indexedDB = new IDBFactory()): Promise<AppModel> {
    const s = await relay.signIn(id)
    const app = createAppModel({
      session: { ...s, email: `${id}@example.com` }, baseUrl: relay.httpUrl, wsUrl: relay.wsUrl, indexedDB, IDBKeyRange,
      WebSocket: ws, network: null, tabs: null, releaseDelayMs: 0, storageManager: null,
    })
    models.push(app)
    return app
  }

  function open(app: AppModel, conv: ConvId): ConversationModel {
    const view = app.openConversation(conv)
    views.push(view)
    return view
  }

  it('shows it rejected while a later message is delivered, and Retry delivers it once the cause is gone', async () => {
    relay = await new TestRelay().start()
    const indexedDB = new IDBFactory()
    await queueOffline(relay, 'anna', indexedDB, annSegment, 'Cake in the kitchen!')

    const a = await device('anna', indexedDB)
    const m = await device('marco')
    const view = open(a, announcements)
    const cake = () => view.messages().find((x) => x.text === 'Cake in the kitchen!')
    await expect.poll(() => cake()?.delivery, SLOW).toBe('rejected')
    expect(cake()?.rejectReason).toBeTruthy()

    // A message sent after it, elsewhere, is delivered and seen by another device.
    const dmView = open(a, dm)
    await expect.poll(() => dmView.loading(), SLOW).toBe(false)
    dmView.send('Sent after the refused one')
    await expect.poll(() => dmView.messages().at(-1)?.delivery, SLOW).toBe('sent')
    await expect.poll(() => m.inbox().find((i) => i.conv === dm)?.last?.preview, SLOW).toBe('Sent after the refused one')

    // Retry while still read-only: refused on the device, still shown rejected.
    await expect(view.retry(cake()?.id ?? ('' as never))).rejects.toMatchObject({ reason: 'read-only' })
    expect(cake()?.delivery).toBe('rejected')

    await makeAnnaWriter()
    await expect.poll(() => a.status().state, SLOW).toBe('synced')
    await expect.poll(async () => {
      try {
        await view.retry(cake()?.id ?? ('' as never))
        return true
      } catch {
        return false
      }
    }, SLOW).toBe(true)
    await expect.poll(() => cake()?.delivery, SLOW).toBe('sent')
    expect(view.messages().filter((x) => x.text === 'Cake in the kitchen!')).toHaveLength(1)
    await expect.poll(() => a.status().rejected, SLOW).toBe(0)
    const marcoView = open(m, announcements)
    await expect.poll(() => marcoView.messages().map((x) => x.text), SLOW).toContain('Cake in the kitchen!')
  })
})

describe('a write refused for a passing reason', () => {
  it('a burst of status changes over the relay’s rate limit is sent again later, in order, and nothing is rejected', async () => {
    relay = await new TestRelay({ presenceWritesPerWindow: 3, writeWindowMs: 1_000 }).start()
    const storage = new MemoryDocStorage()
    const annaClient = await client('anna', storage)
    const marcoClient = await client('marco', new MemoryDocStorage())
    const mine = annaClient.open(docName.presence(anna))
    const seen = marcoClient.open(docName.presence(anna))
    closers.push(() => mine.release(), () => seen.release())
    await mine.loaded
    await annaClient.whenSynced(docName.presence(anna))
    for (let i = 1; i <= 10; i++) {
      writeStatus(mine.doc, { availability: i % 2 === 0 ? 'busy' : 'away', message: `burst ${i}`, updatedAt: Date.now(), updatedBy: anna }, Origin.local)
    }
    await expect.poll(() => readStatus(seen.doc)?.message, SLOW).toBe('burst 10')
    await expect.poll(async () => (await storage.outbox()).length, SLOW).toBe(0)
  })
})
