import { Reason, assert, isReason } from '@waggle/schema'
import type { CommandId, ConvId, Role, UserId, WorkspaceId } from '@waggle/schema'
import Database from 'better-sqlite3'
import type { CodeRecord, CommandRecord, ConversationMemberRecord, ConversationRecord, SessionRecord, UserRecord } from './AccountStore.ts'
import { ConstraintError } from './ConstraintError.ts'

/*
 * Rows as SQLite returns them and their mapping to records. The tables are STRICT, so column
 * types hold; enumerations are checked again on the way out because a record's type promises them
 * (ARCHITECTURE: validate data loaded from storage).
 */

export interface WorkspaceRow { id: string; name: string; created_at: number }
export interface UserRow {
  id: string
  workspace_id: string
  email: string
  name: string
  role: string
  can_modify_presence: number
  created_at: number
}
export interface CodeRow { email: string; code_hash: string; salt: string; expires_at: number; attempts: number; created_at: number }
export interface SessionRow { token_hash: string; user_id: string; created_at: number; expires_at: number }
export interface ConversationRow { id: string; workspace_id: string; kind: string; created_by: string; created_at: number }
export interface MemberRow {
  conv: string
  user_id: string
  role: string
  read_only: number
  first_segment: number
  added_at: number
}
export interface CommandResultRow {
  id: string
  user_id: string
  status: string
  reason: string | null
  message: string | null
  /** The conversation an accepted answer names (joinByLink); null otherwise. */
  conv: string | null
  at: number
}

const ROLES: readonly Role[] = ['admin', 'member', 'guest']
const KINDS: readonly ConversationRecord['kind'][] = ['direct', 'group']
const MEMBER_ROLES: readonly ConversationMemberRecord['role'][] = ['owner', 'member', 'guest']

function oneOf<T extends string>(value: string, allowed: readonly T[], what: string): T {
  const found = allowed.find((a) => a === value)
  assert(found !== undefined, Reason.storageFailed, `Stored ${what} ${JSON.stringify(value)} is not one of ${allowed.join(', ')}`)
  return found
}

export const toUser = (r: UserRow): UserRecord => ({
  id: r.id as UserId,
  workspaceId: r.workspace_id as WorkspaceId,
  email: r.email,
  name: r.name,
  role: oneOf(r.role, ROLES, 'users.role'),
  canModifyPresence: r.can_modify_presence === 1,
  createdAt: r.created_at,
})

export const toCode = (r: CodeRow): CodeRecord => ({
  email: r.email,
  codeHash: r.code_hash,
  salt: r.salt,
  expiresAt: r.expires_at,
  attempts: r.attempts,
  createdAt: r.created_at,
})

export const toSession = (r: SessionRow): SessionRecord => ({
  tokenHash: r.token_hash,
  userId: r.user_id as UserId,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
})

export const toConversation = (r: ConversationRow): ConversationRecord => ({
  id: r.id as ConvId,
  workspaceId: r.workspace_id as WorkspaceId,
  kind: oneOf(r.kind, KINDS, 'conversations.kind'),
  createdBy: r.created_by as UserId,
  createdAt: r.created_at,
})

export const toMember = (r: MemberRow): ConversationMemberRecord => ({
  conv: r.conv as ConvId,
  user: r.user_id as UserId,
  role: oneOf(r.role, MEMBER_ROLES, 'conversation_members.role'),
  readOnly: r.read_only === 1,
  firstSegment: r.first_segment,
  addedAt: r.added_at,
})

export const toCommandRecord = (r: CommandResultRow): CommandRecord => {
  const id = r.id as CommandId
  const base = { id, userId: r.user_id as UserId, at: r.at }
  if (oneOf(r.status, ['accepted', 'rejected'] as const, 'command_results.status') === 'accepted') {
    return { ...base, result: r.conv === null ? { id, status: 'accepted' } : { id, status: 'accepted', conv: r.conv as ConvId } }
  }
  const reason = r.reason
  assert(isReason(reason), Reason.storageFailed, `Stored command_results.reason ${JSON.stringify(reason)} is not a reason`)
  return { ...base, result: { id, status: 'rejected', reason, message: r.message ?? '' } }
}

export const fromCommandRecord = (c: CommandRecord): CommandResultRow => ({
  id: c.id,
  user_id: c.userId,
  status: c.result.status,
  reason: c.result.status === 'rejected' ? c.result.reason : null,
  message: c.result.status === 'rejected' ? c.result.message : null,
  conv: c.result.status === 'accepted' ? (c.result.conv ?? null) : null,
  at: c.at,
})

/** Runs a write, turning SQLite's uniqueness and foreign-key failures into a {@link ConstraintError}. */
export function constrained<T>(what: string, write: () => T): T {
  try {
    return write()
  } catch (err) {
    if (err instanceof Database.SqliteError) {
      if (err.code === 'SQLITE_CONSTRAINT_UNIQUE' || err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new ConstraintError('duplicate', `${what}: already exists`, { cause: err })
      }
      if (err.code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
        throw new ConstraintError('missing-reference', `${what}: refers to a record that does not exist`, { cause: err })
      }
    }
    throw err
  }
}
