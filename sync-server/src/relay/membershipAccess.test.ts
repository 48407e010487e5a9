import { docName, newCommandId, type Command, type ConvId, type UserId } from '@waggle/schema'
import { describe, expect, onTestFinished, test } from 'vitest'
import { connectAs, demoDocs, post, texts, tokenFor } from '../testing/fixtures.ts'
import { startRelay, type Relay } from '../testing/relayHarness.ts'

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
