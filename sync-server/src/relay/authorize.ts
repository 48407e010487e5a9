import { docAccess, parseDocName, type Access, type AccessFacts, type DocName, type Principal } from '@waggle/schema'
import type { AccountStore } from '../storage/AccountStore.ts'

/**
 * Gathers the server-authoritative facts a document's scope depends on and asks the policy
 * in `schema`. Called on every subscribe and every write, so membership changes apply at once.
 */
export async function accessFor(accounts: AccountStore, who: Principal, name: DocName): Promise<Access> {
  const doc = parseDocName(name)
  if (doc === null) return 'none'
  const facts: AccessFacts = {}
  switch (doc.kind) {
    case 'private':
    case 'presence':
    case 'calls':
    case 'inbox': {
      const subject = doc.user === who.userId ? null : await accounts.userById(doc.user)
      facts.subjectInWorkspace = doc.user === who.userId || subject?.workspaceId === who.workspaceId
      break
    }
    case 'convMeta':
    case 'receipts':
    case 'segment':
    case 'reactions': {
      const m = await accounts.conversationMember(doc.conv, who.userId)
      facts.conversationMember = m && { readOnly: m.readOnly, firstSegment: m.firstSegment }
      break
    }
    case 'directory':
    case 'live':
      break
  }
  return docAccess(doc, who, facts)
}
