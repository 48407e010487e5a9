import {
  Origin, deleteMessage, directConvId, docName, inboxEntries, inboxEntry, listMessages, readSegments, writeMember,
  type ConvId, type DocName, type UserId,
} from '@waggle/schema'
import { describe, expect, onTestFinished, test } from 'vitest'
import type { ServerConfig } from '../config.ts'
import { connectAs, demoDocs, post } from '../testing/fixtures.ts'
import { startRelay, type Relay } from '../testing/relayHarness.ts'
import type { TestClient } from '../testing/TestClient.ts'
import { waitFor } from '../testing/waitFor.ts'

const SALES = 'sales-team' as ConvId
const SALES_MEMBERS = ['anna', 'diego', 'emma', 'marco', 'priya']
const inboxOf = (user: string): DocName => docName.inbox(user as UserId)

async function relay(config: Partial<ServerConfig> = {}): Promise<Relay> {
  const r = await startRelay({ config })
  onTestFinished(() => r.stop())
  return r
}

/** Connects `user` and subscribes to their inbox; resolves with the client and its replica. */
async function inboxClient(r: Relay, user: string): Promise<{ client: TestClient; inbox: ReturnType<TestClient['doc']> }> {
  const client = await connectAs(r, user)
  const { access, doc } = await client.subscribe(inboxOf(user))
  expect(access).toBe('read')
  return { client, inbox: doc }
}

/** The relay's own view of `user`'s inbox entry for `conv`. */
const served = (r: Relay, user: string, conv: ConvId) => r.server.hub.read(inboxOf(user), (doc) => inboxEntry(doc, conv))

describe('inbox projection', () => {
  test('a member reads their seeded inbox over the WebSocket: one entry per conversation with its last message', async () => {
    const r = await relay()
    const { inbox } = await inboxClient(r, 'anna')
    const entries = inboxEntries(inbox)
    expect([...entries.keys()].sort()).toEqual((await r.store.accounts.conversationsOf('anna' as UserId)).sort())
    expect(entries.get(SALES)).toMatchObject({
      kind: 'group', title: 'Sales team', memberCount: 5, readOnly: false, firstSegment: 0, segment: 0,
      last: { author: 'anna', preview: 'Yes, Emma is preparing the email.' },
    })
  })

  test('a message sent over the WebSocket becomes the last message in every member’s inbox', async () => {
    const r = await relay({ inboxDebounceMs: 0 })
    const anna = await connectAs(r, 'anna')
    const { client: marco, inbox } = await inboxClient(r, 'marco')
    await anna.subscribe(demoDocs.salesTeam)
    expect(await anna.write(demoDocs.salesTeam, post('anna', 'Numbers are in:\n  Q3 up 12%'))).toEqual({ acked: true })
    const [sent] = listMessages(anna.doc(demoDocs.salesTeam)).slice(-1)

    // Marco's open inbox is updated live.
    const last = await marco.until(() => inboxEntry(inbox, SALES)?.last?.id === sent?.id && inboxEntry(inbox, SALES)?.last, 5_000, 'marco’s inbox')
    expect(last).toEqual({ id: sent?.id, author: 'anna', time: sent?.time, preview: 'Numbers are in: Q3 up 12%' })
    for (const user of SALES_MEMBERS) {
      await waitFor(async () => (await served(r, user, SALES))?.last?.id === sent?.id, 5_000, `${user}’s inbox`)
    }
    // Not a member, not told.
    expect(await served(r, 'lena', SALES)).toBeUndefined()
  })

  test('a burst of messages updates each inbox once, with the newest one', async () => {
    const r = await relay({ inboxDebounceMs: 60_000 })
    const anna = await connectAs(r, 'anna')
    const { client: marco, inbox } = await inboxClient(r, 'marco')
    await anna.subscribe(demoDocs.salesTeam)
    const logBefore = await r.store.persistence.logLength(inboxOf('marco'))
    for (let i = 1; i <= 5; i++) expect(await anna.write(demoDocs.salesTeam, post('anna', `burst ${i}`))).toEqual({ acked: true })
    // Within the debounce window nothing is projected yet; flush ends the window now.
    expect(inboxEntry(inbox, SALES)?.last?.preview).not.toBe('burst 5')
    await r.server.projector.flush()

    await marco.until(() => inboxEntry(inbox, SALES)?.last?.preview === 'burst 5', 5_000, 'the burst in marco’s inbox')
    expect(marco.syncFrames(inboxOf('marco'), 'update')).toHaveLength(1)
    expect(await r.store.persistence.logLength(inboxOf('marco'))).toBe(logBefore + 1)
  })

  test('deleting the last message shows it deleted in the inbox, without its text', async () => {
    const r = await relay({ inboxDebounceMs: 0 })
    const anna = await connectAs(r, 'anna')
    await anna.subscribe(demoDocs.salesTeam)
    await anna.write(demoDocs.salesTeam, post('anna', 'sent by mistake'))
    const [mine] = listMessages(anna.doc(demoDocs.salesTeam)).slice(-1)
    if (mine === undefined) throw new Error('no message')
    await waitFor(async () => (await served(r, 'diego', SALES))?.last?.id === mine.id, 5_000, 'the message in diego’s inbox')

    expect(await anna.write(demoDocs.salesTeam, (doc) => deleteMessage(doc, mine.id, Date.now(), Origin.local))).toEqual({ acked: true })
    const last = await waitFor(async () => (await served(r, 'diego', SALES))?.last?.deleted === true && (await served(r, 'diego', SALES))?.last, 5_000, 'the delete')
    expect(last).toEqual({ id: mine.id, author: 'anna', time: mine.time, preview: '', deleted: true })
  })

  test('a segment past segmentMaxMessages gets a successor in meta, and every member’s inbox points at it', async () => {
    // The seeded sales team has 9 messages, past 3: seeding already started segment 1. The
    // direct conversation has exactly 3, which is not past the bound.
    const r = await relay({ segmentMaxMessages: 3, inboxDebounceMs: 0 })
    const meta = docName.convMeta(SALES)
    expect(await r.server.hub.read(meta, readSegments)).toEqual([0, 1])
    expect((await served(r, 'marco', SALES))?.segment).toBe(1)
    expect((await served(r, 'anna', directConvId('anna' as UserId, 'marco' as UserId)))?.segment).toBe(0)

    const anna = await connectAs(r, 'anna')
    const { client: marco, inbox } = await inboxClient(r, 'marco')
    const seg1 = docName.segment(SALES, 1)
    expect((await anna.subscribe(seg1)).access).toBe('write')
    for (let i = 1; i <= 4; i++) expect(await anna.write(seg1, post('anna', `in segment 1, #${i}`))).toEqual({ acked: true })

    await marco.until(() => inboxEntry(inbox, SALES)?.segment === 2, 5_000, 'segment 2 in marco’s inbox')
    expect(inboxEntry(inbox, SALES)?.last?.preview).toBe('in segment 1, #4')
    expect(await r.server.hub.read(meta, readSegments)).toEqual([0, 1, 2])
    for (const user of SALES_MEMBERS) {
      await waitFor(async () => (await served(r, user, SALES))?.segment === 2, 5_000, `segment 2 in ${user}’s inbox`)
    }
  })
  test('someone removed from the membership table loses the entry when the meta document changes', async () => {
    const r = await relay({ inboxDebounceMs: 0 })
    const { client: priya, inbox } = await inboxClient(r, 'priya')
    expect(inboxEntry(inbox, SALES)).toBeDefined()
    // What a "remove member" command does: the table first, then the projection in meta.
    await r.store.accounts.removeConversationMember(SALES, 'priya' as UserId)
    await r.server.hub.change(docName.convMeta(SALES), (doc) => writeMember(doc, 'priya' as UserId, null, Origin.server))

    await priya.until(() => inboxEntry(inbox, SALES) === undefined, 5_000, 'the entry to leave priya’s inbox')
    await waitFor(async () => (await served(r, 'anna', SALES))?.memberCount === 4, 5_000, 'the new member count in anna’s inbox')
  })
})
