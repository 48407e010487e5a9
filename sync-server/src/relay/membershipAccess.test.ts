import { CloseCode, docName, newCommandId, type Command, type ConvId, type UserId } from '@waggle/schema'
import { describe, expect, onTestFinished, test } from 'vitest'
import { connectAs, demoDocs, plainSynced, post, texts, tokenFor } from '../testing/fixtures.ts'
import { startRelay, type Relay } from '../testing/relayHarness.ts'
import { waitFor } from '../testing/waitFor.ts'

const SALES = 'sales-team' as ConvId

async function relay(): Promise<Relay> {
  const r = await startRelay({ config: { inboxDebounceMs: 0 } })
  onTestFinished(() => r.stop())
  return r
}

async function send(r: Relay, user: string, command: Command): Promise<void> {
  const res = await fetch(`${r.url}/api/commands`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await tokenFor(r.url, user)}` }, body: JSON.stringify(command),
  })
  expect(await res.json()).toMatchObject({ status: 'accepted' })
}

describe('the relay re-checks access when membership changes', () => {
  test('a member added with hidden history is refused segment 0 and receives only segment 1', async () => {
    const r = await relay()
    await send(r, 'anna', { id: newCommandId(), type: 'addMembers', conv: SALES, members: ['lena' as UserId], hideHistory: true })
    const lena = await connectAs(r, 'lena')
    onTestFinished(() => lena.close())
    expect((await lena.subscribe(demoDocs.salesTeam)).access).toBe('none')
    const seg1 = await lena.subscribe(docName.segment(SALES, 1))
    expect(seg1.access).toBe('write')
    expect(texts(seg1.doc)).toEqual(['Anna Rossi added Lena Fischer'])
    const seg0Frames = lena.frames.filter((f) => 'doc' in f && f.doc === demoDocs.salesTeam && f.type !== 'access' && f.type !== 'error')
    expect(seg0Frames).toEqual([])
  })

  test('a removed member’s open subscription gets access none and stops receiving updates', async () => {
    const r = await relay()
    const [anna, diego] = [await connectAs(r, 'anna'), await connectAs(r, 'diego')]
    onTestFinished(async () => {
      await anna.close()
      await diego.close()
    })
    await anna.subscribe(demoDocs.salesTeam)
    const { doc } = await diego.subscribe(demoDocs.salesTeam)
    await anna.write(demoDocs.salesTeam, post('anna', 'before'))
    await diego.until(() => texts(doc).includes('before'))

    await send(r, 'anna', { id: newCommandId(), type: 'removeMember', conv: SALES, member: 'diego' as UserId })
    await diego.until(() => diego.accessFrames.some((f) => f.doc === demoDocs.salesTeam && f.access === 'none'))
    const framesBefore = diego.frames.length
    expect(await anna.write(demoDocs.salesTeam, post('anna', 'after'))).toEqual({ acked: true })
    // A marker write Diego still may see (his own private document) proves the relay sent later frames.
    await diego.subscribe(docName.private('diego' as UserId))
    expect(texts(doc)).not.toContain('after')
    const later = diego.frames.slice(framesBefore).filter((f) => 'doc' in f && f.doc === demoDocs.salesTeam)
    expect(later).toEqual([])
  })
})

describe('plain /sync/ sockets are re-checked when membership changes', () => {

  test('a removed member’s plain sockets on the conversation close with 4403; another member’s stay open', async () => {
    const r = await relay()
    const diegoSegment = await plainSynced(r, 'diego', demoDocs.salesTeam)
    const diegoMeta = await plainSynced(r, 'diego', docName.convMeta(SALES))
    const diegoPrivate = await plainSynced(r, 'diego', docName.private('diego' as UserId))
    const marcoSegment = await plainSynced(r, 'marco', demoDocs.salesTeam)

    await send(r, 'anna', { id: newCommandId(), type: 'removeMember', conv: SALES, member: 'diego' as UserId })
    expect((await diegoSegment.closed()).code).toBe(CloseCode.forbidden)
    expect((await diegoMeta.closed()).code).toBe(CloseCode.forbidden)

    // Anna's next post reaches Marco's plain socket; Diego's closed sockets got nothing more.
    const received = diegoSegment.messages.length
    const anna = await connectAs(r, 'anna')
    onTestFinished(() => anna.close())
    await anna.subscribe(demoDocs.salesTeam)
    const marcoBefore = marcoSegment.syncMessages().length
    expect(await anna.write(demoDocs.salesTeam, post('anna', 'after diego'))).toEqual({ acked: true })
    await waitFor(() => marcoSegment.syncMessages().length > marcoBefore, 5_000, 'the post at Marco’s plain socket')
    expect(marcoSegment.closeInfo).toBeNull()
    expect(diegoSegment.messages.length).toBe(received)
    // Documents outside the conversation are not affected.
    expect(diegoPrivate.closeInfo).toBeNull()
  })

  test('a member who leaves has their plain socket on the conversation closed too', async () => {
    const r = await relay()
    const marcoReceipts = await plainSynced(r, 'marco', docName.receipts(SALES))
    await send(r, 'marco', { id: newCommandId(), type: 'leaveConversation', conv: SALES })
    expect((await marcoReceipts.closed()).code).toBe(CloseCode.forbidden)
  })
})
