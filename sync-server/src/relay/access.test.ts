import { CloseCode, Origin, Reason, setSetting, setting, type DocName } from '@waggle/schema'
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
