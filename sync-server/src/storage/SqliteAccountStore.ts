import type { CommandId, ConvId, UserId, WorkspaceId } from '@waggle/schema'
import type { AccountStore, CodeRecord, CommandRecord, ConversationMemberRecord, ConversationRecord, SessionRecord, UserRecord, WorkspaceRecord } from './AccountStore.ts'
import { promised } from './promised.ts'
import type { SqliteDatabase } from './sqlite.ts'
import {
  constrained,
  fromCommandRecord,
  toCode,
  toCommandRecord,
  toConversation,
  toMember,
  toSession,
  toUser,
  type CodeRow,
  type CommandResultRow,
  type ConversationRow,
  type MemberRow,
  type SessionRow,
  type UserRow,
  type WorkspaceRow,
} from './sqliteAccountRows.ts'

const USER = 'SELECT id, workspace_id, email, name, role, can_modify_presence, created_at FROM users'
const CODE = 'SELECT email, code_hash, salt, expires_at, attempts, created_at FROM auth_codes'
const SESSION = 'SELECT token_hash, user_id, created_at, expires_at FROM sessions'
const CONVERSATION = 'SELECT id, workspace_id, kind, created_by, created_at FROM conversations'
const COMMAND = 'SELECT id, user_id, status, reason, message, conv, at FROM command_results'
const MEMBER = 'SELECT conv, user_id, role, read_only, first_segment, added_at FROM conversation_members'

/** Prepares every statement once; `prepare` also checks the SQL against the schema at startup. */
function statements(db: SqliteDatabase) {
  return {
    insertWorkspace: db.prepare<[WorkspaceRow]>('INSERT INTO workspaces (id, name, created_at) VALUES (@id, @name, @created_at)'),
    workspaceCount: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM workspaces'),
    insertUser: db.prepare<[UserRow]>(
      `INSERT INTO users (id, workspace_id, email, name, role, can_modify_presence, created_at)
       VALUES (@id, @workspace_id, @email, @name, @role, @can_modify_presence, @created_at)`,
    ),
    userById: db.prepare<[string], UserRow>(`${USER} WHERE id = ?`),
    userByEmail: db.prepare<[string], UserRow>(`${USER} WHERE email = ?`),
    usersOf: db.prepare<[string], UserRow>(`${USER} WHERE workspace_id = ? ORDER BY created_at, id`),
    putCode: db.prepare<[CodeRow]>(
      `INSERT OR REPLACE INTO auth_codes (email, code_hash, salt, expires_at, attempts, created_at)
       VALUES (@email, @code_hash, @salt, @expires_at, @attempts, @created_at)`,
    ),
    code: db.prepare<[string], CodeRow>(`${CODE} WHERE email = ?`),
    addAttempt: db.prepare<[string], { attempts: number }>('UPDATE auth_codes SET attempts = attempts + 1 WHERE email = ? RETURNING attempts'),
    deleteCode: db.prepare<[string]>('DELETE FROM auth_codes WHERE email = ?'),
    insertSession: db.prepare<[SessionRow]>(
      'INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (@token_hash, @user_id, @created_at, @expires_at)',
    ),
    session: db.prepare<[string], SessionRow>(`${SESSION} WHERE token_hash = ?`),
    deleteSession: db.prepare<[string]>('DELETE FROM sessions WHERE token_hash = ?'),
    deleteExpired: db.prepare<[number]>('DELETE FROM sessions WHERE expires_at < ?'),
    insertConversation: db.prepare<[ConversationRow]>(
      `INSERT INTO conversations (id, workspace_id, kind, created_by, created_at)
       VALUES (@id, @workspace_id, @kind, @created_by, @created_at)`,
    ),
    conversation: db.prepare<[string], ConversationRow>(`${CONVERSATION} WHERE id = ?`),
    putMember: db.prepare<[MemberRow]>(
      `INSERT OR REPLACE INTO conversation_members (conv, user_id, role, read_only, first_segment, added_at)
       VALUES (@conv, @user_id, @role, @read_only, @first_segment, @added_at)`,
    ),
    deleteMember: db.prepare<[string, string]>('DELETE FROM conversation_members WHERE conv = ? AND user_id = ?'),
    member: db.prepare<[string, string], MemberRow>(`${MEMBER} WHERE conv = ? AND user_id = ?`),
    members: db.prepare<[string], MemberRow>(`${MEMBER} WHERE conv = ? ORDER BY added_at, user_id`),
    convsOf: db.prepare<[string], { conv: string }>('SELECT conv FROM conversation_members WHERE user_id = ? ORDER BY conv'),
    // Not INSERT OR REPLACE: that would delete another conversation's row holding the same token.
    putLink: db.prepare<[string, string]>('INSERT INTO conversation_links (conv, token) VALUES (?, ?) ON CONFLICT (conv) DO UPDATE SET token = excluded.token'),
    deleteLink: db.prepare<[string]>('DELETE FROM conversation_links WHERE conv = ?'),
    linkOf: db.prepare<[string], { token: string }>('SELECT token FROM conversation_links WHERE conv = ?'),
    convByLink: db.prepare<[string], { conv: string }>('SELECT conv FROM conversation_links WHERE token = ?'),
    insertCommand: db.prepare<[CommandResultRow]>(
      `INSERT INTO command_results (id, user_id, status, reason, message, conv, at)
       VALUES (@id, @user_id, @status, @reason, @message, @conv, @at)`,
    ),
    command: db.prepare<[string], CommandResultRow>(`${COMMAND} WHERE id = ?`),
  }
}

/**
 * {@link AccountStore} in the SQLite tables made by {@link openSqlite}. Uniqueness and reference
 * rules are the database's own (UNIQUE, PRIMARY KEY, FOREIGN KEY) and surface as
 * {@link ConstraintError}. Like {@link SqlitePersistence}, it shares a connection it does not own:
 * `close()` leaves it open for {@link SqliteStore} to close.
 */
export class SqliteAccountStore implements AccountStore {
  readonly #q: ReturnType<typeof statements>

  constructor(db: SqliteDatabase) {
    this.#q = statements(db)
  }

  createWorkspace(ws: WorkspaceRecord): Promise<void> {
    return this.#write(`Workspace ${ws.id}`, () => this.#q.insertWorkspace.run({ id: ws.id, name: ws.name, created_at: ws.createdAt }))
  }
  workspaceCount(): Promise<number> {
    return promised(() => this.#q.workspaceCount.get()?.n ?? 0)
  }

  createUser(user: UserRecord): Promise<void> {
    return this.#write(`User ${user.id} <${user.email}>`, () =>
      this.#q.insertUser.run({
        id: user.id,
        workspace_id: user.workspaceId,
        email: user.email,
        name: user.name,
        role: user.role,
        can_modify_presence: user.canModifyPresence ? 1 : 0,
        created_at: user.createdAt,
      }),
    )
  }
  userById(id: UserId): Promise<UserRecord | null> {
    return promised(() => nullable(this.#q.userById.get(id), toUser))
  }
  userByEmail(email: string): Promise<UserRecord | null> {
    return promised(() => nullable(this.#q.userByEmail.get(email), toUser))
  }
  usersOf(workspace: WorkspaceId): Promise<UserRecord[]> {
    return promised(() => this.#q.usersOf.all(workspace).map(toUser))
  }

  putCode(code: CodeRecord): Promise<void> {
    return this.#write(`Code for ${code.email}`, () =>
      this.#q.putCode.run({
        email: code.email,
        code_hash: code.codeHash,
        salt: code.salt,
        expires_at: code.expiresAt,
        attempts: code.attempts,
        created_at: code.createdAt,
      }),
    )
  }
  codeFor(email: string): Promise<CodeRecord | null> {
    return promised(() => nullable(this.#q.code.get(email), toCode))
  }
  addCodeAttempt(email: string): Promise<number> {
    return promised(() => this.#q.addAttempt.get(email)?.attempts ?? 0)
  }
  deleteCode(email: string): Promise<boolean> {
    return promised(() => this.#q.deleteCode.run(email).changes > 0)
  }

  createSession(s: SessionRecord): Promise<void> {
    return this.#write(`Session of ${s.userId}`, () =>
      this.#q.insertSession.run({ token_hash: s.tokenHash, user_id: s.userId, created_at: s.createdAt, expires_at: s.expiresAt }),
    )
  }
  sessionByTokenHash(tokenHash: string): Promise<SessionRecord | null> {
    return promised(() => nullable(this.#q.session.get(tokenHash), toSession))
  }
  deleteSession(tokenHash: string): Promise<void> {
    return this.#write('Session', () => this.#q.deleteSession.run(tokenHash))
  }
  deleteExpiredSessions(now: number): Promise<number> {
    return promised(() => this.#q.deleteExpired.run(now).changes)
  }

  createConversation(c: ConversationRecord): Promise<void> {
    return this.#write(`Conversation ${c.id}`, () =>
      this.#q.insertConversation.run({ id: c.id, workspace_id: c.workspaceId, kind: c.kind, created_by: c.createdBy, created_at: c.createdAt }),
    )
  }
  conversation(id: ConvId): Promise<ConversationRecord | null> {
    return promised(() => nullable(this.#q.conversation.get(id), toConversation))
  }
  putConversationMember(m: ConversationMemberRecord): Promise<void> {
    return this.#write(`Member ${m.user} of ${m.conv}`, () =>
      this.#q.putMember.run({
        conv: m.conv,
        user_id: m.user,
        role: m.role,
        read_only: m.readOnly ? 1 : 0,
        first_segment: m.firstSegment,
        added_at: m.addedAt,
      }),
    )
  }
  removeConversationMember(conv: ConvId, user: UserId): Promise<void> {
    return this.#write(`Member ${user} of ${conv}`, () => this.#q.deleteMember.run(conv, user))
  }
  conversationMember(conv: ConvId, user: UserId): Promise<ConversationMemberRecord | null> {
    return promised(() => nullable(this.#q.member.get(conv, user), toMember))
  }
  conversationMembers(conv: ConvId): Promise<ConversationMemberRecord[]> {
    return promised(() => this.#q.members.all(conv).map(toMember))
  }
  conversationsOf(user: UserId): Promise<ConvId[]> {
    return promised(() => this.#q.convsOf.all(user).map((r) => r.conv as ConvId))
  }

  setConversationLink(conv: ConvId, token: string | null): Promise<void> {
    return this.#write(`Link of ${conv}`, () => (token === null ? this.#q.deleteLink.run(conv) : this.#q.putLink.run(conv, token)))
  }
  conversationLink(conv: ConvId): Promise<string | null> {
    return promised(() => this.#q.linkOf.get(conv)?.token ?? null)
  }
  conversationByLink(token: string): Promise<ConvId | null> {
    return promised(() => (this.#q.convByLink.get(token)?.conv as ConvId | undefined) ?? null)
  }

  putCommandResult(record: CommandRecord): Promise<void> {
    return this.#write(`Result of command ${record.id}`, () => this.#q.insertCommand.run(fromCommandRecord(record)))
  }
  commandResult(id: CommandId): Promise<CommandRecord | null> {
    return promised(() => nullable(this.#q.command.get(id), toCommandRecord))
  }

  /** Does nothing: the shared connection is closed by its owner ({@link SqliteStore.close}). */
  close(): Promise<void> {
    return Promise.resolve()
  }

  #write(what: string, write: () => unknown): Promise<void> {
    return promised(() => {
      constrained(what, write)
    })
  }
}

function nullable<R, T>(row: R | undefined, map: (r: R) => T): T | null {
  return row === undefined ? null : map(row)
}
