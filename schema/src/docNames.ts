import { ID_PATTERN, type ConvId, type UserId, type WorkspaceId } from './ids.ts'

/**
 * Document names (ARCHITECTURE section 3). One document is one permission scope, so the name
 * alone tells the relay who may read and write it.
 */
export type DocName = string & { readonly __docName: true }

export type ParsedDocName =
  | { kind: 'directory'; workspace: WorkspaceId }
  | { kind: 'live'; workspace: WorkspaceId }
  | { kind: 'private'; user: UserId }
  | { kind: 'presence'; user: UserId }
  | { kind: 'calls'; user: UserId }
  | { kind: 'inbox'; user: UserId }
  | { kind: 'convMeta'; conv: ConvId }
  | { kind: 'receipts'; conv: ConvId }
  | { kind: 'segment'; conv: ConvId; segment: number }
  | { kind: 'reactions'; conv: ConvId; segment: number }

export type DocKind = ParsedDocName['kind']

export const MAX_DOC_NAME_LENGTH = 160
/** Segments are numbered from 0; the bound only keeps names short and parsing trivial. */
export const MAX_SEGMENT = 999_999

export const docName = {
  directory: (workspace: WorkspaceId) => `ws/${workspace}/directory` as DocName,
  live: (workspace: WorkspaceId) => `ws/${workspace}/live` as DocName,
  private: (user: UserId) => `user/${user}/private` as DocName,
  presence: (user: UserId) => `user/${user}/presence` as DocName,
  calls: (user: UserId) => `user/${user}/calls` as DocName,
  /** The server's projection of the user's conversations (one summary each), read-only. */
  inbox: (user: UserId) => `user/${user}/inbox` as DocName,
  convMeta: (conv: ConvId) => `conv/${conv}/meta` as DocName,
  /** Each member's read position, so others see read receipts. */
  receipts: (conv: ConvId) => `conv/${conv}/receipts` as DocName,
  segment: (conv: ConvId, segment: number) => `conv/${conv}/seg/${segment}` as DocName,
  reactions: (conv: ConvId, segment: number) => `conv/${conv}/seg/${segment}/reactions` as DocName,
}

function segmentNumber(s: string | undefined): number | null {
  if (s === undefined || !/^(0|[1-9][0-9]{0,5})$/.test(s)) return null
  const n = Number(s)
  return n <= MAX_SEGMENT ? n : null
}

/** Parses a document name; `null` for anything that is not exactly one of the known layouts. */
export function parseDocName(name: string): ParsedDocName | null {
  if (name.length === 0 || name.length > MAX_DOC_NAME_LENGTH) return null
  const parts = name.split('/')
  const [scope, id, what, seg, extra] = parts
  if (id === undefined || !ID_PATTERN.test(id)) return null
  if (scope === 'ws' && parts.length === 3) {
    if (what === 'directory') return { kind: 'directory', workspace: id as WorkspaceId }
    if (what === 'live') return { kind: 'live', workspace: id as WorkspaceId }
  }
  if (scope === 'user' && parts.length === 3) {
    if (what === 'private') return { kind: 'private', user: id as UserId }
    if (what === 'presence') return { kind: 'presence', user: id as UserId }
    if (what === 'calls') return { kind: 'calls', user: id as UserId }
    if (what === 'inbox') return { kind: 'inbox', user: id as UserId }
  }
  if (scope === 'conv') {
    if (parts.length === 3 && what === 'meta') return { kind: 'convMeta', conv: id as ConvId }
    if (parts.length === 3 && what === 'receipts') return { kind: 'receipts', conv: id as ConvId }
    const n = what === 'seg' ? segmentNumber(seg) : null
    if (n !== null && parts.length === 4) return { kind: 'segment', conv: id as ConvId, segment: n }
    if (n !== null && parts.length === 5 && extra === 'reactions') {
      return { kind: 'reactions', conv: id as ConvId, segment: n }
    }
  }
  return null
}

export function isDocName(name: string): name is DocName {
  return parseDocName(name) !== null
}
