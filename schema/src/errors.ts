/** Machine-readable reason codes shared by the HTTP API, the wire protocol and the UI. */
export const Reason = {
  badRequest: 'bad-request',
  unauthorized: 'unauthorized',
  forbidden: 'forbidden',
  readOnly: 'read-only',
  notFound: 'not-found',
  conflict: 'conflict',
  tooManyMembers: 'too-many-members',
  unknownAccount: 'unknown-account',
  invalidCode: 'invalid-code',
  codeExpired: 'code-expired',
  rateLimited: 'rate-limited',
  malformedFrame: 'malformed-frame',
  malformedUpdate: 'malformed-update',
  /** An update whose content breaks the document's rules (e.g. a status message over 100 characters). */
  invalidContent: 'invalid-content',
  /** An update that builds on one the relay does not have (refused, never stored, or not yet sent): structs left pending. */
  missingDependency: 'missing-dependency',
  /** A plain value in an update nested deeper than the relay's limit. */
  valueTooDeep: 'value-too-deep',
  /** A plain value in an update larger than the relay's limit. */
  valueTooLarge: 'value-too-large',
  /** An update that took the relay longer than its time budget to decode and check. */
  tooExpensive: 'too-expensive',
  frameTooLarge: 'frame-too-large',
  invalidDocName: 'invalid-doc-name',
  notSubscribed: 'not-subscribed',
  clientTooOld: 'client-too-old',
  serverTooOld: 'server-too-old',
  sendQueueFull: 'send-queue-full',
  storageFailed: 'storage-failed',
  shuttingDown: 'shutting-down',
  internal: 'internal',
  /** The server could not be reached or could not answer (the device's own answer stands). */
  unavailable: 'unavailable',
  // Uploads (sync-server/src/files).
  fileTooLarge: 'file-too-large',
  unsupportedFileType: 'unsupported-file-type',
  fileTypeMismatch: 'file-type-mismatch',
  uploadOffsetMismatch: 'upload-offset-mismatch',
} as const
export type Reason = (typeof Reason)[keyof typeof Reason]

const reasons = new Set<string>(Object.values(Reason))
export function isReason(value: unknown): value is Reason {
  return typeof value === 'string' && reasons.has(value)
}

/** An error that carries a {@link Reason}, so every boundary can answer with a typed code. */
export class WaggleError extends Error {
  override readonly name = 'WaggleError'
  constructor(
    readonly reason: Reason,
    message: string,
  ) {
    super(message)
  }
}

/** Throws a {@link WaggleError} with `reason` unless `condition` holds. */
export function assert(condition: unknown, reason: Reason, message: string): asserts condition {
  if (!condition) throw new WaggleError(reason, message)
}

/** For exhaustive switches: fails to compile if a case is missing. */
export function assertNever(value: never, what = 'value'): never {
  throw new WaggleError(Reason.internal, `Unexpected ${what}: ${JSON.stringify(value)}`)
}
