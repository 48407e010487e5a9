import type { CommandId, ConvId, UserId, WorkspaceId } from '@waggle/schema'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AccountStore, CodeRecord, CommandRecord, ConversationMemberRecord, ConversationRecord, SessionRecord, UserRecord } from './AccountStore.ts'
import type { ConstraintError } from './ConstraintError.ts'

/** What an {@link accountStoreContract} run needs from one implementation. */
export interface AccountStoreFixture {
  accounts: AccountStore
  /** Closes the store and opens it again on the same data; only for durable implementations. */
  reopen?: () => Promise<AccountStore>
  cleanup: () => Promise<void>
}

const ws = 'ws-1' as WorkspaceId
const otherWs = 'ws-2' as WorkspaceId
const alice = 'alice' as UserId
const bob = 'bob' as UserId
const conv = 'conv-1' as ConvId
const otherConv = 'conv-2' as ConvId

const user = (id: UserId, over: Partial<UserRecord> = {}): UserRecord => ({
  id,
  workspaceId: ws,
  email: `${id}@example.com`,
  name: id,
  role: 'member',
  canModifyPresence: false,
  createdAt: 1000,
  ...over,
})
const code = (over: Partial<CodeRecord> = {}): CodeRecord => ({
  email: 'alice@example.com',
  codeHash: 'hash-1',
  salt: 'salt-1',
  expiresAt: 5000,
  attempts: 0,
  createdAt: 1000,
  ...over,
})
const session = (tokenHash: string, expiresAt: number, userId: UserId = alice): SessionRecord => ({ tokenHash, userId, createdAt: 1000, expiresAt })
const conversation = (id: ConvId, over: Partial<ConversationRecord> = {}): ConversationRecord => ({
  id,
  workspaceId: ws,
  kind: 'group',
  createdBy: alice,
  createdAt: 2000,
  ...over,
})
const member = (c: ConvId, u: UserId, over: Partial<ConversationMemberRecord> = {}): ConversationMemberRecord => ({
  conv: c,
  user: u,
  role: 'member',
  readOnly: false,
  firstSegment: 0,
  addedAt: 3000,
  ...over,
})
const accepted = (id: string, over: Partial<CommandRecord> = {}): CommandRecord => ({
  id: id as CommandId,
  userId: alice,
  result: { id: id as CommandId, status: 'accepted' },
  at: 4000,
  ...over,
})
/** An accepted answer that names a conversation (joinByLink's). */
const joined = (id: string): CommandRecord => accepted(id, { result: { id: id as CommandId, status: 'accepted', conv } })
const refused = (id: string, userId: UserId = bob): CommandRecord => ({
  id: id as CommandId,
  userId,
  result: { id: id as CommandId, status: 'rejected', reason: 'not-found', message: 'No user ghost in this workspace' },
  at: 4100,
})

const rejection = (constraint: ConstraintError['constraint']) => expect.objectContaining({ name: 'ConstraintError', constraint }) as unknown
const byConvThenUser = (a: ConversationMemberRecord, b: ConversationMemberRecord) =>
  a.conv.localeCompare(b.conv) || a.user.localeCompare(b.user)

/** The behaviour every {@link AccountStore} must have, run against each implementation. */
/** `durable` implementations also run the reopen tests (their fixture must provide `reopen`). */
export function accountStoreContract(name: string, make: () => Promise<AccountStoreFixture>, durable = false): void {
  const itDurable = durable ? it : () => undefined
  describe(`AccountStore contract: ${name}`, () => {
    let f: AccountStoreFixture
    let a: AccountStore
    beforeEach(async () => {
      f = await make()
      a = f.accounts
      await a.createWorkspace({ id: ws, name: 'Acme', createdAt: 1 })
    })
    afterEach(() => f.cleanup())

    /** Two users in `ws` and one conversation created by alice. */
    async function seed(): Promise<void> {
      await a.createUser(user(alice, { role: 'admin', canModifyPresence: true }))
      await a.createUser(user(bob))
      await a.createConversation(conversation(conv))
    }

    describe('workspaces', () => {
      it('counts workspaces and rejects a duplicate id', async () => {
        expect(await a.workspaceCount()).toBe(1)
        await a.createWorkspace({ id: otherWs, name: 'Other', createdAt: 2 })
        expect(await a.workspaceCount()).toBe(2)
        await expect(a.createWorkspace({ id: ws, name: 'Again', createdAt: 3 })).rejects.toEqual(rejection('duplicate'))
        expect(await a.workspaceCount()).toBe(2)
      })
    })

    describe('users', () => {
      it('finds a created user by id and by email with every field intact', async () => {
        const admin = user(alice, { role: 'admin', canModifyPresence: true, name: 'Alice A.' })
        await a.createUser(admin)
        await a.createUser(user(bob, { role: 'guest' }))
        expect(await a.userById(alice)).toEqual(admin)
        expect(await a.userByEmail('alice@example.com')).toEqual(admin)
        expect(await a.userById(bob)).toEqual(user(bob, { role: 'guest' }))
      })

      it('answers null for an unknown id or email', async () => {
        await a.createUser(user(alice))
        expect(await a.userById('nobody' as UserId)).toBeNull()
        expect(await a.userByEmail('nobody@example.com')).toBeNull()
      })

      it('rejects a taken email or id and keeps the first user', async () => {
        await a.createUser(user(alice))
        await expect(a.createUser(user(bob, { email: 'alice@example.com' }))).rejects.toEqual(rejection('duplicate'))
        await expect(a.createUser(user(alice, { email: 'other@example.com' }))).rejects.toEqual(rejection('duplicate'))
        expect(await a.userById(bob)).toBeNull()
        expect(await a.userByEmail('other@example.com')).toBeNull()
        expect(await a.userByEmail('alice@example.com')).toEqual(user(alice))
      })

      it('rejects a user of a workspace that does not exist', async () => {
        await expect(a.createUser(user(alice, { workspaceId: otherWs }))).rejects.toEqual(rejection('missing-reference'))
        expect(await a.userById(alice)).toBeNull()
      })

      it('lists the users of one workspace only', async () => {
        await a.createWorkspace({ id: otherWs, name: 'Other', createdAt: 2 })
        await a.createUser(user(alice))
        await a.createUser(user(bob))
        await a.createUser(user('carol' as UserId, { workspaceId: otherWs }))
        const ids = (await a.usersOf(ws)).map((u) => u.id).sort()
        expect(ids).toEqual([alice, bob])
        expect(await a.usersOf(otherWs)).toEqual([user('carol' as UserId, { workspaceId: otherWs })])
        expect(await a.usersOf('ws-none' as WorkspaceId)).toEqual([])
      })

      it('hands out copies that do not change the stored user', async () => {
        await a.createUser(user(alice))
        const got = await a.userById(alice)
        if (got) got.name = 'Mallory'
        expect((await a.userById(alice))?.name).toBe(alice)
      })
    })

    describe('sign-in codes', () => {
      it('stores a code and replaces it, attempts included, when a new one is put', async () => {
        await a.putCode(code({ attempts: 2 }))
        expect(await a.codeFor('alice@example.com')).toEqual(code({ attempts: 2 }))
        const fresh = code({ codeHash: 'hash-2', salt: 'salt-2', expiresAt: 9000, createdAt: 4000 })
        await a.putCode(fresh)
        expect(await a.codeFor('alice@example.com')).toEqual(fresh)
      })

      it('counts failed attempts one at a time and remembers the count', async () => {
        await a.putCode(code())
        expect(await a.addCodeAttempt('alice@example.com')).toBe(1)
        expect(await a.addCodeAttempt('alice@example.com')).toBe(2)
        expect((await a.codeFor('alice@example.com'))?.attempts).toBe(2)
      })

      it('answers 0 attempts for an email without a code and does not create one', async () => {
        expect(await a.addCodeAttempt('nobody@example.com')).toBe(0)
        expect(await a.codeFor('nobody@example.com')).toBeNull()
      })

      it('deletes a code and leaves other emails’ codes alone', async () => {
        await a.putCode(code())
        await a.putCode(code({ email: 'bob@example.com' }))
        await a.deleteCode('alice@example.com')
        expect(await a.codeFor('alice@example.com')).toBeNull()
        expect(await a.codeFor('bob@example.com')).toEqual(code({ email: 'bob@example.com' }))
      })
    })

    describe('sessions', () => {
      it('finds a session by token hash until it is deleted', async () => {
        await seed()
        await a.createSession(session('t1', 9000))
        expect(await a.sessionByTokenHash('t1')).toEqual(session('t1', 9000))
        expect(await a.sessionByTokenHash('t2')).toBeNull()
        await a.deleteSession('t1')
        expect(await a.sessionByTokenHash('t1')).toBeNull()
      })

      it('rejects a duplicate token hash and a session of an unknown user', async () => {
        await seed()
        await a.createSession(session('t1', 9000))
        await expect(a.createSession(session('t1', 9999, bob))).rejects.toEqual(rejection('duplicate'))
        await expect(a.createSession(session('t2', 9000, 'ghost' as UserId))).rejects.toEqual(rejection('missing-reference'))
        expect(await a.sessionByTokenHash('t1')).toEqual(session('t1', 9000))
        expect(await a.sessionByTokenHash('t2')).toBeNull()
      })

      it('deletes only sessions that expired before now and says how many', async () => {
        await seed()
        await a.createSession(session('old', 100))
        await a.createSession(session('older', 50, bob))
        await a.createSession(session('edge', 500))
        await a.createSession(session('live', 900))
        expect(await a.deleteExpiredSessions(500)).toBe(2)
        expect(await a.sessionByTokenHash('old')).toBeNull()
        expect(await a.sessionByTokenHash('older')).toBeNull()
        expect(await a.sessionByTokenHash('edge')).toEqual(session('edge', 500))
        expect(await a.sessionByTokenHash('live')).toEqual(session('live', 900))
        expect(await a.deleteExpiredSessions(500)).toBe(0)
      })
    })

    describe('conversations', () => {
      it('stores a conversation and rejects a duplicate id', async () => {
        await seed()
        expect(await a.conversation(conv)).toEqual(conversation(conv))
        expect(await a.conversation(otherConv)).toBeNull()
        await expect(a.createConversation(conversation(conv, { kind: 'direct' }))).rejects.toEqual(rejection('duplicate'))
        expect((await a.conversation(conv))?.kind).toBe('group')
      })

      it('rejects a conversation whose workspace or creator does not exist', async () => {
        await seed()
        await expect(a.createConversation(conversation(otherConv, { workspaceId: otherWs }))).rejects.toEqual(rejection('missing-reference'))
        await expect(a.createConversation(conversation(otherConv, { createdBy: 'ghost' as UserId }))).rejects.toEqual(rejection('missing-reference'))
        expect(await a.conversation(otherConv)).toBeNull()
      })

      it('adds a member, replaces the membership on a second put and removes it', async () => {
        await seed()
        await a.putConversationMember(member(conv, bob))
        expect(await a.conversationMember(conv, bob)).toEqual(member(conv, bob))
        const demoted = member(conv, bob, { role: 'guest', readOnly: true, firstSegment: 4, addedAt: 3500 })
        await a.putConversationMember(demoted)
        expect(await a.conversationMember(conv, bob)).toEqual(demoted)
        expect(await a.conversationMembers(conv)).toEqual([demoted])
        await a.removeConversationMember(conv, bob)
        expect(await a.conversationMember(conv, bob)).toBeNull()
        expect(await a.conversationMembers(conv)).toEqual([])
      })

      it('lists the members of a conversation and the conversations of a user', async () => {
        await seed()
        await a.createConversation(conversation(otherConv, { kind: 'direct' }))
        const owner = member(conv, alice, { role: 'owner' })
        await a.putConversationMember(owner)
        await a.putConversationMember(member(conv, bob))
        await a.putConversationMember(member(otherConv, alice))
        expect((await a.conversationMembers(conv)).sort(byConvThenUser)).toEqual([owner, member(conv, bob)])
        expect((await a.conversationsOf(alice)).sort()).toEqual([conv, otherConv])
        expect(await a.conversationsOf(bob)).toEqual([conv])
        await a.removeConversationMember(otherConv, alice)
        expect(await a.conversationsOf(alice)).toEqual([conv])
        expect(await a.conversationsOf('ghost' as UserId)).toEqual([])
      })

      it('rejects a membership in an unknown conversation or for an unknown user', async () => {
        await seed()
        await expect(a.putConversationMember(member(otherConv, bob))).rejects.toEqual(rejection('missing-reference'))
        await expect(a.putConversationMember(member(conv, 'ghost' as UserId))).rejects.toEqual(rejection('missing-reference'))
        expect(await a.conversationMembers(conv)).toEqual([])
        expect(await a.conversationsOf(bob)).toEqual([])
      })
    })

    describe('conversation links', () => {
      it('keeps one token per conversation, finds the conversation by it, and forgets it when removed', async () => {
        await seed()
        await a.createConversation(conversation(otherConv))
        await a.setConversationLink(conv, 'tok-1')
        expect(await a.conversationLink(conv)).toBe('tok-1')
        expect(await a.conversationByLink('tok-1')).toBe(conv)
        await expect(a.setConversationLink(otherConv, 'tok-1')).rejects.toEqual(rejection('duplicate'))
        await a.setConversationLink(conv, 'tok-2')
        expect(await a.conversationByLink('tok-1')).toBeNull()
        await a.setConversationLink(conv, null)
        expect(await a.conversationLink(conv)).toBeNull()
        expect(await a.conversationByLink('tok-2')).toBeNull()
      })
    })

    describe('command results', () => {
      it('keeps accepted and rejected results with every field intact', async () => {
        await seed()
        await a.putCommandResult(accepted('cmd-1'))
        await a.putCommandResult(refused('cmd-2'))
        await a.putCommandResult(joined('cmd-4'))
        expect(await a.commandResult('cmd-1' as CommandId)).toEqual(accepted('cmd-1'))
        expect(await a.commandResult('cmd-2' as CommandId)).toEqual(refused('cmd-2'))
        expect(await a.commandResult('cmd-3' as CommandId)).toBeNull()
        // An accepted joinByLink names its conversation; a retry must get that too.
        expect(await a.commandResult('cmd-4' as CommandId)).toEqual(joined('cmd-4'))
      })

      it('rejects a second result for the same id, from anyone, and keeps the first', async () => {
        await seed()
        await a.putCommandResult(accepted('cmd-1'))
        await expect(a.putCommandResult(refused('cmd-1', alice))).rejects.toEqual(rejection('duplicate'))
        await expect(a.putCommandResult(refused('cmd-1', bob))).rejects.toEqual(rejection('duplicate'))
        expect(await a.commandResult('cmd-1' as CommandId)).toEqual(accepted('cmd-1'))
      })

      it('rejects a result for an unknown user', async () => {
        await seed()
        await expect(a.putCommandResult(accepted('cmd-1', { userId: 'ghost' as UserId }))).rejects.toEqual(rejection('missing-reference'))
        expect(await a.commandResult('cmd-1' as CommandId)).toBeNull()
      })

      it('hands out copies that do not change the stored result', async () => {
        await seed()
        await a.putCommandResult(refused('cmd-1'))
        const got = await a.commandResult('cmd-1' as CommandId)
        if (got?.result.status === 'rejected') got.result.message = 'changed'
        expect(await a.commandResult('cmd-1' as CommandId)).toEqual(refused('cmd-1'))
      })
    })

    itDurable('keeps every record across a reopen', async () => {
      if (!f.reopen) throw new Error('a durable implementation must provide reopen')
      await seed()
      await a.putCode(code({ attempts: 1 }))
      await a.createSession(session('t1', 9000))
      await a.putConversationMember(member(conv, bob, { readOnly: true }))
      await a.putCommandResult(accepted('cmd-1'))
      await a.putCommandResult(refused('cmd-2'))
      await a.putCommandResult(joined('cmd-4'))

      a = await f.reopen()
      expect(await a.workspaceCount()).toBe(1)
      expect(await a.userByEmail('alice@example.com')).toEqual(user(alice, { role: 'admin', canModifyPresence: true }))
      expect(await a.codeFor('alice@example.com')).toEqual(code({ attempts: 1 }))
      expect(await a.sessionByTokenHash('t1')).toEqual(session('t1', 9000))
      expect(await a.conversation(conv)).toEqual(conversation(conv))
      expect(await a.conversationMember(conv, bob)).toEqual(member(conv, bob, { readOnly: true }))
      expect(await a.conversationsOf(bob)).toEqual([conv])
      expect(await a.commandResult('cmd-1' as CommandId)).toEqual(accepted('cmd-1'))
      expect(await a.commandResult('cmd-2' as CommandId)).toEqual(refused('cmd-2'))
      expect(await a.commandResult('cmd-4' as CommandId)).toEqual(joined('cmd-4'))
    })

    it('closes without error', async () => {
      await expect(a.close()).resolves.toBeUndefined()
    })
  })
}
