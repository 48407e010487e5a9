import type { ParsedDocName } from '../docNames.ts'
import type { UserId, WorkspaceId } from '../ids.ts'
import { assertNever } from '../errors.ts'

/** What a session may do with one document. */
export type Access = 'none' | 'read' | 'write'

export type Role = 'admin' | 'member' | 'guest'

/** An authenticated person: facts from the server's account tables, never from the client. */
export interface Principal {
  userId: UserId
  workspaceId: WorkspaceId
  role: Role
  /** Holder of the "can modify presence" permission (presence ACL). */
  canModifyPresence: boolean
}

/** Server-authoritative facts about the document's subject that the decision needs. */
export interface AccessFacts {
  /** For `user/{u}/…`: whether user u belongs to the principal's workspace. */
  subjectInWorkspace?: boolean
  /** For `conv/{c}/…`: the principal's membership, or null when not a member. */
  conversationMember?: { readOnly: boolean; firstSegment: number } | null
}

/**
 * Per-document read/write scopes (ARCHITECTURE §3). Pure: the relay gathers `facts` from
 * its tables and asks here; the content-level write gate checks what an update may change.
 */
export function docAccess(doc: ParsedDocName, who: Principal, facts: AccessFacts): Access {
  switch (doc.kind) {
    case 'directory':
      if (doc.workspace !== who.workspaceId) return 'none'
      return who.role === 'admin' ? 'write' : 'read'
    case 'live':
      return doc.workspace === who.workspaceId && who.role !== 'guest' ? 'read' : 'none'
    case 'private':
      return doc.user === who.userId ? 'write' : 'none'
    case 'calls':
    case 'inbox':
      return doc.user === who.userId ? 'read' : 'none'
    case 'presence':
      if (doc.user === who.userId) return 'write'
      if (facts.subjectInWorkspace !== true) return 'none'
      return who.canModifyPresence ? 'write' : 'read'
    case 'convMeta':
      return facts.conversationMember ? 'read' : 'none'
    case 'receipts':
      // Every member, read-only ones too, tells the others how far they have read.
      return facts.conversationMember ? 'write' : 'none'
    case 'segment': {
      const m = facts.conversationMember
      if (!m || doc.segment < m.firstSegment) return 'none'
      return m.readOnly ? 'read' : 'write'
    }
    case 'reactions': {
      // Read-only members still react (reference: read-only conversations).
      const m = facts.conversationMember
      return m && doc.segment >= m.firstSegment ? 'write' : 'none'
    }
    default:
      return assertNever(doc, 'document kind')
  }
}

export const canRead = (a: Access): boolean => a !== 'none'
export const canWrite = (a: Access): boolean => a === 'write'
