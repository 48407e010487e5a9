import {
  Reason, docName, inboxEntry, listMessages, newCommandId, readConvInfo, readMembers, readSegments,
  isDeleted, type Command, type CommandResult, type ConvId, type StoredMessage, type UserId,
} from '@waggle/schema'
import { describe, expect, onTestFinished, test } from 'vitest'
import { tokenFor } from '../testing/fixtures.ts'
import { startRelay, type Relay } from '../testing/relayHarness.ts'

const SALES = 'sales-team' as ConvId

async function relay(): Promise<Relay> {
  const r = await startRelay({ config: { inboxDebounceMs: 0 } })
  onTestFinished(() => r.stop())
  return r
}

async function send(r: Relay, user: string, command: Command): Promise<CommandResult> {
  const res = await fetch(`${r.url}/api/commands`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await tokenFor(r.url, user)}` }, body: JSON.stringify(command),
  })
  expect(res.status).toBe(200)
  return (await res.json()) as CommandResult
}

const rejectedWith = (reason: Reason) => expect.objectContaining({ status: 'rejected', reason }) as unknown
const member = (r: Relay, user: string) => r.store.accounts.conversationMember(SALES, user as UserId)
const meta = (r: Relay) => r.server.hub.read(docName.convMeta(SALES), (doc) => ({ info: readConvInfo(doc), members: readMembers(doc), segments: readSegments(doc) }))
const systemIn = (r: Relay, segment: number) =>
  r.server.hub.read(docName.segment(SALES, segment), (doc) => listMessages(doc).flatMap((m: StoredMessage) => (!isDeleted(m) && m.system !== undefined ? [m.text] : [])))
const add = (members: string[], hideHistory = false, emails?: string[]): Command => ({
  id: newCommandId(), type: 'addMembers', conv: SALES, members: members as UserId[], hideHistory, ...(emails ? { emails } : {}),
})

describe('group commands', () => {
  test('addMembers with hide history starts segment n+1, the new member reads from it, and an "added" system message is written there', async () => {
    const r = await relay()
    const cmd = add(['lena'], true)
    expect(await send(r, 'anna', cmd)).toEqual({ id: cmd.id, status: 'accepted' })
    expect(await member(r, 'lena')).toMatchObject({ role: 'member', firstSegment: 1, readOnly: false })
    const m = await meta(r)
    expect(m.segments).toEqual([0, 1])
    expect(m.members.get('lena' as UserId)).toMatchObject({ firstSegment: 1 })
    expect(await systemIn(r, 1)).toEqual(['Anna Rossi added Lena Fischer'])
    expect(await r.server.hub.read(docName.inbox('lena' as UserId), (doc) => inboxEntry(doc, SALES))).toMatchObject({ firstSegment: 1, segment: 1 })
    // Applied once: the retry gets the same answer and starts no further segment.
    expect(await send(r, 'anna', cmd)).toEqual({ id: cmd.id, status: 'accepted' })
    expect((await meta(r)).segments).toEqual([0, 1])
  })

  test('addMembers without hide history keeps the segment; only managers add; an unknown address becomes a guest', async () => {
    const r = await relay()
    expect(await send(r, 'marco', add(['lena']))).toEqual(rejectedWith(Reason.forbidden))
    expect(await send(r, 'lena', add(['tom']))).toEqual(rejectedWith(Reason.forbidden))
    expect(await send(r, 'anna', add(['lena'], false, ['Ext@Partner.example']))).toMatchObject({ status: 'accepted' })
    expect(await member(r, 'lena')).toMatchObject({ firstSegment: 0 })
    expect((await meta(r)).segments).toEqual([0])
    const guest = await r.store.accounts.userByEmail('ext@partner.example')
    expect(guest).toMatchObject({ role: 'guest', workspaceId: 'demo' })
    expect(await member(r, guest?.id ?? '')).toMatchObject({ role: 'guest' })
  })

  test('in a read-only group external members are read-only; the member cap holds', async () => {
    const r = await relay()
    const conv = 'ro-group' as ConvId
    expect(await send(r, 'anna', { id: newCommandId(), type: 'createConversation', conv, kind: 'group', title: 'Partners', members: [], readOnly: true }))
      .toMatchObject({ status: 'accepted' })
    expect(await send(r, 'anna', { id: newCommandId(), type: 'addMembers', conv, members: ['marco' as UserId], emails: ['x@partner.example'], hideHistory: false }))
      .toMatchObject({ status: 'accepted' })
    const guest = await r.store.accounts.userByEmail('x@partner.example')
    expect(await r.store.accounts.conversationMember(conv, guest?.id as UserId)).toMatchObject({ readOnly: true })
    expect(await r.store.accounts.conversationMember(conv, 'marco' as UserId)).toMatchObject({ readOnly: false })
    expect(await r.server.hub.read(docName.segment(conv, 0), (doc) => listMessages(doc).map((m) => ('text' in m ? m.text : ''))))
      .toEqual(['Anna Rossi created the conversation', expect.stringMatching(/^Anna Rossi added Marco Bianchi, /)])
  })

  test('removeMember and leaveConversation drop the membership and the inbox entry, with system messages', async () => {
    const r = await relay()
    expect(await send(r, 'marco', { id: newCommandId(), type: 'removeMember', conv: SALES, member: 'diego' as UserId })).toEqual(rejectedWith(Reason.forbidden))
    expect(await send(r, 'anna', { id: newCommandId(), type: 'removeMember', conv: SALES, member: 'diego' as UserId })).toMatchObject({ status: 'accepted' })
    expect(await member(r, 'diego')).toBeNull()
    expect((await meta(r)).members.has('diego' as UserId)).toBe(false)
    expect(await r.server.hub.read(docName.inbox('diego' as UserId), (doc) => inboxEntry(doc, SALES))).toBeUndefined()
    expect(await send(r, 'marco', { id: newCommandId(), type: 'leaveConversation', conv: SALES })).toMatchObject({ status: 'accepted' })
    expect(await member(r, 'marco')).toBeNull()
    expect(await systemIn(r, 0)).toEqual(['Anna Rossi removed Diego Martín', 'Marco Bianchi left'])
    expect(await send(r, 'marco', { id: newCommandId(), type: 'leaveConversation', conv: SALES })).toEqual(rejectedWith(Reason.forbidden))
  })

  test('updateConversation changes title, description and picture (managers only; the picture is checked)', async () => {
    const r = await relay()
    const picture = `data:image/png;base64,${'A'.repeat(100)}`
    expect(await send(r, 'marco', { id: newCommandId(), type: 'updateConversation', conv: SALES, title: 'X' })).toEqual(rejectedWith(Reason.forbidden))
    expect(await send(r, 'anna', { id: newCommandId(), type: 'updateConversation', conv: SALES, title: 'Sales', description: '', picture }))
      .toMatchObject({ status: 'accepted' })
    const info = (await meta(r)).info
    expect(info).toMatchObject({ title: 'Sales', picture })
    expect(info?.description).toBeUndefined()
    const bad = await fetch(`${r.url}/api/commands`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await tokenFor(r.url, 'anna')}` },
      body: JSON.stringify({ id: newCommandId(), type: 'updateConversation', conv: SALES, picture: 'data:text/html;base64,AAAA' }),
    })
    expect(bad.status).toBe(400)
  })

  test('a link joins with full history; turning the link off stops it', async () => {
    const r = await relay()
    expect(await send(r, 'anna', { id: newCommandId(), type: 'setAvailableByLink', conv: SALES, on: true })).toMatchObject({ status: 'accepted' })
    const token = (await meta(r)).info?.linkToken
    expect(token).toBe(await r.store.accounts.conversationLink(SALES))
    expect(await send(r, 'lena', { id: newCommandId(), type: 'joinByLink', token: token ?? '' })).toMatchObject({ status: 'accepted', conv: SALES })
    expect(await member(r, 'lena')).toMatchObject({ firstSegment: 0 })
    expect(await systemIn(r, 0)).toEqual(['Lena Fischer joined by link'])
    expect(await send(r, 'anna', { id: newCommandId(), type: 'setAvailableByLink', conv: SALES, on: false })).toMatchObject({ status: 'accepted' })
    expect((await meta(r)).info).toMatchObject({ byLink: false })
    expect((await meta(r)).info?.linkToken).toBeUndefined()
    expect(await send(r, 'tom', { id: newCommandId(), type: 'joinByLink', token: token ?? '' })).toEqual(rejectedWith(Reason.notFound))
  })
})
