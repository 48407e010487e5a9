import type * as Y from 'yjs'
import type { ParsedDocName } from '../docNames.ts'
import type { Reason } from '../errors.ts'
import type { Principal } from './access.ts'
import { checkPresenceContent } from './presenceContent.ts'

/** Who wrote an update: a signed-in person (facts from the server), or the relay itself. */
export type Writer = Pick<Principal, 'userId' | 'canModifyPresence'> | 'server'

/** Why an update's content is refused: `invalid-content`, or `forbidden` for a part the writer may not change. */
export interface ContentRefusal {
  reason: Reason
  message: string
}

/**
 * The content-level write gate (after {@link docAccess}): judges what an update changes, on
 * the document before and after it (the relay applies the update to a copy). Null: accepted.
 */
export type ContentCheck = (doc: ParsedDocName, before: Y.Doc, after: Y.Doc, writer: Writer) => ContentRefusal | null

/** The content checks per document kind; a kind without one accepts any content it may write. */
export const contentChecks: { readonly [K in ParsedDocName['kind']]?: ContentCheck } = {
  presence: (doc, before, after, writer) => (doc.kind === 'presence' ? checkPresenceContent(doc.user, before, after, writer) : null),
}

/** The check for `doc`'s kind, if any. */
export function contentCheckFor(doc: ParsedDocName): ContentCheck | undefined {
  return contentChecks[doc.kind]
}
