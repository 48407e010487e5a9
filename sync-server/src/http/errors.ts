import { Reason, WaggleError, type ApiError } from '@waggle/schema'
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { Logger } from '../config.ts'

const statusOf: Partial<Record<Reason, ContentfulStatusCode>> = {
  [Reason.badRequest]: 400,
  [Reason.unauthorized]: 401,
  [Reason.invalidCode]: 401,
  [Reason.codeExpired]: 401,
  [Reason.forbidden]: 403,
  [Reason.readOnly]: 403,
  [Reason.notFound]: 404,
  [Reason.unknownAccount]: 404,
  [Reason.frameTooLarge]: 413,
  [Reason.rateLimited]: 429,
  [Reason.conflict]: 409,
  [Reason.fileTooLarge]: 413,
  [Reason.unsupportedFileType]: 415,
  [Reason.fileTypeMismatch]: 415,
  [Reason.uploadOffsetMismatch]: 409,
}

/** The single error handler: typed errors become `{reason, message}` with a fitting status. */
export function onError(logger: Logger) {
  return (err: Error, c: Context) => {
    if (err instanceof WaggleError) {
      const body: ApiError = { reason: err.reason, message: err.message }
      return c.json(body, statusOf[err.reason] ?? 500)
    }
    logger.error('unhandled HTTP error', { path: c.req.path, err: err.stack ?? String(err) })
    const body: ApiError = { reason: Reason.internal, message: 'Something went wrong on the server' }
    return c.json(body, 500)
  }
}
