import { Reason, WaggleError, type AuthVerifyResponse, type Principal } from '@waggle/schema'
import type { ServerConfig } from '../config.ts'
import type { AccountStore } from '../storage/AccountStore.ts'
import type { Mailer } from './Mailer.ts'
import { RateLimiter } from './RateLimiter.ts'
import { hashCode, hashToken, newCode, newSalt, newToken, sameHash } from './secrets.ts'

/** A signed-in session: who, until when, and the key sign-out events name it by. */
export interface Session {
  principal: Principal
  /** When the session ends (the relay's clock, ms). */
  expiresAt: number
  /** The token's hash: {@link AuthService.onSessionEnded} names sessions by it. */
  key: string
}

/** Told when a session ends before its expiry (signed out), by its {@link Session.key}. */
export type SessionEndedListener = (key: string) => void

export interface AuthDeps {
  accounts: AccountStore
  config: ServerConfig
  mailer: Mailer | null
  now: () => number
}

/**
 * Email + one-time code sign-in. Codes are single-use, expire, are rate-limited per email and
 * stored hashed; sessions are stored as token hashes, so they survive a relay restart.
 */
export class AuthService {
  readonly #deps: AuthDeps
  readonly #codeRequests: RateLimiter
  readonly #codeRequestsByIp: RateLimiter
  readonly #verifiesByIp: RateLimiter
  readonly #ended = new Set<SessionEndedListener>()

  constructor(deps: AuthDeps) {
    this.#deps = deps
    this.#codeRequests = new RateLimiter(deps.config.codeRequestsPerWindow, deps.config.codeWindowMs, deps.now)
    this.#codeRequestsByIp = new RateLimiter(deps.config.codeRequestsPerIpPerWindow, deps.config.codeWindowMs, deps.now)
    this.#verifiesByIp = new RateLimiter(deps.config.codeVerifiesPerIpPerWindow, deps.config.codeWindowMs, deps.now)
  }

  /** The relay's clock (sessions' `expiresAt` are on it). */
  now(): number {
    return this.#deps.now()
  }

  /**
   * Issues a code for `email`. Resolves with the code only in demo mode (`devCode`). Limited per
   * address and, when `ip` is given, per remote address (many addresses from one place).
   */
  async start(email: string, ip?: string): Promise<{ devCode?: string }> {
    const { accounts, config, mailer, now } = this.#deps
    if (ip !== undefined && !this.#codeRequestsByIp.take(ip)) {
      throw new WaggleError(Reason.rateLimited, 'Too many sign-in codes requested from your network; try again in a few minutes')
    }
    if (!this.#codeRequests.take(email)) {
      throw new WaggleError(Reason.rateLimited, 'Too many codes requested for this address; try again in a few minutes')
    }
    const user = await accounts.userByEmail(email)
    if (user === null) {
      // In production the answer does not reveal whether an address has an account.
      if (config.demo) throw new WaggleError(Reason.unknownAccount, `No account for ${email}`)
      return {}
    }
    const code = newCode()
    const salt = newSalt()
    const t = now()
    await accounts.putCode({ email, codeHash: hashCode(code, salt), salt, expiresAt: t + config.codeTtlMs, attempts: 0, createdAt: t })
    if (mailer !== null) await mailer.sendCode(email, code)
    return config.demo ? { devCode: code } : {}
  }

  /**
   * Exchanges a valid code for a session token; the code is used up. Answers with the account's
   * role, name and presence permission too, so a device can shape its UI before it has synced the directory.
   */
  async verify(email: string, code: string, ip?: string): Promise<AuthVerifyResponse> {
    const { accounts, config, now } = this.#deps
    // Per address, attempts are counted on the code; per remote address, guesses across addresses.
    if (ip !== undefined && !this.#verifiesByIp.take(ip)) {
      throw new WaggleError(Reason.rateLimited, 'Too many sign-in attempts from your network; try again in a few minutes')
    }
    const record = await accounts.codeFor(email)
    if (record === null) throw new WaggleError(Reason.invalidCode, 'That code is not valid; request a new one')
    if (record.expiresAt < now()) {
      await accounts.deleteCode(email)
      throw new WaggleError(Reason.codeExpired, 'That code has expired; request a new one')
    }
    // Count the attempt before comparing, so guesses sent at the same moment cannot all get
    // past the limit; and only the request that deletes the code may use it.
    const attempts = await accounts.addCodeAttempt(email)
    if (attempts > config.maxCodeAttempts) {
      await accounts.deleteCode(email)
      throw new WaggleError(Reason.invalidCode, 'Too many attempts; request a new code')
    }
    if (!sameHash(hashCode(code, record.salt), record.codeHash)) {
      if (attempts >= config.maxCodeAttempts) await accounts.deleteCode(email)
      throw new WaggleError(Reason.invalidCode, 'That code is not valid')
    }
    if (!(await accounts.deleteCode(email))) throw new WaggleError(Reason.invalidCode, 'That code has already been used')
    const user = await accounts.userByEmail(email)
    if (user === null) throw new WaggleError(Reason.unknownAccount, `No account for ${email}`)
    const token = newToken()
    const t = now()
    await accounts.createSession({ tokenHash: hashToken(token), userId: user.id, createdAt: t, expiresAt: t + config.sessionTtlMs })
    return { token, userId: user.id, workspaceId: user.workspaceId, role: user.role, name: user.name, canModifyPresence: user.canModifyPresence }
  }

  /** The principal behind a bearer token, or null when it is unknown or expired. */
  async authenticate(token: string): Promise<Principal | null> {
    return (await this.session(token))?.principal ?? null
  }

  /** The session behind a bearer token (principal, expiry, key), or null when it is unknown or expired. */
  async session(token: string): Promise<Session | null> {
    if (token.length === 0 || token.length > 512) return null
    const { accounts, now } = this.#deps
    const key = hashToken(token)
    const session = await accounts.sessionByTokenHash(key)
    if (session === null || session.expiresAt < now()) return null
    const user = await accounts.userById(session.userId)
    if (user === null) return null
    const principal: Principal = { userId: user.id, workspaceId: user.workspaceId, role: user.role, canModifyPresence: user.canModifyPresence }
    return { principal, expiresAt: session.expiresAt, key }
  }

  /** Ends the session of `token`; open connections on it are told ({@link onSessionEnded}) and close. */
  async signOut(token: string): Promise<void> {
    const key = hashToken(token)
    await this.#deps.accounts.deleteSession(key)
    for (const fn of [...this.#ended]) fn(key)
  }

  /** Calls `fn` with a session's key when it is signed out; returns a function that stops the calls. */
  onSessionEnded(fn: SessionEndedListener): () => void {
    this.#ended.add(fn)
    return () => this.#ended.delete(fn)
  }
}
