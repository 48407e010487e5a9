import { Reason, WaggleError, type AuthVerifyResponse, type Principal } from '@waggle/schema'
import type { ServerConfig } from '../config.ts'
import type { AccountStore } from '../storage/AccountStore.ts'
import type { Mailer } from './Mailer.ts'
import { RateLimiter } from './RateLimiter.ts'
import { hashCode, hashToken, newCode, newSalt, newToken, sameHash } from './secrets.ts'

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

  constructor(deps: AuthDeps) {
    this.#deps = deps
    this.#codeRequests = new RateLimiter(deps.config.codeRequestsPerWindow, deps.config.codeWindowMs, deps.now)
  }

  /** Issues a code for `email`. Resolves with the code only in demo mode (`devCode`). */
  async start(email: string): Promise<{ devCode?: string }> {
    const { accounts, config, mailer, now } = this.#deps
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
  async verify(email: string, code: string): Promise<AuthVerifyResponse> {
    const { accounts, config, now } = this.#deps
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
    if (token.length === 0 || token.length > 512) return null
    const { accounts, now } = this.#deps
    const session = await accounts.sessionByTokenHash(hashToken(token))
    if (session === null || session.expiresAt < now()) return null
    const user = await accounts.userById(session.userId)
    if (user === null) return null
    return { userId: user.id, workspaceId: user.workspaceId, role: user.role, canModifyPresence: user.canModifyPresence }
  }

  async signOut(token: string): Promise<void> {
    await this.#deps.accounts.deleteSession(hashToken(token))
  }
}
