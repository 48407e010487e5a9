import {
  Reason, docName, guestUserId, inboxEntry, listMessages, newCommandId, readConvInfo, readMembers, readSegments,
  isDeleted, type Command, type CommandResult, type ConvId, type StoredMessage, type UserId,
} from '@waggle/schema'
import { describe, expect, onTestFinished, test } from 'vitest'
import type { ConversationMemberRecord } from '../storage/AccountStore.ts'
import { tokenFor } from '../testing/fixtures.ts'
import { startRelay, type Relay } from '../testing/relayHarness.ts'
import { successor } from './groupRules.ts'
import { contactNameFor } from './resolveUsers.ts'

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
    expect(guest).toMatchObject({ id: guestUserId('ext@partner.example'), name: 'ext@partner.example', role: 'guest', workspaceId: 'demo' })
    expect(await member(r, guest?.id ?? '')).toMatchObject({ role: 'guest' })
  })

  test('addMembers names a guest after the phonebook contact with that address', async () => {
    const r = await relay()
    expect(await send(r, 'anna', add([], false, ['Mueller@Customer.Example.com']))).toMatchObject({ status: 'accepted' })
    const id = guestUserId('mueller@customer.example.com')
    expect(await r.store.accounts.userById(id)).toMatchObject({ email: 'mueller@customer.example.com', name: 'Hans Müller', role: 'guest' })
    expect(await systemIn(r, 0)).toEqual(['Anna Rossi added Hans Müller'])
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

  test('a retried joinByLink answers the stored result with the conversation, and joins once', async () => {
    const r = await relay()
    expect(await send(r, 'anna', { id: newCommandId(), type: 'setAvailableByLink', conv: SALES, on: true })).toMatchObject({ status: 'accepted' })
    const join: Command = { id: newCommandId(), type: 'joinByLink', token: (await meta(r)).info?.linkToken ?? '' }
    const first = await send(r, 'lena', join)
    expect(first).toEqual({ id: join.id, status: 'accepted', conv: SALES })
    expect(await r.store.accounts.commandResult(join.id)).toMatchObject({ result: { status: 'accepted', conv: SALES } })
    expect(await send(r, 'lena', join)).toEqual(first)
    expect(await systemIn(r, 0)).toEqual(['Lena Fischer joined by link'])
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

describe('ownership passes on when the owner goes', () => {
  const create = (conv: ConvId, members: string[], emails: string[] = []): Command => ({
    id: newCommandId(), type: 'createConversation', conv, kind: 'group', title: 'Handover', members: members as UserId[], emails,
  })
  const leave = (conv: ConvId): Command => ({ id: newCommandId(), type: 'leaveConversation', conv })
  const roles = async (r: Relay, conv: ConvId) => {
    const rows = Object.fromEntries((await r.store.accounts.conversationMembers(conv)).map((m) => [m.user, m.role]))
    const listed = await r.server.hub.read(docName.convMeta(conv), (doc) => Object.fromEntries([...readMembers(doc)].map(([u, m]) => [u, m.role])))
    // The meta list mirrors the table.
    expect(listed).toEqual(rows)
    return rows
  }
  /** Lets the clock move on, so members added by the next command have a later addedAt. */
  const tick = () => new Promise((resolve) => setTimeout(resolve, 5))

  test('the owner leaving hands the group to the sales team’s longest-standing member, ties by user id', async () => {
    const r = await relay()
    expect(await send(r, 'anna', leave(SALES))).toMatchObject({ status: 'accepted' })
    // Seeded together: diego, emma, marco and priya have the same addedAt; diego sorts first.
    expect(await roles(r, SALES)).toEqual({ diego: 'owner', emma: 'member', marco: 'member', priya: 'member' })
    // The new owner manages the group.
    expect(await send(r, 'diego', add(['lena']))).toMatchObject({ status: 'accepted' })
  })

  test('an admin removing the owner hands the group to the earliest remaining member, not the first by id', async () => {
    const r = await relay()
    const conv = 'handover' as ConvId
    expect(await send(r, 'anna', create(conv, ['marco']))).toMatchObject({ status: 'accepted' })
    await tick()
    expect(await send(r, 'anna', { id: newCommandId(), type: 'addMembers', conv, members: ['claire'] as UserId[], hideHistory: false }))
      .toMatchObject({ status: 'accepted' })
    // Claire, an admin, sorts before Marco but joined later.
    expect(await send(r, 'claire', { id: newCommandId(), type: 'removeMember', conv, member: 'anna' as UserId })).toMatchObject({ status: 'accepted' })
    expect(await roles(r, conv)).toEqual({ marco: 'owner', claire: 'member' })
  })

  test('guests are passed over; when only guests remain, nobody owns the group', async () => {
    const r = await relay()
    const conv = 'with-guest' as ConvId
    const guest = guestUserId('x@partner.example')
    // The guest is added with the group, before Lena.
    expect(await send(r, 'anna', create(conv, [], ['x@partner.example']))).toMatchObject({ status: 'accepted' })
    await tick()
    expect(await send(r, 'anna', { id: newCommandId(), type: 'addMembers', conv, members: ['lena'] as UserId[], hideHistory: false }))
      .toMatchObject({ status: 'accepted' })
    expect(await send(r, 'anna', leave(conv))).toMatchObject({ status: 'accepted' })
    expect(await roles(r, conv)).toEqual({ lena: 'owner', [guest]: 'guest' })
    expect(await send(r, 'lena', leave(conv))).toMatchObject({ status: 'accepted' })
    expect(await roles(r, conv)).toEqual({ [guest]: 'guest' })
  })

  test('successor: earliest addedAt, then user id; never a guest, by membership or by account', () => {
    const m = (user: string, addedAt: number, role: ConversationMemberRecord['role'] = 'member'): ConversationMemberRecord =>
      ({ conv: 'c' as ConvId, user: user as UserId, role, readOnly: false, firstSegment: 0, addedAt })
    expect(successor([m('zoe', 5), m('bob', 7), m('amy', 5)], new Set())?.user).toBe('amy')
    expect(successor([m('g1', 1, 'guest'), m('old', 2), m('bob', 3)], new Set(['old' as UserId]))?.user).toBe('bob')
    expect(successor([m('g1', 1, 'guest')], new Set())).toBeNull()
    expect(successor([], new Set())).toBeNull()
  })
})

describe('guest names from the phonebook', () => {
  test('contactNameFor matches the address trimmed and case-insensitively, and skips contacts without one', () => {
    const contacts = [{ name: 'No Mail' }, { name: 'Hans Müller', email: ' Mueller@Customer.example.com' }]
    expect(contactNameFor(contacts, 'mueller@customer.example.com')).toBe('Hans Müller')
    expect(contactNameFor(contacts, 'other@customer.example.com')).toBeNull()
  })
})
