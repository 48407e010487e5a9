import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb'
import {
  Origin, appendMessage, docName, markRead, writeColleague, writeInboxEntry,
  type ConvId, type DocName, type InboxEntry, type MessageId, type UserId,
} from '@waggle/schema'
import { MemoryDocStorage } from '../sync/index.ts'
import { createAppModel } from './createAppModel.ts'
import type { AppModel } from './model.ts'

// Node resolves `solid-js` to its server build, which does not react; the model needs the browser build.

/**
 * The app model on one device with no relay (offline from the start): everything it shows
 * comes from the device's stored documents and local index.
 */
const anna = 'anna' as UserId
const marco = 'marco' as UserId
const dm = 'dm_anna_marco' as ConvId
const session = { token: 't', userId: anna, workspaceId: 'demo', email: 'anna@example.com' }

async function store(storage: MemoryDocStorage, name: DocName, write: (doc: Y.Doc) => void): Promise<void> {
  const doc = new Y.Doc()
  write(doc)
  await storage.storeRemote(name, Y.encodeStateAsUpdate(doc))
}

const ids: MessageId[] = []
async function seededStorage(): Promise<MemoryDocStorage> {
  const storage = new MemoryDocStorage()
  await store(storage, docName.directory('demo' as never), (doc) => {
    writeColleague(doc, anna, { name: 'Anna Rossi', email: 'anna@example.com' }, Origin.server)
    writeColleague(doc, marco, { name: 'Marco Bianchi', email: 'marco@example.com' }, Origin.server)
  })
  ids.length = 0
  await store(storage, docName.segment(dm, 0), (doc) => {
    for (const [i, author] of [marco, anna, marco, marco].entries()) {
      const id = `01J0000000000000000000000${i}` as MessageId
      ids.push(id)
      appendMessage(doc, { id, author, time: 1000 + i, text: `message ${i}` }, Origin.server)
    }
  })
  const entry: InboxEntry = {
    kind: 'direct', title: '', members: [anna, marco], memberCount: 2, readOnly: false, firstSegment: 0, segment: 0, joinedAt: 1, createdAt: 1,
    last: { id: ids[3] ?? ('x' as MessageId), author: marco, time: 1003, preview: 'message 3' },
  }
  await store(storage, docName.inbox(anna), (doc) => writeInboxEntry(doc, dm, entry, Origin.server))
  await store(storage, docName.private(anna), (doc) => markRead(doc, dm, ids[1] ?? ('x' as MessageId), Origin.server))
  return storage
}

let model: AppModel | null = null
afterEach(() => {
  model?.dispose()
  model = null
})

function offlineModel(storage: MemoryDocStorage): AppModel {
  model = createAppModel({
    session, storage, indexedDB: new IDBFactory(), IDBKeyRange, tabs: null, releaseDelayMs: 0,
    network: { target: new EventTarget(), isOnline: () => false },
    fetch: () => Promise.reject(new TypeError('offline')),
    storageManager: { persist: () => Promise.resolve(true) },
    wsUrl: 'ws://127.0.0.1:9/ws',
  })
  return model
}

describe('the app model on a device without a connection', () => {
  it('lists conversations from the stored inbox, with names from the directory and counted unread messages', async () => {
    const app = offlineModel(await seededStorage())
    expect(app.inboxReady()).toBe(false)
    await expect.poll(() => app.inboxReady()).toBe(true)
    await expect.poll(() => app.inbox()[0]?.unread).toBe(2)
    expect(app.inbox()[0]).toMatchObject({ conv: dm, title: 'Marco Bianchi', peer: marco, last: { authorName: 'Marco Bianchi', preview: 'message 3' } })
    expect(app.me.name()).toBe('Anna Rossi')
    expect(app.colleagues().map((p) => p.name)).toEqual(['Marco Bianchi'])
    expect(app.person(marco)?.initials).toBe('MB')
    await expect.poll(() => app.persisted()).toBe(true)
    expect(app.status()).toMatchObject({ state: 'offline', pending: 0 })
  })

  it('queues a group creation and lists it at once as pending, counted in the status', async () => {
    const app = offlineModel(await seededStorage())
    await expect.poll(() => app.inboxReady()).toBe(true)
    const conv = app.createGroup({ title: '  Launch plan ', members: [marco, anna, marco] })
    expect(app.inbox().find((i) => i.conv === conv)).toMatchObject({ title: 'Launch plan', creation: 'pending', kind: 'group' })
    expect(app.status().pending).toBe(1)
    await expect.poll(() => app.inbox().find((i) => i.conv === conv)?.creation).toBe('pending')
    const view = app.openConversation(conv)
    expect(view.cannotSend()).toMatch(/waiting to be sent/)
    expect(view.info()).toMatchObject({ title: 'Launch plan', memberCount: 2 })
    expect(() => view.send('hello')).toThrow(/waiting to be sent/)
    view.dispose()
  })

  it('refuses invalid groups with clear errors', async () => {
    const app = offlineModel(await seededStorage())
    expect(() => app.createGroup({ title: '   ', members: [] })).toThrow(/needs a name/)
    expect(() => app.createGroup({ title: 'x'.repeat(201), members: [] })).toThrow(/at most 200/)
    const many = Array.from({ length: 1000 }, (_, i) => `u${i}` as UserId)
    expect(() => app.createGroup({ title: 'Everyone', members: many })).toThrow(/at most 1000 members/)
    expect(() => app.createDirect(anna)).toThrow(/someone else/)
    await expect.poll(() => app.inboxReady()).toBe(true)
    expect(app.createDirect(marco)).toBe(dm)
    expect(app.status().pending).toBe(0)
  })

  it('shows stored messages, keeps a message sent offline pending, and marks it read', async () => {
    const storage = await seededStorage()
    const app = offlineModel(storage)
    await expect.poll(() => app.inboxReady()).toBe(true)
    const view = app.openConversation(dm)
    await expect.poll(() => view.loading()).toBe(false)
    expect(view.messages().map((m) => [m.text, m.delivery])).toEqual([
      ['message 0', 'received'], ['message 1', 'sent'], ['message 2', 'received'], ['message 3', 'received'],
    ])
    expect(view.readPositionAtOpen()).toBe(ids[1])
    expect(view.info()).toMatchObject({ title: 'Marco Bianchi', kind: 'direct' })
    expect(view.cannotSend()).toBeNull()
    const before = view.messages()
    view.send('Written on the train')
    const after = view.messages()
    expect(after.at(-1)).toMatchObject({ text: 'Written on the train', own: true, delivery: 'pending', authorName: 'Anna Rossi' })
    // Unchanged messages keep their objects, so a list view re-renders only the new row.
    expect(after.slice(0, 4)).toEqual(before)
    for (let i = 0; i < 4; i++) expect(after[i]).toBe(before[i])
    // Writing read what was unread: the message, the read position and the receipt wait.
    const waiting = async () => (await storage.outbox()).map((e) => e.doc).sort()
    await expect.poll(waiting).toEqual([docName.segment(dm, 0), docName.receipts(dm), docName.private(anna)].sort())
    await expect.poll(() => app.inbox()[0]?.unread).toBe(0)
    // Nothing is unread any more: the next message is the only change it makes.
    view.send('And one more')
    await expect.poll(async () => (await waiting()).filter((d) => d === docName.segment(dm, 0)).length).toBe(2)
    expect(await waiting()).toHaveLength(4)
    expect(() => view.send('x'.repeat(10_001))).toThrow(/at most 10000/)
    expect(view.messages().at(-1)?.delivery).toBe('pending')
    view.dispose()
  })

  it('publishes read receipts at most once per interval and the latest one on close', async () => {
    const storage = await seededStorage()
    const app = offlineModel(storage)
    await expect.poll(() => app.inboxReady()).toBe(true)
    const view = app.openConversation(dm)
    await expect.poll(() => view.loading()).toBe(false)
    const receiptWrites = async () => (await storage.outbox()).filter((e) => e.doc === docName.receipts(dm)).length
    for (const id of ids) view.markRead(id)
    await expect.poll(receiptWrites).toBe(1)
    view.dispose()
    await expect.poll(receiptWrites).toBe(2)
  })

  it('pins and archives through the private document', async () => {
    const storage = await seededStorage()
    const app = offlineModel(storage)
    await expect.poll(() => app.inboxReady()).toBe(true)
    app.setPinned(dm, true)
    app.setArchived(dm, true)
    expect(app.inbox()[0]).toMatchObject({ pinned: true, archived: true })
    app.setPinned(dm, false)
    expect(app.inbox()[0]).toMatchObject({ pinned: false, archived: true })
    await expect.poll(() => app.status().pending).toBeGreaterThan(0)
  })

  it('deletes both databases on sign-out when asked', async () => {
    const storage = await seededStorage()
    const app = offlineModel(storage)
    await expect.poll(() => app.inboxReady()).toBe(true)
    app.createGroup({ title: 'Soon gone', members: [] })
    await app.signOut({ clearLocalData: true })
    model = null
    expect(await storage.docs()).toEqual([])
  })
})
