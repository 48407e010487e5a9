import {
  Limits, Reason, directConvId, docName, inboxEntry, newCommandId, newConvId, readConvInfo, readMembers, readSegments,
  type ApiError, type CommandResult, type ConvId, type CreateConversationCommand, type UserId,
} from '@waggle/schema'
import { describe, expect, onTestFinished, test } from 'vitest'
import { DEMO_WORKSPACE, demoEmail } from '../demo/seed.ts'
import { connectAs, post, tokenFor } from '../testing/fixtures.ts'
import { startRelay, type Relay } from '../testing/relayHarness.ts'
import { waitFor } from '../testing/waitFor.ts'

async function relay(): Promise<Relay> {
  const r = await startRelay({ config: { inboxDebounceMs: 0 } })
  onTestFinished(() => r.stop())
  return r
}

function postCommand(r: Relay, token: string | null, body: unknown): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (token !== null) headers.authorization = `Bearer ${token}`
  return fetch(`${r.url}/api/commands`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) })
}

/** Posts `command` as `user` (a name, or a session token) and expects a 200 with a result for it. */
async function send(r: Relay, user: string | { token: string }, command: CreateConversationCommand): Promise<CommandResult> {
  const token = typeof user === 'string' ? await tokenFor(r.url, user) : user.token
  const res = await postCommand(r, token, command)
  expect(res.status).toBe(200)
  const result = (await res.json()) as CommandResult
  expect(result.id).toBe(command.id)
  return result
}

function group(over: Partial<CreateConversationCommand> = {}): CreateConversationCommand {
  return { id: newCommandId(), type: 'createConversation', conv: newConvId(), kind: 'group', title: 'Trade fair', members: ['marco' as UserId], ...over }
}

function direct(from: string, to: string, over: Partial<CreateConversationCommand> = {}): CreateConversationCommand {
  return {
    id: newCommandId(), type: 'createConversation', conv: directConvId(from as UserId, to as UserId), kind: 'direct', title: '',
    members: [to as UserId], ...over,
  }
}

const inboxEntryOf = (r: Relay, user: string, conv: ConvId) => r.server.hub.read(docName.inbox(user as UserId), (doc) => inboxEntry(doc, conv))
const memberIds = async (r: Relay, conv: ConvId) => (await r.store.accounts.conversationMembers(conv)).map((m) => m.user).sort()
const rejectedWith = (reason: Reason) => expect.objectContaining({ status: 'rejected', reason }) as unknown

describe('POST /api/commands: createConversation', () => {
  test('an accepted group is in both members’ inboxes at once, and the other member can use its segment', async () => {
    const r = await relay()
    const cmd = group({ title: '  Trade fair  ', description: 'Booth 12', members: ['marco', 'anna'] as UserId[] })
    expect(await send(r, 'anna', cmd)).toEqual({ id: cmd.id, status: 'accepted' })

    expect(await r.store.accounts.conversation(cmd.conv)).toMatchObject({ kind: 'group', createdBy: 'anna', workspaceId: DEMO_WORKSPACE })
    expect(await r.store.accounts.conversationMember(cmd.conv, 'anna' as UserId)).toMatchObject({ role: 'owner', readOnly: false, firstSegment: 0 })
    expect(await r.store.accounts.conversationMember(cmd.conv, 'marco' as UserId)).toMatchObject({ role: 'member', readOnly: false, firstSegment: 0 })
    const meta = await r.server.hub.read(docName.convMeta(cmd.conv), (doc) => ({ info: readConvInfo(doc), members: readMembers(doc), segments: readSegments(doc) }))
    expect(meta.info).toMatchObject({ id: cmd.conv, kind: 'group', title: 'Trade fair', description: 'Booth 12', createdBy: 'anna', readOnly: false, byLink: false })
    expect([...meta.members.keys()].sort()).toEqual(['anna', 'marco'])
    expect(meta.segments).toEqual([0])

    // The answer comes after the inboxes are written.
    for (const user of ['anna', 'marco']) {
      expect(await inboxEntryOf(r, user, cmd.conv)).toMatchObject({ kind: 'group', title: 'Trade fair', memberCount: 2, segment: 0, readOnly: false })
    }
    const marco = await connectAs(r, 'marco')
    const { access, doc: inbox } = await marco.subscribe(docName.inbox('marco' as UserId))
    expect(access).toBe('read')
    expect(inboxEntry(inbox, cmd.conv)?.title).toBe('Trade fair')
    const segment = docName.segment(cmd.conv, 0)
    expect((await marco.subscribe(segment)).access).toBe('write')
    expect(await marco.write(segment, post('marco', 'first!'))).toEqual({ acked: true })
    await waitFor(async () => (await inboxEntryOf(r, 'anna', cmd.conv))?.last?.preview === 'first!', 5_000, 'the first message in anna’s inbox')
    // Someone not in it sees nothing.
    const lena = await connectAs(r, 'lena')
    expect((await lena.subscribe(segment)).access).toBe('none')
  })

  test('a retry of the same command id returns the same result and creates nothing twice', async () => {
    const r = await relay()
    const cmd = group({ members: ['marco', 'diego'] as UserId[] })
    const first = await send(r, 'anna', cmd)
    expect(first.status).toBe('accepted')
    const metaLog = await r.store.persistence.logLength(docName.convMeta(cmd.conv))
    const inboxLog = await r.store.persistence.logLength(docName.inbox('marco' as UserId))

    expect(await send(r, 'anna', cmd)).toEqual(first)
    // Even with changed content, the id decides: the stored answer, nothing applied.
    expect(await send(r, 'anna', { ...cmd, title: 'Other', members: ['lena' as UserId] })).toEqual(first)
    expect(await memberIds(r, cmd.conv)).toEqual(['anna', 'diego', 'marco'])
    expect(await r.store.persistence.logLength(docName.convMeta(cmd.conv))).toBe(metaLog)
    expect(await r.store.persistence.logLength(docName.inbox('marco' as UserId))).toBe(inboxLog)
    expect(await r.store.accounts.conversationsOf('lena' as UserId)).not.toContain(cmd.conv)
  })

  test('the same command sent twice at once is applied once and both get the same answer', async () => {
    const r = await relay()
    const cmd = group({ members: ['marco'] as UserId[] })
    const anna = { token: await tokenFor(r.url, 'anna') }
    const [a, b] = await Promise.all([send(r, anna, cmd), send(r, anna, cmd)])
    expect(a).toEqual({ id: cmd.id, status: 'accepted' })
    expect(b).toEqual(a)
    expect(await memberIds(r, cmd.conv)).toEqual(['anna', 'marco'])
  })

  test('a rejection is stored too, and another user reusing a command id is refused with conflict', async () => {
    const r = await relay()
    const cmd = group({ members: ['nobody'] as UserId[] })
    const first = await send(r, 'anna', cmd)
    expect(first).toEqual(rejectedWith(Reason.notFound))
    expect(await send(r, 'anna', cmd)).toEqual(first)

    const reused = group({ id: cmd.id, members: ['anna'] as UserId[] })
    expect(await send(r, 'marco', reused)).toEqual(rejectedWith(Reason.conflict))
    expect(await r.store.accounts.conversation(reused.conv)).toBeNull()
  })

  test('a direct conversation started by both people is one conversation in both inboxes', async () => {
    const r = await relay()
    const conv = directConvId('lena' as UserId, 'tom' as UserId)
    expect(await send(r, 'lena', direct('lena', 'tom'))).toEqual(expect.objectContaining({ status: 'accepted' }))
    expect(await send(r, 'tom', direct('tom', 'lena'))).toEqual(expect.objectContaining({ status: 'accepted' }))

    expect(await memberIds(r, conv)).toEqual(['lena', 'tom'])
    expect((await r.store.accounts.conversationsOf('lena' as UserId)).filter((c) => c === conv)).toHaveLength(1)
    expect(await r.server.hub.read(docName.convMeta(conv), (doc) => readConvInfo(doc)?.createdBy)).toBe('lena')
    for (const user of ['lena', 'tom']) {
      expect(await inboxEntryOf(r, user, conv)).toMatchObject({ kind: 'direct', title: '', members: ['lena', 'tom'], memberCount: 2 })
    }
  })

  test('a direct conversation needs exactly one other member and the id directConvId gives', async () => {
    const r = await relay()
    expect(await send(r, 'lena', direct('lena', 'tom', { conv: 'lena-tom' as ConvId }))).toEqual(rejectedWith(Reason.badRequest))
    expect(await send(r, 'lena', direct('lena', 'tom', { members: ['tom', 'sofia'] as UserId[] }))).toEqual(rejectedWith(Reason.badRequest))
    expect(await send(r, 'lena', direct('lena', 'lena'))).toEqual(rejectedWith(Reason.badRequest))
    expect(await r.store.accounts.conversation(directConvId('lena' as UserId, 'tom' as UserId))).toBeNull()
  })

  test('an unknown member is refused with not-found naming them, and nothing is created', async () => {
    const r = await relay()
    const cmd = group({ members: ['marco', 'ghost'] as UserId[] })
    const result = await send(r, 'anna', cmd)
    expect(result).toEqual(rejectedWith(Reason.notFound))
    expect(result.status === 'rejected' && result.message).toMatch(/ghost/)
    expect(await r.store.accounts.conversation(cmd.conv)).toBeNull()
    expect(await inboxEntryOf(r, 'marco', cmd.conv)).toBeUndefined()
  })

  test('a group needs a title, and an id already taken by someone else’s conversation is a conflict', async () => {
    const r = await relay()
    expect(await send(r, 'anna', group({ title: '   ' }))).toEqual(rejectedWith(Reason.badRequest))
    // The seeded sales team was created by anna: marco may not take its id…
    const taken = group({ conv: 'sales-team' as ConvId, members: ['anna'] as UserId[] })
    expect(await send(r, 'marco', taken)).toEqual(rejectedWith(Reason.conflict))
    // …and neither may anna with a command that leaves its members out.
    expect(await send(r, 'anna', group({ conv: 'sales-team' as ConvId }))).toEqual(rejectedWith(Reason.conflict))
    expect(await memberIds(r, 'sales-team' as ConvId)).toEqual(['anna', 'diego', 'emma', 'marco', 'priya'])
  })

  test('a retried command finishes a group whose creation stopped after the first membership row', async () => {
    const r = await relay()
    const cmd = group({ members: ['marco', 'diego'] as UserId[] })
    // What a relay that stopped mid-command leaves behind: the conversation row, one member, no meta.
    await r.store.accounts.createConversation({ id: cmd.conv, workspaceId: DEMO_WORKSPACE, kind: 'group', createdBy: 'anna' as UserId, createdAt: 1_000 })
    await r.store.accounts.putConversationMember({ conv: cmd.conv, user: 'anna' as UserId, role: 'owner', readOnly: false, firstSegment: 0, addedAt: 1_000 })

    expect(await send(r, 'anna', cmd)).toEqual({ id: cmd.id, status: 'accepted' })
    expect(await memberIds(r, cmd.conv)).toEqual(['anna', 'diego', 'marco'])
    expect(await r.server.hub.read(docName.convMeta(cmd.conv), (doc) => [...readMembers(doc).keys()].sort())).toEqual(['anna', 'diego', 'marco'])
    for (const user of ['anna', 'diego', 'marco']) expect(await inboxEntryOf(r, user, cmd.conv)).toMatchObject({ createdAt: 1_000, memberCount: 3 })
  })

  test('a guest may not start a direct conversation; a group a guest starts is available by link', async () => {
    const r = await relay()
    await r.store.accounts.createUser({
      id: 'gina' as UserId, workspaceId: DEMO_WORKSPACE, email: demoEmail('gina'), name: 'Gina Guest', role: 'guest', canModifyPresence: false, createdAt: 1,
    })
    const dm = direct('gina', 'anna')
    expect(await send(r, 'gina', dm)).toEqual(rejectedWith(Reason.forbidden))
    expect(await r.store.accounts.conversation(dm.conv)).toBeNull()
    const cmd = group({ members: ['anna'] as UserId[] })
    expect(await send(r, 'gina', cmd)).toEqual({ id: cmd.id, status: 'accepted' })
    const info = await r.server.hub.read(docName.convMeta(cmd.conv), readConvInfo)
    expect(info).toMatchObject({ byLink: true })
    expect(info?.linkToken).toBe(await r.store.accounts.conversationLink(cmd.conv))
  })

  test('more than the member limit is refused with too-many-members', async () => {
    const r = await relay()
    const who = await r.server.auth.authenticate(await tokenFor(r.url, 'anna'))
    if (who === null) throw new Error('anna is not signed in')
    // The body schema already caps the list, so this goes to the service directly.
    const members = Array.from({ length: Limits.membersPerConversation }, (_, i) => `user-${i}` as UserId)
    const cmd = group({ members })
    expect(await r.server.commands.apply(who, cmd)).toEqual(rejectedWith(Reason.tooManyMembers))
    expect(await r.store.accounts.conversation(cmd.conv)).toBeNull()
  })
})

describe('POST /api/commands: the HTTP contract', () => {
  test('without a valid session it answers 401 and applies nothing', async () => {
    const r = await relay()
    const cmd = group()
    for (const token of [null, 'not-a-token']) {
      const res = await postCommand(r, token, cmd)
      expect(res.status).toBe(401)
      expect(((await res.json()) as ApiError).reason).toBe(Reason.unauthorized)
    }
    expect(await r.store.accounts.conversation(cmd.conv)).toBeNull()
    expect(await r.store.accounts.commandResult(cmd.id)).toBeNull()
  })

  test('a body that is not a valid command answers 400 bad-request with a readable message', async () => {
    const r = await relay()
    const token = await tokenFor(r.url, 'anna')
    const cmd = group()
    const cases: [body: unknown, message: RegExp][] = [
      ['{not json', /JSON/],
      [{ ...cmd, type: 'launchRocket' }, /type/],
      [{ ...cmd, conv: 'has space' }, /conv/],
      [{ ...cmd, kind: 'channel' }, /kind/],
      [{ ...cmd, members: 'marco' }, /members/],
      [{ ...cmd, title: 'x'.repeat(Limits.titleLength + 1) }, /title/],
    ]
    for (const [body, message] of cases) {
      const res = await postCommand(r, token, body)
      expect(res.status).toBe(400)
      const error = (await res.json()) as ApiError
      expect(error.reason).toBe(Reason.badRequest)
      expect(error.message).toMatch(message)
    }
    expect(await r.store.accounts.commandResult(cmd.id)).toBeNull()
    expect(await r.store.accounts.conversation(cmd.conv)).toBeNull()
  })
})
