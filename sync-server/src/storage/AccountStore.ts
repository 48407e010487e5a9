import type { CommandId, CommandResult, ConvId, Role, UserId, WorkspaceId } from '@waggle/schema'

/** Server-authoritative state (ARCHITECTURE §2): never decided by a CRDT merge. */
export interface WorkspaceRecord {
  id: WorkspaceId
  name: string
  createdAt: number
}

export interface UserRecord {
  id: UserId
  workspaceId: WorkspaceId
  /** Lower-case; unique across the installation. */
  email: string
  name: string
  role: Role
  canModifyPresence: boolean
  createdAt: number
}

/** A pending sign-in code; only a salted hash of the code is kept. */
export interface CodeRecord {
  email: string
  codeHash: string
  salt: string
  expiresAt: number
  attempts: number
  createdAt: number
}

/** A signed-in device; only a hash of the bearer token is kept. */
export interface SessionRecord {
  tokenHash: string
  userId: UserId
  createdAt: number
  expiresAt: number
}

export interface ConversationRecord {
  id: ConvId
  workspaceId: WorkspaceId
  kind: 'direct' | 'group'
  createdBy: UserId
  createdAt: number
}

export interface ConversationMemberRecord {
  conv: ConvId
  user: UserId
  role: 'owner' | 'member' | 'guest'
  readOnly: boolean
  /** First message segment this member may read ("hide history"). */
  firstSegment: number
  addedAt: number
}

/** The answer to one command, kept so that every retry of its id gets the same answer. */
export interface CommandRecord {
  id: CommandId
  /** Who sent it: another user reusing the id is refused. */
  userId: UserId
  /** Its `id` is the record's `id`. */
  result: CommandResult
  at: number
}

/**
 * Accounts, sign-in codes, sessions, conversation membership and command results. Writes that would duplicate an
 * id, email or token hash, or point at a workspace, user or conversation that does not exist,
 * reject with a `ConstraintError` (ConstraintError.ts): the same from every implementation.
 */
export interface AccountStore {
  /** Rejects a duplicate id. */
  createWorkspace(ws: WorkspaceRecord): Promise<void>
  workspaceCount(): Promise<number>

  /** Rejects if the email or id is taken, or the workspace does not exist. */
  createUser(user: UserRecord): Promise<void>
  userById(id: UserId): Promise<UserRecord | null>
  userByEmail(email: string): Promise<UserRecord | null>
  usersOf(workspace: WorkspaceId): Promise<UserRecord[]>

  /** Replaces any earlier code for the same email. */
  putCode(code: CodeRecord): Promise<void>
  codeFor(email: string): Promise<CodeRecord | null>
  /** Counts one more failed attempt; resolves with the new count. */
  addCodeAttempt(email: string): Promise<number>
  /** Deletes the code; resolves true only for the one call that removed it (so a code is used once). */
  deleteCode(email: string): Promise<boolean>

  /** Rejects a duplicate token hash or an unknown user. */
  createSession(session: SessionRecord): Promise<void>
  sessionByTokenHash(tokenHash: string): Promise<SessionRecord | null>
  deleteSession(tokenHash: string): Promise<void>
  /** Removes sessions that expired before `now`; resolves with how many. */
  deleteExpiredSessions(now: number): Promise<number>

  /** Rejects a duplicate id, or an unknown workspace or creator. */
  createConversation(conv: ConversationRecord): Promise<void>
  conversation(id: ConvId): Promise<ConversationRecord | null>
  /** Adds or replaces a membership; rejects an unknown conversation or user. */
  putConversationMember(member: ConversationMemberRecord): Promise<void>
  removeConversationMember(conv: ConvId, user: UserId): Promise<void>
  conversationMember(conv: ConvId, user: UserId): Promise<ConversationMemberRecord | null>
  conversationMembers(conv: ConvId): Promise<ConversationMemberRecord[]>
  /** Ids of the conversations `user` is a member of. */
  conversationsOf(user: UserId): Promise<ConvId[]>
  /**
   * Sets (or with null, removes) the conversation's join link token; a conversation has at most
   * one. Rejects a token already used by another conversation or an unknown conversation.
   */
  setConversationLink(conv: ConvId, token: string | null): Promise<void>
  conversationLink(conv: ConvId): Promise<string | null>
  conversationByLink(token: string): Promise<ConvId | null>

  /** Rejects a duplicate id (the command was answered already) or an unknown user. */
  putCommandResult(record: CommandRecord): Promise<void>
  commandResult(id: CommandId): Promise<CommandRecord | null>

  close(): Promise<void>
}
