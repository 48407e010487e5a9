import { Reason, WaggleError, parseDocName, type DocName } from '@waggle/schema'
import type { ServerConfig } from '../../config.ts'

/** A token bucket: `burst` tokens, refilled at `burst` per `windowMs`. */
export class TokenBucket {
  #tokens: number
  #at: number

  constructor(
    readonly burst: number,
    readonly windowMs: number,
    readonly now: () => number = Date.now,
  ) {
    this.#tokens = burst
    this.#at = now()
  }

  /** Takes one token if there is one; otherwise returns the milliseconds until there is. */
  take(): number {
    const t = this.now()
    this.#tokens = Math.min(this.burst, this.#tokens + ((t - this.#at) * this.burst) / this.windowMs)
    this.#at = t
    if (this.#tokens >= 1) {
      this.#tokens -= 1
      return 0
    }
    return Math.ceil(((1 - this.#tokens) * this.windowMs) / this.burst)
  }
}

type Limited = 'segment' | 'presence'

/**
 * Per-session write rate limits (issue 7): writes to message segments and to presence
 * documents, each a token bucket per connection. Other kinds are not limited here.
 */
export class WriteRateLimiter {
  readonly #buckets: Record<Limited, TokenBucket>

  constructor(config: Pick<ServerConfig, 'segmentWritesPerWindow' | 'presenceWritesPerWindow' | 'writeWindowMs'>, now: () => number = Date.now) {
    this.#buckets = {
      segment: new TokenBucket(config.segmentWritesPerWindow, config.writeWindowMs, now),
      presence: new TokenBucket(config.presenceWritesPerWindow, config.writeWindowMs, now),
    }
  }

  /** Counts one write to `doc`; throws `rate-limited` when its kind is over the limit. */
  take(doc: DocName): void {
    const kind = parseDocName(doc)?.kind
    if (kind !== 'segment' && kind !== 'presence') return
    const bucket = this.#buckets[kind]
    const waitMs = bucket.take()
    if (waitMs === 0) return
    const what = kind === 'segment' ? 'messages' : 'status changes'
    const seconds = Math.round(bucket.windowMs / 1000)
    throw new WaggleError(
      Reason.rateLimited,
      `Too many ${what}: at most ${bucket.burst} per ${seconds} s; try again in ${Math.max(1, Math.ceil(waitMs / 1000))} s`,
    )
  }
}

const limiters = new WeakMap<object, WriteRateLimiter>()

/**
 * The limiter of one session (a connection object), made on its first write. Held in a weak
 * map so that the connection class carries no extra state and the limiter goes with it.
 */
export function rateLimiterOf(session: object, config: Pick<ServerConfig, 'segmentWritesPerWindow' | 'presenceWritesPerWindow' | 'writeWindowMs'>): WriteRateLimiter {
  let limiter = limiters.get(session)
  if (limiter === undefined) {
    limiter = new WriteRateLimiter(config)
    limiters.set(session, limiter)
  }
  return limiter
}
