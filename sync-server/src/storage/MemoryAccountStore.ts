import type { CommandId, ConvId, UserId, WorkspaceId } from '@waggle/schema'
import type { AccountStore, CodeRecord, CommandRecord, ConversationMemberRecord, ConversationRecord, SessionRecord, UserRecord, WorkspaceRecord } from './AccountStore.ts'
import { ConstraintError } from './ConstraintError.ts'
import { promised } from './promised.ts'

const copy = <T extends object>(x: T): T => ({ ...x })
const memberKey = (conv: ConvId, user: UserId) => `${conv}\u0000${user}`

function unique(taken: boolean, what: string): void {
  if (taken) throw new ConstraintError('duplicate', `${what}: already exists`)
}
function exists(found: boolean, what: string): void {
  if (!found) throw new ConstraintError('missing-reference', `${what}: refers to a record that does not exist`)
}

/**
 * In-memory {@link AccountStore} for unit tests. Enforces the same uniqueness and reference rules
 * as the SQLite tables, so code tested against it does not fail only in production.
 */
export class MemoryAccountStore implements AccountStore {
  readonly #workspaces = new Map<WorkspaceId, WorkspaceRecord>()
  readonly #users = new Map<UserId, UserRecord>()
  readonly #codes = new Map<string, CodeRecord>()
  readonly #sessions = new Map<string, SessionRecord>()
  readonly #conversations = new Map<ConvId, ConversationRecord>()
  readonly #members = new Map<string, ConversationMemberRecord>()
  readonly #commands = new Map<CommandId, CommandRecord>()
  readonly #links = new Map<ConvId, string>()

  createWorkspace(ws: WorkspaceRecord): Promise<void> {
    return promised(() => {
      unique(this.#workspaces.has(ws.id), `Workspace ${ws.id}`)
      this.#workspaces.set(ws.id, copy(ws))
    })
  }
  workspaceCount(): Promise<number> {
    return Promise.resolve(this.#workspaces.size)
  }

  createUser(user: UserRecord): Promise<void> {
    return promised(() => {
      const what = `User ${user.id} <${user.email}>`
      unique(this.#users.has(user.id) || [...this.#users.values()].some((u) => u.email === user.email), what)
      exists(this.#workspaces.has(user.workspaceId), what)
      this.#users.set(user.id, copy(user))
    })
  }
  userById(id: UserId): Promise<UserRecord | null> {
    const u = this.#users.get(id)
    return Promise.resolve(u ? copy(u) : null)
  }
  userByEmail(email: string): Promise<UserRecord | null> {
    for (const u of this.#users.values()) if (u.email === email) return Promise.resolve(copy(u))
    return Promise.resolve(null)
  }
  usersOf(workspace: WorkspaceId): Promise<UserRecord[]> {
    return Promise.resolve([...this.#users.values()].filter((u) => u.workspaceId === workspace).map(copy))
  }

  putCode(code: CodeRecord): Promise<void> {
    this.#codes.set(code.email, copy(code))
    return Promise.resolve()
  }
  codeFor(email: string): Promise<CodeRecord | null> {
    const c = this.#codes.get(email)
    return Promise.resolve(c ? copy(c) : null)
  }
  addCodeAttempt(email: string): Promise<number> {
    const c = this.#codes.get(email)
    if (!c) return Promise.resolve(0)
    c.attempts += 1
    return Promise.resolve(c.attempts)
  }
  deleteCode(email: string): Promise<boolean> {
    return Promise.resolve(this.#codes.delete(email))
  }

  createSession(session: SessionRecord): Promise<void> {
    return promised(() => {
      const what = `Session of ${session.userId}`
      unique(this.#sessions.has(session.tokenHash), what)
      exists(this.#users.has(session.userId), what)
      this.#sessions.set(session.tokenHash, copy(session))
    })
  }
  sessionByTokenHash(tokenHash: string): Promise<SessionRecord | null> {
    const s = this.#sessions.get(tokenHash)
    return Promise.resolve(s ? copy(s) : null)
  }
  deleteSession(tokenHash: string): Promise<void> {
    this.#sessions.delete(tokenHash)
    return Promise.resolve()
  }
  deleteExpiredSessions(now: number): Promise<number> {
    let n = 0
    for (const [k, s] of this.#sessions) {
      if (s.expiresAt < now) {
        this.#sessions.delete(k)
        n++
      }
    }
    return Promise.resolve(n)
  }

  createConversation(conv: ConversationRecord): Promise<void> {
    return promised(() => {
      const what = `Conversation ${conv.id}`
      unique(this.#conversations.has(conv.id), what)
      exists(this.#workspaces.has(conv.workspaceId) && this.#users.has(conv.createdBy), what)
      this.#conversations.set(conv.id, copy(conv))
    })
  }
  conversation(id: ConvId): Promise<ConversationRecord | null> {
    const c = this.#conversations.get(id)
    return Promise.resolve(c ? copy(c) : null)
  }
  putConversationMember(member: ConversationMemberRecord): Promise<void> {
    return promised(() => {
      exists(this.#conversations.has(member.conv) && this.#users.has(member.user), `Member ${member.user} of ${member.conv}`)
      this.#members.set(memberKey(member.conv, member.user), copy(member))
    })
  }
  removeConversationMember(conv: ConvId, user: UserId): Promise<void> {
    this.#members.delete(memberKey(conv, user))
    return Promise.resolve()
  }
  conversationMember(conv: ConvId, user: UserId): Promise<ConversationMemberRecord | null> {
    const m = this.#members.get(memberKey(conv, user))
    return Promise.resolve(m ? copy(m) : null)
  }
  conversationMembers(conv: ConvId): Promise<ConversationMemberRecord[]> {
    return Promise.resolve([...this.#members.values()].filter((m) => m.conv === conv).map(copy))
  }
  conversationsOf(user: UserId): Promise<ConvId[]> {
    return Promise.resolve([...this.#members.values()].filter((m) => m.user === user).map((m) => m.conv))
  }

  setConversationLink(conv: ConvId, token: string | null): Promise<void> {
    return promised(() => {
      const what = `Link of ${conv}`
      exists(this.#conversations.has(conv), what)
      if (token === null) return void this.#links.delete(conv)
      unique([...this.#links].some(([c, t]) => t === token && c !== conv), what)
      this.#links.set(conv, token)
    })
  }
  conversationLink(conv: ConvId): Promise<string | null> {
    return Promise.resolve(this.#links.get(conv) ?? null)
  }
  conversationByLink(token: string): Promise<ConvId | null> {
    return Promise.resolve([...this.#links].find(([, t]) => t === token)?.[0] ?? null)
  }

  putCommandResult(record: CommandRecord): Promise<void> {
    return promised(() => {
      const what = `Result of command ${record.id}`
      unique(this.#commands.has(record.id), what)
      exists(this.#users.has(record.userId), what)
      this.#commands.set(record.id, structuredClone(record))
    })
  }
  commandResult(id: CommandId): Promise<CommandRecord | null> {
    const r = this.#commands.get(id)
    return Promise.resolve(r ? structuredClone(r) : null)
  }

  close(): Promise<void> {
    return Promise.resolve()
  }
}
