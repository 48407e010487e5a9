import {
  Reason, docName, newCommandId, readConvInfo, type Command, type CommandResult, type ConvId, type UserId,
} from '@waggle/schema'
import { describe, expect, onTestFinished, test } from 'vitest'
import * as Y from 'yjs'
import { connectAs, demoDocs, plainSynced, post, texts, tokenFor } from '../testing/fixtures.ts'
import { PlainSyncStep } from '../testing/PlainSocket.ts'
import { startRelay, type Relay } from '../testing/relayHarness.ts'
import type { TestClient } from '../testing/TestClient.ts'
import { waitFor } from '../testing/waitFor.ts'

const SALES = 'sales-team' as ConvId
const seg0 = demoDocs.salesTeam
const meta = docName.convMeta(SALES)
const receipts = docName.receipts(SALES)

async function relay(): Promise<Relay> {
  const r = await startRelay({ config: { inboxDebounceMs: 0 } })
  onTestFinished(() => r.stop())
  return r
}

/** Session tokens by relay and user (sign-in codes are rate-limited per address). */
const tokens = new Map<string, Promise<string>>()
function tokenOf(r: Relay, user: string): Promise<string> {
  const key = `${r.url} ${user}`
  let token = tokens.get(key)
  if (token === undefined) {
    token = tokenFor(r.url, user)
    tokens.set(key, token)
  }
  return token
}

async function send(r: Relay, user: string, command: Command): Promise<CommandResult> {
  const res = await fetch(`${r.url}/api/commands`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await tokenOf(r, user)}` }, body: JSON.stringify(command),
  })
  return (await res.json()) as CommandResult
}

async function connected(r: Relay, user: string): Promise<TestClient> {
  const c = await connectAs(r, user)
  onTestFinished(() => c.close())
  return c
}

/** Frames about `conv`'s documents received after index `from`. */
const convFrames = (c: TestClient, from: number) =>
  c.frames.slice(from).filter((f) => 'doc' in f && typeof f.doc === 'string' && f.doc.startsWith(`conv/${SALES}/`))


describe('a removed member on a live mux socket', () => {
  test('gets access none on every document of the conversation, receives no more updates or awareness, and their writes are refused; an honest member is unaffected', async () => {
    const r = await relay()
    const [anna, diego, marco] = [await connected(r, 'anna'), await connected(r, 'diego'), await connected(r, 'marco')]
    for (const c of [anna, diego, marco]) {
      await c.subscribe(seg0)
      await c.subscribe(meta)
      await c.subscribe(receipts)
    }
    diego.awareness(seg0).setLocalState({ typing: true })
    const diegoId = diego.awareness(seg0).clientID
    await marco.until(() => marco.peers(seg0).get(diegoId), 5_000, 'diego’s awareness at marco')

    expect(await send(r, 'anna', { id: newCommandId(), type: 'removeMember', conv: SALES, member: 'diego' as UserId })).toMatchObject({ status: 'accepted' })
    await diego.until(() => [seg0, meta, receipts].every((doc) => diego.accessFrames.some((f) => f.doc === doc && f.access === 'none')), 5_000, 'access none for all three')
    const from = diego.frames.length
    // Diego's awareness state went with his subscription.
    await marco.until(() => !marco.peers(seg0).has(diegoId), 5_000, 'diego’s awareness removed at marco')

    // Anna posts and shows awareness; Marco gets both, Diego nothing.
    expect(await anna.write(seg0, post('anna', 'after diego'))).toEqual({ acked: true })
    anna.awareness(seg0).setLocalState({ typing: true })
    await marco.until(() => texts(marco.doc(seg0)).includes('after diego') && marco.peers(seg0).has(anna.awareness(seg0).clientID), 5_000, 'post and awareness at marco')

    // Diego's writes and awareness are refused.
    expect(await diego.write(seg0, post('diego', 'still here?'))).toEqual({ rejected: Reason.forbidden })
    expect(await diego.write(receipts, (d) => d.getMap('x').set('diego', 1))).toEqual({ rejected: Reason.forbidden })
    diego.awareness(seg0).setLocalState({ typing: false })
    await diego.until(() => diego.errors.some((e) => e.doc === seg0 && e.reason === Reason.notSubscribed), 5_000, 'not-subscribed for awareness')
    // A marker subscription Diego still may read proves later frames were sent to him.
    await diego.subscribe(docName.private('diego' as UserId))
    expect(convFrames(diego, from).filter((f) => f.type !== 'reject' && f.type !== 'error')).toEqual([])
    expect(texts(diego.doc(seg0))).not.toContain('after diego')
    expect(texts(marco.doc(seg0))).not.toContain('still here?')
    expect(marco.closeInfo).toBeNull()
    expect((await fetch(`${r.url}/health`)).status).toBe(200)
  })

  test('a member who leaves gets access none at once on the mux too', async () => {
    const r = await relay()
    const marco = await connected(r, 'marco')
    await marco.subscribe(seg0)
    expect(await send(r, 'marco', { id: newCommandId(), type: 'leaveConversation', conv: SALES })).toMatchObject({ status: 'accepted' })
    await marco.until(() => marco.accessFrames.some((f) => f.doc === seg0 && f.access === 'none'), 2_000, 'access none')
    expect(await marco.write(seg0, post('marco', 'bye?'))).toEqual({ rejected: Reason.forbidden })
  })
})

describe('a downgrade to read', () => {
  /** Makes diego a read-only member in the table and tells the relay, as a command would. */
  async function downgrade(r: Relay): Promise<void> {
    const row = await r.store.accounts.conversationMember(SALES, 'diego' as UserId)
    if (row === null) throw new Error('diego is not a member')
    await r.store.accounts.putConversationMember({ ...row, readOnly: true })
    r.server.access.changed(SALES, ['diego' as UserId])
  }

  test('mux: access read is announced, segment writes are refused read-only, updates still arrive, receipts stay writable', async () => {
    const r = await relay()
    const [anna, diego] = [await connected(r, 'anna'), await connected(r, 'diego')]
    await anna.subscribe(seg0)
    expect((await diego.subscribe(seg0)).access).toBe('write')
    await diego.subscribe(receipts)
    await downgrade(r)
    await diego.until(() => diego.accessFrames.some((f) => f.doc === seg0 && f.access === 'read'), 2_000, 'access read')
    expect(diego.accessFrames.filter((f) => f.doc === receipts)).toHaveLength(1)

    expect(await diego.write(seg0, post('diego', 'may I?'))).toEqual({ rejected: Reason.readOnly })
    expect(await anna.write(seg0, post('anna', 'read this'))).toEqual({ acked: true })
    await diego.until(() => texts(diego.doc(seg0)).includes('read this'), 5_000, 'the post at read-only diego')
    expect(texts(anna.doc(seg0))).not.toContain('may I?')
  })

  test('plain /sync/: told permission-denied, and a write is not applied; the socket stays open and still receives', async () => {
    const r = await relay()
    const anna = await connected(r, 'anna')
    await anna.subscribe(seg0)
    const plain = await plainSynced(r, 'diego', seg0)
    await downgrade(r)
    await waitFor(() => plain.deniedReasons().includes('This document is read-only for you now'), 2_000, 'permission denied')

    const replica = new Y.Doc()
    Y.applyUpdate(replica, await plain.step2())
    const sv = Y.encodeStateVector(replica)
    post('diego', 'plain write')(replica)
    plain.sendSync(PlainSyncStep.update, Y.encodeStateAsUpdate(replica, sv))
    await waitFor(() => plain.deniedReasons().includes('You may not change this document'), 2_000, 'the write refused')

    const before = plain.syncMessages().length
    expect(await anna.write(seg0, post('anna', 'still reading')))
      .toEqual({ acked: true })
    await waitFor(() => plain.syncMessages().length > before, 5_000, 'the post at the plain socket')
    expect(texts(anna.doc(seg0))).not.toContain('plain write')
    expect(plain.closeInfo).toBeNull()
  })
})

describe('revoking a join link', () => {
  test('cuts only the link: the old token joins nobody; a member who joined by it stays and keeps receiving', async () => {
    const r = await relay()
    expect(await send(r, 'anna', { id: newCommandId(), type: 'setAvailableByLink', conv: SALES, on: true })).toMatchObject({ status: 'accepted' })
    const token = (await r.server.hub.read(meta, readConvInfo))?.linkToken ?? ''
    expect(await send(r, 'lena', { id: newCommandId(), type: 'joinByLink', token })).toMatchObject({ status: 'accepted', conv: SALES })
    const [anna, lena] = [await connected(r, 'anna'), await connected(r, 'lena')]
    await anna.subscribe(seg0)
    expect((await lena.subscribe(seg0)).access).toBe('write')

    expect(await send(r, 'anna', { id: newCommandId(), type: 'setAvailableByLink', conv: SALES, on: false })).toMatchObject({ status: 'accepted' })
    expect(await send(r, 'tom', { id: newCommandId(), type: 'joinByLink', token })).toMatchObject({ status: 'rejected', reason: Reason.notFound })
    expect(await r.store.accounts.conversationMember(SALES, 'tom' as UserId)).toBeNull()

    expect(await anna.write(seg0, post('anna', 'link is off'))).toEqual({ acked: true })
    await lena.until(() => texts(lena.doc(seg0)).includes('link is off'), 5_000, 'the post at lena')
    expect(lena.accessFrames.filter((f) => f.doc === seg0).map((f) => f.access)).toEqual(['write'])
    expect(await lena.write(seg0, post('lena', 'still in'))).toEqual({ acked: true })
  })
})

describe('every membership change emits an access event', () => {
  test('create, add, join, remove, leave and an ownership hand-over each name the users whose rows changed; title and link changes name nobody', async () => {
    const r = await relay()
    const events: string[] = []
    r.server.access.onChanged((conv, users) => events.push(`${conv}:${[...users].sort().join(',')}`))
    const run = async (user: string, command: Command): Promise<string[]> => {
      events.length = 0
      expect(await send(r, user, command)).toMatchObject({ status: 'accepted' })
      return [...events]
    }
    const conv = 'g-access-events' as ConvId
    expect(await run('anna', { id: newCommandId(), type: 'createConversation', conv, kind: 'group', title: 'Events', members: ['marco' as UserId] }))
      .toEqual([`${conv}:anna,marco`])
    expect(await run('anna', { id: newCommandId(), type: 'addMembers', conv, members: ['diego' as UserId], hideHistory: true })).toEqual([`${conv}:diego`])
    expect(await run('anna', { id: newCommandId(), type: 'setAvailableByLink', conv, on: true })).toEqual([])
    const token = (await r.server.hub.read(docName.convMeta(conv), readConvInfo))?.linkToken ?? ''
    expect(await run('lena', { id: newCommandId(), type: 'joinByLink', token })).toEqual([`${conv}:lena`])
    expect(await run('anna', { id: newCommandId(), type: 'updateConversation', conv, title: 'Renamed' })).toEqual([])
    expect(await run('anna', { id: newCommandId(), type: 'removeMember', conv, member: 'lena' as UserId })).toEqual([`${conv}:lena`])
    expect(await run('diego', { id: newCommandId(), type: 'leaveConversation', conv })).toEqual([`${conv}:diego`])
    // The owner leaves: her row goes and Marco's becomes the owner's.
    expect(await run('anna', { id: newCommandId(), type: 'leaveConversation', conv })).toEqual([`${conv}:anna`, `${conv}:marco`])
    expect((await r.store.accounts.conversationMember(conv, 'marco' as UserId))?.role).toBe('owner')
  })
})

describe('a plain /sync/ socket', () => {
  test('has the same per-connection write limit as the multiplexed protocol: past it a write is denied and not applied', async () => {
    const r = await startRelay({ config: { segmentWritesPerWindow: 2, writeWindowMs: 60_000 } })
    onTestFinished(() => r.stop())
    const plain = await plainSynced(r, 'diego', seg0)
    const replica = new Y.Doc()
    Y.applyUpdate(replica, await plain.step2())
    for (const text of ['one', 'two', 'three']) {
      const sv = Y.encodeStateVector(replica)
      post('diego', `plain ${text}`)(replica)
      plain.sendSync(PlainSyncStep.update, Y.encodeStateAsUpdate(replica, sv))
    }
    await waitFor(() => plain.deniedReasons().some((m) => m.startsWith('Too many messages: at most 2 per 60 s')), 2_000, 'the third write refused')
    const stored = await r.server.hub.read(seg0, (d) => texts(d))
    expect(stored).toContain('plain two')
    expect(stored).not.toContain('plain three')
    expect(plain.closeInfo).toBeNull()
  })
})
