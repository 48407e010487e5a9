import type { ConvId, Role, UserId, WorkspaceId } from '@waggle/schema'

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

export interface AccountStore {
  createWorkspace(ws: WorkspaceRecord): Promise<void>
  workspaceCount(): Promise<number>

  /** Throws if the email is taken. */
  createUser(user: UserRecord): Promise<void>
  userById(id: UserId): Promise<UserRecord | null>
  userByEmail(email: string): Promise<UserRecord | null>
  usersOf(workspace: WorkspaceId): Promise<UserRecord[]>

  /** Replaces any earlier code for the same email. */
  putCode(code: CodeRecord): Promise<void>
  codeFor(email: string): Promise<CodeRecord | null>
  /** Counts one more failed attempt; resolves with the new count. */
  addCodeAttempt(email: string): Promise<number>
  deleteCode(email: string): Promise<void>

  createSession(session: SessionRecord): Promise<void>
  sessionByTokenHash(tokenHash: string): Promise<SessionRecord | null>
  deleteSession(tokenHash: string): Promise<void>
  /** Removes sessions that expired before `now`; resolves with how many. */
  deleteExpiredSessions(now: number): Promise<number>

  createConversation(conv: ConversationRecord): Promise<void>
  conversation(id: ConvId): Promise<ConversationRecord | null>
  /** Adds or replaces a membership. */
  putConversationMember(member: ConversationMemberRecord): Promise<void>
  removeConversationMember(conv: ConvId, user: UserId): Promise<void>
  conversationMember(conv: ConvId, user: UserId): Promise<ConversationMemberRecord | null>
  conversationMembers(conv: ConvId): Promise<ConversationMemberRecord[]>
  conversationsOf(user: UserId): Promise<ConvId[]>

  close(): Promise<void>
}
