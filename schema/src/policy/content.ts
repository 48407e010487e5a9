import type * as Y from 'yjs'
import type { ParsedDocName } from '../docNames.ts'
import type { Reason } from '../errors.ts'
import { PresenceLayout } from '../doc/presence.ts'
import type { Principal } from './access.ts'
import { checkLayout, type Changes, type Layout } from './changes.ts'
import { checkConvMetaContent, checkDirectoryContent, checkPrivateContent, checkServerOnly } from './layoutContent.ts'
import { checkPresenceContent } from './presenceContent.ts'
import { checkReactionsContent } from './reactionsContent.ts'
import { checkReceiptsContent } from './receiptsContent.ts'
import { checkSegmentContent } from './segmentContent.ts'

/** Who wrote an update: a signed-in person (facts from the server), or the relay itself. */
export type Writer = Pick<Principal, 'userId' | 'canModifyPresence'> | 'server'

/** Why an update's content is refused: `invalid-content`, or `forbidden` for a part the writer may not change. */
export interface ContentRefusal {
  reason: Reason
  message: string
}

/**
 * The content-level write gate (after {@link docAccess}): judges what an update changes, on
 * the document before and after it (the relay applies the update to a shadow copy it keeps),
 * looking only at what `changes` names (see {@link collectChanges}). Null: accepted.
 * A check must only read `before` and `after`.
 */
export type ContentCheck = (doc: ParsedDocName, before: Y.Doc, after: Y.Doc, writer: Writer, changes: Changes) => ContentRefusal | null

const PresenceDocLayout: Layout = { [PresenceLayout.array]: 'array' }

/**
 * The content checks per document kind (issue 7, ARCHITECTURE §3 "The write gate"):
 * - segment: own messages only, valid, no system lines ({@link checkSegmentContent});
 * - reactions: own reactions only ({@link checkReactionsContent});
 * - receipts: own entry only ({@link checkReceiptsContent});
 * - presence: status rules ({@link checkPresenceContent});
 * - directory: admins (by access) write valid entries of the layout ({@link checkDirectoryContent});
 * - convMeta: the relay only; changes go through commands ({@link checkConvMetaContent});
 * - private: the owner (by access), within the layout ({@link checkPrivateContent});
 * - inbox, calls, live: the relay only.
 * Every check refuses root types outside the kind's layout and nested shared types.
 */
export const contentChecks: { readonly [K in ParsedDocName['kind']]: ContentCheck } = {
  segment: (_doc, before, after, writer, changes) => checkSegmentContent(before, after, writer, changes),
  reactions: (_doc, before, after, writer, changes) => checkReactionsContent(before, after, writer, changes),
  receipts: (_doc, before, after, writer, changes) => checkReceiptsContent(before, after, writer, changes),
  presence: (doc, before, after, writer, changes) =>
    checkLayout(PresenceDocLayout, changes, 'A presence document') ?? (doc.kind === 'presence' ? checkPresenceContent(doc.user, before, after, writer) : null),
  directory: (_doc, before, after, writer, changes) => checkDirectoryContent(before, after, writer, changes),
  convMeta: (_doc, before, after, writer, changes) => checkConvMetaContent(before, after, writer, changes),
  private: (_doc, before, after, writer, changes) => checkPrivateContent(before, after, writer, changes),
  inbox: (_doc, before, after, writer) => checkServerOnly(before, after, writer),
  calls: (_doc, before, after, writer) => checkServerOnly(before, after, writer),
  live: (_doc, before, after, writer) => checkServerOnly(before, after, writer),
}

/** The check for `doc`'s kind. */
export function contentCheckFor(doc: ParsedDocName): ContentCheck | undefined {
  return contentChecks[doc.kind]
}
