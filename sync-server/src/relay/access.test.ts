import {
  CloseCode, Origin, Reason, docName, inboxEntries, markSeen, newMessageId, receipts, setSetting, setting, writeInboxEntry,
  type ConvId, type DocName, type UserId,
} from '@waggle/schema'
import { describe, expect, onTestFinished, test } from 'vitest'
import * as Y from 'yjs'
import { connectAs, demoDocs, post, texts, tokenFor } from '../testing/fixtures.ts'
import { PlainSocket } from '../testing/PlainSocket.ts'
import { startRelay, type Relay } from '../testing/relayHarness.ts'
import type { TestClient } from '../testing/TestClient.ts'

const privateDoc = demoDocs.annaPrivate

async function relay(): Promise<Relay> {
  const r = await startRelay()
  onTestFinished(() => r.stop())
  return r
}

function plain(r: Relay, doc: string, token: string): PlainSocket {
  const socket = new PlainSocket(`${r.wsBase}/sync/${doc}?token=${encodeURIComponent(token)}`)
  onTestFinished(() => socket.close())
  return socket
}

/** Subscribes and expects a refusal: access 'none', a forbidden error, and no document content. */
async function expectReadRefused(client: TestClient, doc: DocName): Promise<void> {
  expect((await client.subscribe(doc)).access).toBe('none')
  const error = await client.until(() => client.errors.find((e) => e.doc === doc), 5_000, 'the forbidden error')
  expect(error.reason).toBe(Reason.forbidden)
  expect(client.accessFrames.filter((f) => f.doc === doc).map((f) => f.access)).toEqual(['none'])
  expect(client.frames.filter((f) => f.type === 'sync' && f.doc === doc)).toEqual([])
}

const settingOf = (update: Uint8Array, key: string): unknown => {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, update)
  return setting(doc, key)
}

describe('private documents', () => {
  test('the owner reads and writes their private document on the mux and the plain endpoint', async () => {
    const r = await relay()
    const anna = await connectAs(r, 'anna')
    const { access } = await anna.subscribe(privateDoc)
    expect(access).toBe('write')
    expect(await anna.write(privateDoc, (d) => setSetting(d, 'theme', 'dark', Origin.local))).toEqual({ acked: true })

    const socket = plain(r, privateDoc, await tokenFor(r.url, 'anna'))
    await socket.opened()
    socket.sendStep1(Y.encodeStateVector(new Y.Doc()))
    expect(settingOf(await socket.step2(), 'theme')).toBe('dark')
    expect(socket.closeInfo).toBeNull()
  })

  test('another member can read a private document on neither endpoint', async () => {
    const r = await relay()
    const anna = await connectAs(r, 'anna')
    await anna.subscribe(privateDoc)
    expect(await anna.write(privateDoc, (d) => setSetting(d, 'secret', 'anna only', Origin.local))).toEqual({ acked: true })

    const marco = await connectAs(r, 'marco')
    await expectReadRefused(marco, privateDoc)
    expect(marco.closeInfo).toBeNull()

    const socket = plain(r, privateDoc, await tokenFor(r.url, 'marco'))
    expect((await socket.closed()).code).toBe(CloseCode.forbidden)
    expect(socket.messages).toEqual([])
  })

  test('another member cannot write a private document and the owner never sees the change', async () => {
    const r = await relay()
    const marco = await connectAs(r, 'marco')
    const result = await marco.write(privateDoc, (d) => setSetting(d, 'theme', 'hacked', Origin.local))
    expect(result).toEqual({ rejected: Reason.forbidden })
    // A sync-frame write without a subscription is refused too.
    marco.send({ type: 'sync', doc: privateDoc, step: 'update', data: Y.encodeStateAsUpdate(marco.doc(privateDoc)) })
    const error = await marco.until(() => marco.errors.find((e) => e.doc === privateDoc), 5_000, 'the error frame')
    expect(error.reason).toBe(Reason.notSubscribed)

    const anna = await connectAs(r, 'anna')
    const { doc } = await anna.subscribe(privateDoc)
    expect(setting(doc, 'theme')).toBeUndefined()
    const socket = plain(r, privateDoc, await tokenFor(r.url, 'anna'))
    await socket.opened()
    socket.sendStep1(Y.encodeStateVector(new Y.Doc()))
    expect(settingOf(await socket.step2(), 'theme')).toBeUndefined()
  })
})

describe('conversation membership', () => {
  test('a read-only member may read but not post in an announcements segment; an admin may post', async () => {
    const r = await relay()
    const anna = await connectAs(r, 'anna')
    const claire = await connectAs(r, 'claire')
    const { access, doc: annaDoc } = await anna.subscribe(demoDocs.announcements)
    expect(access).toBe('read')
    expect(texts(annaDoc)).toContain('Welcome to Waggle! This is where we share company news.')
    expect((await claire.subscribe(demoDocs.announcements)).access).toBe('write')

    expect(await anna.write(demoDocs.announcements, post('anna', 'Can I post here?'))).toEqual({ rejected: Reason.readOnly })
    expect(await claire.write(demoDocs.announcements, post('claire', 'Office closed on Monday'))).toEqual({ acked: true })
    await anna.until(() => anna.syncFrames(demoDocs.announcements, 'update').length === 1, 5_000, 'claire\'s post at anna')

    const { doc: served } = await (await connectAs(r, 'jonas')).subscribe(demoDocs.announcements)
    expect(texts(served)).toContain('Office closed on Monday')
    expect(texts(served)).not.toContain('Can I post here?')
  })

  test('a non-member cannot read a conversation segment on either endpoint', async () => {
    const r = await relay()
    const lena = await connectAs(r, 'lena')
    await expectReadRefused(lena, demoDocs.salesTeam)
    expect(await lena.write(demoDocs.salesTeam, post('lena', 'let me in'))).toEqual({ rejected: Reason.forbidden })

    const socket = plain(r, demoDocs.salesTeam, await tokenFor(r.url, 'lena'))
    expect((await socket.closed()).code).toBe(CloseCode.forbidden)
    expect(socket.messages).toEqual([])
  })
})

describe('plain endpoint refusals', () => {
  test('a missing or unknown token closes with 4401 and an invalid document name with 4400', async () => {
    const r = await relay()
    expect((await plain(r, privateDoc, '').closed()).code).toBe(CloseCode.unauthorized)
    expect((await plain(r, privateDoc, 'not-a-session').closed()).code).toBe(CloseCode.unauthorized)
    expect((await plain(r, 'not/a/doc', await tokenFor(r.url, 'anna')).closed()).code).toBe(CloseCode.malformed)
  })
})

describe('inbox and receipts documents', () => {
  const annaInbox = docName.inbox('anna' as UserId)
  const salesReceipts = docName.receipts('sales-team' as ConvId)
  const announcementReceipts = docName.receipts('announcements' as ConvId)

  test('a user reads their own inbox but may not write it; nobody else may read it', async () => {
    const r = await relay()
    const anna = await connectAs(r, 'anna')
    const { access, doc } = await anna.subscribe(annaInbox)
    expect(access).toBe('read')
    expect(inboxEntries(doc).size).toBeGreaterThan(0)
    const forged = { kind: 'group', title: 'Forged', memberCount: 1, readOnly: false, firstSegment: 0, segment: 0, joinedAt: 1, createdAt: 1 } as const
    expect(await anna.write(annaInbox, (d) => writeInboxEntry(d, 'forged' as ConvId, forged, Origin.local))).toEqual({ rejected: Reason.readOnly })
    expect(await r.server.hub.read(annaInbox, (d) => inboxEntries(d).has('forged' as ConvId))).toBe(false)

    await expectReadRefused(await connectAs(r, 'marco'), annaInbox)
    const socket = plain(r, annaInbox, await tokenFor(r.url, 'marco'))
    expect((await socket.closed()).code).toBe(CloseCode.forbidden)
  })

  test('members, read-only ones too, write a conversation’s receipts; others may not read them', async () => {
    const r = await relay()
    const marco = await connectAs(r, 'marco')
    const anna = await connectAs(r, 'anna')
    expect((await marco.subscribe(salesReceipts)).access).toBe('write')
    const { access, doc: annaReplica } = await anna.subscribe(salesReceipts)
    expect(access).toBe('write')
    const seen = newMessageId()
    expect(await marco.write(salesReceipts, (d) => markSeen(d, 'marco' as UserId, seen, Date.now(), Origin.local))).toEqual({ acked: true })
    await anna.until(() => receipts(annaReplica).get('marco' as UserId)?.message === seen, 5_000, 'marco’s receipt at anna')

    // Anna may only read the announcements, yet she tells the others how far she has read.
    expect((await anna.subscribe(announcementReceipts)).access).toBe('write')
    expect(await anna.write(announcementReceipts, (d) => markSeen(d, 'anna' as UserId, seen, Date.now(), Origin.local))).toEqual({ acked: true })

    const lena = await connectAs(r, 'lena')
    await expectReadRefused(lena, salesReceipts)
    expect(await lena.write(salesReceipts, (d) => markSeen(d, 'lena' as UserId, seen, Date.now(), Origin.local))).toEqual({ rejected: Reason.forbidden })
  })
})
