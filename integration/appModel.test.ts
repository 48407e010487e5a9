import { createAppModel, type AppModel, type ConversationModel } from '@waggle/client'
import { directConvId, docName, type ConvId, type UserId } from '@waggle/schema'
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { TestRelay, queueOffline } from './relay.ts'
import { DEMO_UNREAD } from '@waggle/sync-server'

/**
 * The app model (what the UI reads) on devices in Node: real relay on 127.0.0.1, real
 * WebSockets, Dexie on fake-indexeddb, each device leading alone (`tabs: null`).
 */
const anna = 'anna' as UserId
const marco = 'marco' as UserId
const dm = directConvId(anna, marco)
const announcements = 'announcements' as ConvId
const SLOW = { timeout: 20_000 }

let relay: TestRelay
const models: AppModel[] = []
const views: ConversationModel[] = []

afterEach(async () => {
  for (const v of views.splice(0)) v.dispose()
  for (const m of models.splice(0)) m.dispose()
  await relay.stop()
})

interface Device {
  app: AppModel
  indexedDB: IDBFactory
  account: string
}

/** Signs `id` in and starts the app model on a fresh device (or on `indexedDB`'s data). */
async function device(id: string, indexedDB = new IDBFactory()): Promise<Device> {
  const s = await relay.signIn(id)
  const app = createAppModel({
    session: { ...s, email: `${id}@example.com` }, baseUrl: relay.httpUrl, wsUrl: relay.wsUrl, indexedDB, IDBKeyRange,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket, network: null, tabs: null, releaseDelayMs: 0, storageManager: null,
  })
  models.push(app)
  return { app, indexedDB, account: `${s.workspaceId}.${s.userId}` }
}

function open(app: AppModel, conv: ConvId): ConversationModel {
  const view = app.openConversation(conv)
  views.push(view)
  return view
}

const item = (app: AppModel, conv: ConvId) => app.inbox().find((i) => i.conv === conv)
const texts = (view: ConversationModel) => view.messages().map((m) => m.text)

/** Opens `conv`, waits for its messages, marks everything read and closes it again. */
async function readAll(app: AppModel, conv: ConvId): Promise<void> {
  const view = open(app, conv)
  await expect.poll(() => view.messages().length, SLOW).toBeGreaterThan(0)
  const last = view.messages().at(-1)
  if (last !== undefined) view.markRead(last.id)
  await expect.poll(() => item(app, conv)?.unread, SLOW).toBe(0)
}

describe('the app model against a real relay', () => {
  it('shows a message from another device as unread, and a read receipt back to its author', async () => {
    relay = await new TestRelay().start()
    const a = await device('anna')
    const m = await device('marco')
    await expect.poll(() => item(m.app, dm)?.title, SLOW).toBe('Anna Rossi')
    await readAll(m.app, dm)

    const annaView = open(a.app, dm)
    await expect.poll(() => annaView.loading(), SLOW).toBe(false)
    annaView.send('Are you free at three?')
    const sent = annaView.messages().at(-1)
    await expect.poll(() => annaView.messages().at(-1)?.delivery, SLOW).toBe('sent')

    await expect.poll(() => item(m.app, dm)?.last?.preview, SLOW).toBe('Are you free at three?')
    await expect.poll(() => item(m.app, dm)?.unread, SLOW).toBe(1)
    expect(item(m.app, dm)?.last).toMatchObject({ authorName: 'Anna Rossi', own: false })

    const marcoView = open(m.app, dm)
    await expect.poll(() => texts(marcoView).at(-1), SLOW).toBe('Are you free at three?')
    expect(marcoView.messages().at(-1)?.delivery).toBe('received')
    marcoView.markRead(marcoView.messages().at(-1)?.id ?? sent?.id ?? ('' as never))
    await expect.poll(() => item(m.app, dm)?.unread, SLOW).toBe(0)
    await expect.poll(() => sent && annaView.seenBy().get(sent.id), SLOW).toEqual(['Marco Bianchi'])
  })

  it("moves the read position on the reader's other device, and never back", async () => {
    relay = await new TestRelay().start()
    const a = await device('anna')
    const phone = await device('marco')
    const laptop = await device('marco')
    const annaView = open(a.app, dm)
    await expect.poll(() => annaView.loading(), SLOW).toBe(false)
    annaView.send('First question')
    annaView.send('Second question')
    // Unread: Anna's two questions after Marco's own last message.
    await expect.poll(() => item(phone.app, dm)?.unread, SLOW).toBe(2)
    await expect.poll(() => item(laptop.app, dm)?.unread, SLOW).toBe(2)

    // Read on the phone up to the last message: the laptop's count follows.
    const phoneView = open(phone.app, dm)
    await expect.poll(() => phoneView.messages().at(-1)?.text, SLOW).toBe('Second question')
    const [older, newest] = phoneView.messages().slice(-2)
    phoneView.markRead(newest?.id ?? ('' as never))
    await expect.poll(() => item(laptop.app, dm)?.unread, SLOW).toBe(0)

    // The laptop, scrolled further up, reports an older position: nothing moves back.
    const laptopView = open(laptop.app, dm)
    await expect.poll(() => laptopView.messages().at(-1)?.text, SLOW).toBe('Second question')
    laptopView.markRead(older?.id ?? ('' as never))
    const third = await device('marco')
    await expect.poll(() => item(third.app, dm)?.title, SLOW).toBe('Anna Rossi')
    await expect.poll(() => item(third.app, dm)?.unread, SLOW).toBe(0)
    expect(item(laptop.app, dm)?.unread).toBe(0)
  })

  it('keeps messages written while the relay is down pending, then delivers them in order', async () => {
    relay = await new TestRelay().start()
    const a = await device('anna')
    const m = await device('marco')
    const annaView = open(a.app, dm)
    const marcoView = open(m.app, dm)
    await expect.poll(() => annaView.loading() || marcoView.loading(), SLOW).toBe(false)
    await expect.poll(() => a.app.status().state, SLOW).toBe('synced')

    await relay.stop()
    await expect.poll(() => a.app.status().state, SLOW).not.toBe('synced')
    annaView.send('First, from the train')
    annaView.send('Second, still offline')
    expect(annaView.messages().slice(-2).map((x) => [x.text, x.delivery])).toEqual([
      ['First, from the train', 'pending'], ['Second, still offline', 'pending'],
    ])
    await expect.poll(() => a.app.status().pending, SLOW).toBeGreaterThanOrEqual(2)

    await relay.start()
    await expect.poll(() => annaView.messages().slice(-2).map((x) => x.delivery), SLOW).toEqual(['sent', 'sent'])
    await expect.poll(() => texts(marcoView).slice(-2), SLOW).toEqual(['First, from the train', 'Second, still offline'])
    await expect.poll(() => a.app.status(), SLOW).toMatchObject({ state: 'synced', pending: 0, rejected: 0 })
  })

  it('creates a group queued while the relay is down once it is back, for every member', async () => {
    relay = await new TestRelay().start()
    const a = await device('anna')
    const m = await device('marco')
    await expect.poll(() => a.app.inboxReady() && a.app.status().state === 'synced', SLOW).toBe(true)

    await relay.stop()
    await expect.poll(() => a.app.status().state, SLOW).not.toBe('synced')
    const conv = a.app.createGroup({ title: 'Verona offsite', description: 'Planning', members: [marco] })
    expect(item(a.app, conv)).toMatchObject({ title: 'Verona offsite', creation: 'pending', kind: 'group' })
    expect(a.app.status().pending).toBeGreaterThanOrEqual(1)
    const view = open(a.app, conv)
    expect(view.cannotSend()).toMatch(/waiting to be sent/)

    await relay.start()
    await expect.poll(() => item(a.app, conv)?.creation, SLOW).toBe(null)
    await expect.poll(() => item(m.app, conv)?.title, SLOW).toBe('Verona offsite')
    await expect.poll(() => view.cannotSend(), SLOW).toBe(null)
    await expect.poll(() => view.info()?.memberCount, SLOW).toBe(2)
    // The view opened before the group existed now reaches the relay: a message goes through.
    view.send('Hotel booked')
    const marcoView = open(m.app, conv)
    // The relay's "created" line comes first (a system message, issue 4).
    await expect.poll(() => texts(marcoView), SLOW).toEqual(['Anna Rossi created the conversation', 'Hotel booked'])
    expect(marcoView.messages()[0]?.system).toMatchObject({ event: 'created', actor: anna })
    await expect.poll(() => a.app.status(), SLOW).toMatchObject({ pending: 0, rejected: 0 })
  })

  it('opens an existing direct conversation without a command, and queues one for a new pair', async () => {
    relay = await new TestRelay().start()
    const a = await device('anna')
    await expect.poll(() => a.app.inboxReady() && item(a.app, dm) !== undefined, SLOW).toBe(true)
    expect(a.app.createDirect(marco)).toBe(dm)
    expect(a.app.status().pending).toBe(0)

    const lena = 'lena' as UserId
    const conv = a.app.createDirect(lena)
    expect(conv).toBe(directConvId(anna, lena))
    expect(item(a.app, conv)).toMatchObject({ title: 'Lena Fischer', peer: lena, creation: 'pending' })
    await expect.poll(() => item(a.app, conv)?.creation, SLOW).toBe(null)
    const l = await device('lena')
    await expect.poll(() => item(l.app, conv)?.title, SLOW).toBe('Anna Rossi')

    // Someone the workspace does not know: the server refuses, and the item says why.
    const ghost = a.app.createDirect('ghost' as UserId)
    await expect.poll(() => item(a.app, ghost)?.creation, SLOW).toBe('rejected')
    expect(item(a.app, ghost)?.creationError).toMatch(/ghost/)
    expect(open(a.app, ghost).cannotSend()).toMatch(/ghost/)
    await expect.poll(() => a.app.status().rejected, SLOW).toBe(1)
  })

  it('loads a long conversation segment by segment and keeps it current', async () => {
    relay = await new TestRelay().start()
    const l = await device('lena')
    const t = await device('tom')
    const reports = 'field-reports' as ConvId
    const view = open(l.app, reports)
    await expect.poll(() => view.loading(), SLOW).toBe(false)
    expect(view.messages()).toHaveLength(5000)
    expect(view.hasOlder()).toBe(true)
    await view.loadOlder()
    expect(view.hasOlder()).toBe(false)
    // On a new device nothing is stored: it keeps loading until the relay's copy is in.
    await expect.poll(() => view.loadingOlder(), SLOW).toBe(false)
    expect(view.messages()).toHaveLength(10_000)
    const ids = view.messages().map((x) => x.id)
    expect([...ids].sort()).toEqual(ids)
    // Unread: what others wrote after both Lena's read position (the demo leaves her newest
    // reports unread) and her own latest message (she has read what she answered).
    const leftUnread = DEMO_UNREAD.find((u) => u.user === 'lena' && u.conv === reports)?.messages ?? 0
    const readUpTo = Math.max(view.messages().findLastIndex((x) => x.own), view.messages().length - 1 - leftUnread)
    const expected = view.messages().slice(readUpTo + 1).filter((x) => !x.deleted && !x.own).length
    expect(expected).toBeGreaterThan(0)
    await expect.poll(() => item(l.app, reports)?.unread, SLOW).toBe(expected)

    const tomView = open(t.app, reports)
    await expect.poll(() => tomView.loading(), SLOW).toBe(false)
    tomView.send('Back from Zurich, all good')
    await expect.poll(() => texts(view).at(-1), SLOW).toBe('Back from Zurich, all good')
    expect(view.messages()).toHaveLength(10_001)
    view.markRead(view.messages().at(-1)?.id ?? ('' as never))
    await expect.poll(() => item(l.app, reports)?.unread, SLOW).toBe(0)
  })

  it('shows a message the relay refused as rejected, and discarding it takes it off the device', async () => {
    relay = await new TestRelay().start()
    // A message to the announcements (read-only for Anna) already waiting in this device's
    // outbox, as if written before she was made read-only.
    const indexedDB = new IDBFactory()
    await queueOffline(relay, 'anna', indexedDB, docName.segment(announcements, 0), 'Cake in the kitchen!')

    const a = await device('anna', indexedDB)
    const view = open(a.app, announcements)
    await expect.poll(() => view.messages().find((x) => x.text === 'Cake in the kitchen!')?.delivery, SLOW).toBe('rejected')
    const refused = view.messages().find((x) => x.text === 'Cake in the kitchen!')
    expect(refused?.rejectReason).toBeTruthy()
    expect(view.cannotSend()).toBe('This conversation is read-only for you.')
    await expect.poll(() => a.app.status().rejected, SLOW).toBe(1)
    const others = texts(view).filter((t) => t !== 'Cake in the kitchen!')
    expect(others.length).toBeGreaterThan(0)

    await view.discard(refused?.id ?? ('' as never))
    await expect.poll(() => texts(view), SLOW).toEqual(others)
    await expect.poll(() => a.app.status().rejected, SLOW).toBe(0)

    // Still gone after a restart of the app on this device.
    view.dispose()
    a.app.dispose()
    const again = await device('anna', indexedDB)
    const reopened = open(again.app, announcements)
    await expect.poll(() => reopened.loading(), SLOW).toBe(false)
    await expect.poll(() => texts(reopened), SLOW).toEqual(others)
    expect(again.app.status().rejected).toBe(0)
  })
})
