import { createHash } from 'node:crypto'
import { Reason, WaggleError } from '@waggle/schema'
import type { Context } from 'hono'
import * as v from 'valibot'

export const MAX_JSON_BYTES = 64 * 1024

/** Reads and validates a JSON body; any problem is a `bad-request` with a readable message. */
export async function jsonBody<S extends v.GenericSchema>(c: Context, schema: S): Promise<v.InferOutput<S>> {
  const length = Number(c.req.header('content-length') ?? '0')
  if (length > MAX_JSON_BYTES) throw new WaggleError(Reason.frameTooLarge, 'Request body too large')
  let raw: unknown
  try {
    raw = await c.req.json()
  } catch {
    throw new WaggleError(Reason.badRequest, 'The body must be JSON')
  }
  const r = v.safeParse(schema, raw)
  if (!r.success) {
    const issue = r.issues[0]
    const path = issue.path?.map((p) => String(p.key)).join('.') ?? ''
    throw new WaggleError(Reason.badRequest, path ? `${path}: ${issue.message}` : issue.message)
  }
  return r.output
}

export function bearer(c: Context): string | null {
  const h = c.req.header('authorization')
  return h?.startsWith('Bearer ') ? h.slice(7) : null
}

/** The key a per-session rate limit counts under: a hash, so a limiter's memory holds no usable token. */
export function sessionRateKey(c: Context): string {
  return createHash('sha256').update(bearer(c) ?? '').digest('base64url')
}

/**
 * The remote address of the request's TCP connection (Node's adapter puts the request in
 * `c.env.incoming`), or undefined when there is none (`app.request` in tests). Behind a reverse
 * proxy every client shares the proxy's address; per-address limits then count the proxy.
 */
export function remoteAddress(c: Context): string | undefined {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined
  return env?.incoming?.socket?.remoteAddress
}
