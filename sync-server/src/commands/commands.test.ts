import {
  Limits, Reason, directConvId, docName, guestUserId, inboxEntry, readGuests, newCommandId, newConvId, readConvInfo, readMembers, readSegments,
  type ApiError, type CommandResult, type ConvId, type CreateConversationCommand, type UserId, type WorkspaceId,
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
    // A wrong id is a conflict: the device must start the conversation the pair's id names.
    expect(await send(r, 'lena', direct('lena', 'tom', { conv: 'lena-tom' as ConvId }))).toEqual(rejectedWith(Reason.conflict))
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

describe('POST /api/commands: createConversation with email addresses and guests', () => {
  /** A direct conversation with whoever has `email`, named the way a device does when it is not a colleague's. */
  const directByEmail = (from: string, email: string, over: Partial<CreateConversationCommand> = {}): CreateConversationCommand => ({
    id: newCommandId(), type: 'createConversation', conv: directConvId(from as UserId, guestUserId(email)), kind: 'direct', title: '',
    members: [], emails: [email], ...over,
  })
  const addGuest = (r: Relay, id: string, email: string) => r.store.accounts.createUser({
    id: id as UserId, workspaceId: DEMO_WORKSPACE, email, name: 'Old Guest', role: 'guest', canModifyPresence: false, createdAt: 1,
  })

  test('a direct conversation with a new address makes the guest with the id guestUserId gives, named from the phonebook', async () => {
    const r = await relay()
    // The seeded phonebook has Giulia Conti at this address.
    const cmd = directByEmail('anna', '  Verona@Customer.example.com ')
    const guest = guestUserId('verona@customer.example.com')
    expect(await send(r, 'anna', cmd)).toEqual({ id: cmd.id, status: 'accepted' })
    expect(await r.store.accounts.userById(guest)).toMatchObject({
      email: 'verona@customer.example.com', name: 'Giulia Conti', role: 'guest', workspaceId: DEMO_WORKSPACE,
    })
    expect(await memberIds(r, cmd.conv)).toEqual(['anna', guest].sort())
    expect(await r.store.accounts.conversationMember(cmd.conv, guest)).toMatchObject({ role: 'guest', readOnly: false })
    expect(await inboxEntryOf(r, guest, cmd.conv)).toMatchObject({ kind: 'direct', memberCount: 2 })
    // Listed in the directory, so members' devices show her name.
    const guests = await r.server.hub.read(docName.directory(DEMO_WORKSPACE), readGuests)
    expect(guests.get(guest)).toEqual({ name: 'Giulia Conti', email: 'verona@customer.example.com' })
    // Started again from another device, by id this time: the same conversation.
    expect(await send(r, 'anna', direct('anna', guest))).toMatchObject({ status: 'accepted' })
    expect(await memberIds(r, cmd.conv)).toEqual(['anna', guest].sort())
  })

  test('an address of nobody in the phonebook makes a guest named by the address', async () => {
    const r = await relay()
    const cmd = directByEmail('lena', 'someone@partner.example')
    expect(await send(r, 'lena', cmd)).toMatchObject({ status: 'accepted' })
    expect(await r.store.accounts.userByEmail('someone@partner.example')).toMatchObject({ id: guestUserId('someone@partner.example'), name: 'someone@partner.example' })
  })

  test('a direct conversation by a colleague’s address resolves to the colleague; the id guestUserId gives is a conflict', async () => {
    const r = await relay()
    const wrong = directByEmail('lena', 'tom@example.com')
    const result = await send(r, 'lena', wrong)
    expect(result).toEqual(rejectedWith(Reason.conflict))
    expect(result.status === 'rejected' && result.message).toContain(directConvId('lena' as UserId, 'tom' as UserId))
    // Nothing was made: no guest for a colleague's address, no conversation.
    expect(await r.store.accounts.userById(guestUserId('tom@example.com'))).toBeNull()
    expect(await r.store.accounts.conversation(wrong.conv)).toBeNull()

    const right = directByEmail('lena', 'tom@example.com', { conv: directConvId('lena' as UserId, 'tom' as UserId) })
    expect(await send(r, 'lena', right)).toMatchObject({ status: 'accepted' })
    expect(await memberIds(r, right.conv)).toEqual(['lena', 'tom'])
    expect(await r.store.accounts.conversationMember(right.conv, 'tom' as UserId)).toMatchObject({ role: 'member' })
  })

  test('a guest made before ids were derived keeps its id: the device’s guess is a conflict, and no second guest appears', async () => {
    const r = await relay()
    await addGuest(r, 'g-legacy', 'old@partner.example')
    const cmd = directByEmail('anna', 'old@partner.example')
    expect(await send(r, 'anna', cmd)).toEqual(rejectedWith(Reason.conflict))
    expect(await r.store.accounts.userById(guestUserId('old@partner.example'))).toBeNull()
    const right = directByEmail('anna', 'old@partner.example', { conv: directConvId('anna' as UserId, 'g-legacy' as UserId) })
    expect(await send(r, 'anna', right)).toMatchObject({ status: 'accepted' })
    expect(await memberIds(r, right.conv)).toEqual(['anna', 'g-legacy'])
  })

  test('a direct conversation names exactly one other person, by id or by address', async () => {
    const r = await relay()
    const both = directByEmail('anna', 'x@partner.example', { members: ['marco' as UserId] })
    expect(await send(r, 'anna', both)).toEqual(rejectedWith(Reason.badRequest))
    const two = directByEmail('anna', 'x@partner.example', { emails: ['x@partner.example', 'y@partner.example'] })
    expect(await send(r, 'anna', two)).toEqual(rejectedWith(Reason.badRequest))
    const self = directByEmail('anna', 'anna@example.com')
    expect(await send(r, 'anna', self)).toEqual(rejectedWith(Reason.badRequest))
    // A refused command makes no guest.
    expect(await r.store.accounts.userByEmail('x@partner.example')).toBeNull()
  })

  test('a group’s addresses become members or guests; guests, named by id too, are guest members, read-only in a read-only group', async () => {
    const r = await relay()
    await addGuest(r, 'g-known', 'known@partner.example')
    const cmd = group({ members: ['marco', 'g-known'] as UserId[], emails: ['LENA@example.com', 'new@partner.example'], readOnly: true })
    expect(await send(r, 'anna', cmd)).toEqual({ id: cmd.id, status: 'accepted' })
    const fresh = guestUserId('new@partner.example')
    expect(await memberIds(r, cmd.conv)).toEqual(['anna', 'g-known', 'lena', 'marco', fresh].sort())
    const row = (user: string) => r.store.accounts.conversationMember(cmd.conv, user as UserId)
    expect(await row('anna')).toMatchObject({ role: 'owner', readOnly: false })
    expect(await row('marco')).toMatchObject({ role: 'member', readOnly: false })
    expect(await row('lena')).toMatchObject({ role: 'member', readOnly: false })
    expect(await row('g-known')).toMatchObject({ role: 'guest', readOnly: true })
    expect(await row(fresh)).toMatchObject({ role: 'guest', readOnly: true })
    const listed = await r.server.hub.read(docName.convMeta(cmd.conv), readMembers)
    expect(listed.get('g-known' as UserId)).toMatchObject({ role: 'guest', readOnly: true })
    expect(listed.get(fresh)).toMatchObject({ role: 'guest', readOnly: true })

    // Not read-only: a guest member who writes.
    const open = group({ members: ['g-known'] as UserId[] })
    expect(await send(r, 'anna', open)).toMatchObject({ status: 'accepted' })
    expect(await r.store.accounts.conversationMember(open.conv, 'g-known' as UserId)).toMatchObject({ role: 'guest', readOnly: false })
  })

  test('the member cap counts members, addresses and the sender; an address of another workspace is refused', async () => {
    const r = await relay()
    const who = await r.server.auth.authenticate(await tokenFor(r.url, 'anna'))
    if (who === null) throw new Error('anna is not signed in')
    const half = Limits.membersPerConversation / 2
    const members = Array.from({ length: half }, (_, i) => `user-${i}` as UserId)
    const emails = Array.from({ length: half }, (_, i) => `p${i}@partner.example`)
    const cmd = group({ members, emails })
    expect(await r.server.commands.apply(who, cmd)).toEqual(rejectedWith(Reason.tooManyMembers))
    expect(await r.store.accounts.userByEmail('p0@partner.example')).toBeNull()

    await r.store.accounts.createWorkspace({ id: 'other' as WorkspaceId, name: 'Other', createdAt: 1 })
    await r.store.accounts.createUser({
      id: 'olga' as UserId, workspaceId: 'other' as WorkspaceId, email: 'olga@other.example', name: 'Olga', role: 'member', canModifyPresence: false, createdAt: 1,
    })
    expect(await send(r, 'anna', group({ emails: ['olga@other.example'] }))).toEqual(rejectedWith(Reason.forbidden))
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
      [{ ...cmd, emails: ['not an address'] }, /emails/],
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
