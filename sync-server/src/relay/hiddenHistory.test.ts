import {
  CloseCode, Origin, Reason, appendMessage, docName, inboxEntry, newCommandId, newMessageId,
  type AttachmentRef, type Command, type ConvId, type UserId,
} from '@waggle/schema'
import { describe, expect, onTestFinished, test } from 'vitest'
import * as Y from 'yjs'
import { connectAs, demoDocs, tokenFor } from '../testing/fixtures.ts'
import { PlainSocket } from '../testing/PlainSocket.ts'
import { startRelay, type Relay } from '../testing/relayHarness.ts'
import type { TestClient } from '../testing/TestClient.ts'

const SALES = 'sales-team' as ConvId
const seg0 = demoDocs.salesTeam
const seg1 = docName.segment(SALES, 1)
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new Array<number>(24).fill(7)])
let n = 0
const newFileId = () => `hh${Date.now().toString(36)}${n++}`

/** A relay on SQLite (files on disk too) whose sales team gained lena with hidden history (her first segment is 1). */
async function relayWithHiddenLena(before?: (r: Relay, anna: TestClient, annaToken: string) => Promise<void>): Promise<{ r: Relay; anna: TestClient; tokens: { anna: string; lena: string; marco: string } }> {
  const r = await startRelay({ config: { inboxDebounceMs: 0 } })
  onTestFinished(() => r.stop())
  const tokens = { anna: await tokenFor(r.url, 'anna'), lena: await tokenFor(r.url, 'lena'), marco: await tokenFor(r.url, 'marco') }
  const anna = await connectAs(r, 'anna')
  onTestFinished(() => anna.close())
  await anna.subscribe(seg0)
  await before?.(r, anna, tokens.anna)
  const add: Command = { id: newCommandId(), type: 'addMembers', conv: SALES, members: ['lena' as UserId], hideHistory: true }
  const res = await fetch(`${r.url}/api/commands`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.anna}` }, body: JSON.stringify(add),
  })
  expect(await res.json()).toMatchObject({ status: 'accepted' })
  expect((await r.store.accounts.conversationMember(SALES, 'lena' as UserId))?.firstSegment).toBe(1)
  return { r, anna, tokens }
}

/** Uploads a small PNG to the sales team as `token`'s user; resolves with its reference. */
async function upload(r: Relay, token: string, name: string): Promise<AttachmentRef> {
  const ref: AttachmentRef = { id: newFileId(), name, size: PNG.byteLength, type: 'image/png' }
  const auth = { authorization: `Bearer ${token}` }
  const created = await fetch(`${r.url}/api/uploads`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ conv: SALES, ...ref }) })
  expect(created.status).toBe(201)
  const put = await fetch(`${r.url}/api/uploads/${ref.id}`, {
    method: 'PATCH', headers: { ...auth, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }, body: new Blob([PNG.slice()]),
  })
  expect(await put.json()).toMatchObject({ complete: true })
  return ref
}

const withAttachment = (ref: AttachmentRef, text: string) => (doc: Y.Doc) => {
  const time = Date.now()
  appendMessage(doc, { id: newMessageId(time), author: 'anna' as UserId, time, text, attachments: [ref] }, Origin.local)
}

const download = (r: Relay, token: string, id: string) => fetch(`${r.url}/api/files/${id}`, { headers: { authorization: `Bearer ${token}` } })

describe('hidden history is hidden on every path', () => {
  test('attachments: a file of a message in an earlier segment is refused to the member added with hidden history; later ones are served; full members and the uploader get all', async () => {
    let old: AttachmentRef | null = null
    const { r, anna, tokens } = await relayWithHiddenLena(async (relay, annaClient, annaToken) => {
      old = await upload(relay, annaToken, 'old.png')
      expect(await annaClient.write(seg0, withAttachment(old, 'the old plan'))).toEqual({ acked: true })
    })
    if (old === null) throw new Error('no old upload')
    const oldRef: AttachmentRef = old
    await anna.subscribe(seg1)
    const fresh = await upload(r, tokens.anna, 'new.png')
    expect(await anna.write(seg1, withAttachment(fresh, 'the new plan'))).toEqual({ acked: true })
    const unsent = await upload(r, tokens.anna, 'unsent.png')

    const refused = await download(r, tokens.lena, oldRef.id)
    expect(refused.status).toBe(403)
    expect(await refused.json()).toEqual({ reason: Reason.forbidden, message: 'This file belongs to conversation history you cannot see' })
    expect((await download(r, tokens.lena, unsent.id)).status).toBe(403)
    const served = await download(r, tokens.lena, fresh.id)
    expect(served.status).toBe(200)
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(PNG)

    for (const id of [oldRef.id, fresh.id]) expect((await download(r, tokens.marco, id)).status).toBe(200)
    expect((await download(r, tokens.anna, unsent.id)).status).toBe(200)
  })

  test('awareness and plain sockets: nothing of an earlier segment reaches the member, their awareness there is refused; the current segment works', async () => {
    const { r, anna, tokens } = await relayWithHiddenLena()
    anna.awareness(seg0).setLocalState({ typing: 'in the old segment' })
    await anna.subscribe(seg1)
    anna.awareness(seg1).setLocalState({ typing: 'in the new segment' })
    const lena = await connectAs(r, 'lena')
    onTestFinished(() => lena.close())

    expect((await lena.subscribe(seg0)).access).toBe('none')
    lena.awareness(seg0).setLocalState({ typing: 'pretending' })
    await lena.until(() => lena.errors.some((e) => e.doc === seg0 && e.reason === Reason.notSubscribed), 5_000, 'not-subscribed')
    expect((await lena.subscribe(seg1)).access).toBe('write')
    await lena.until(() => lena.peers(seg1).get(anna.awareness(seg1).clientID), 5_000, 'anna’s awareness on segment 1')
    expect(lena.frames.filter((f) => f.type !== 'access' && f.type !== 'error' && 'doc' in f && f.doc === seg0)).toEqual([])
    expect(anna.peers(seg0).size).toBe(0)

    const plain = new PlainSocket(`${r.wsBase}/sync/${seg0}?token=${encodeURIComponent(tokens.lena)}`)
    onTestFinished(() => plain.close())
    expect((await plain.closed()).code).toBe(CloseCode.forbidden)
    expect(plain.messages).toEqual([])
    const ok = new PlainSocket(`${r.wsBase}/sync/${seg1}?token=${encodeURIComponent(tokens.lena)}`)
    onTestFinished(() => ok.close())
    await ok.opened()
    ok.sendStep1(Y.encodeStateVector(new Y.Doc()))
    await ok.step2()
  })

  test('inbox: a later message written into an earlier segment does not become the member’s preview', async () => {
    const { r, anna } = await relayWithHiddenLena()
    expect(await anna.write(seg0, (doc) => {
      const time = Date.now() + 60_000
      appendMessage(doc, { id: newMessageId(time), author: 'anna' as UserId, time, text: 'late note in the old segment' }, Origin.local)
    })).toEqual({ acked: true })
    await r.server.projector.flush()
    const marcoLast = await r.server.hub.read(docName.inbox('marco' as UserId), (doc) => inboxEntry(doc, SALES)?.last)
    expect(marcoLast?.preview).toBe('late note in the old segment')
    const lenaEntry = await r.server.hub.read(docName.inbox('lena' as UserId), (doc) => inboxEntry(doc, SALES))
    expect(lenaEntry).toMatchObject({ firstSegment: 1 })
    expect(lenaEntry?.last?.preview).not.toBe('late note in the old segment')
  })
})

