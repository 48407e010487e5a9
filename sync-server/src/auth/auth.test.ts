import { Reason, type ApiError, type AuthStartResponse, type AuthVerifyResponse, type UserId } from '@waggle/schema'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { silentLogger, type ServerConfig } from '../config.ts'
import { DEMO_WORKSPACE, seedDemo } from '../demo/seed.ts'
import { createServer, type WaggleServer } from '../server.ts'
import type { AccountStore } from '../storage/AccountStore.ts'
import { MemoryAccountStore } from '../storage/MemoryAccountStore.ts'
import { MemoryPersistence } from '../storage/MemoryPersistence.ts'
import type { Persistence } from '../storage/Persistence.ts'
import { SqliteStore } from '../storage/SqliteStore.ts'

const ANNA = 'anna@example.com'

interface Relay {
  server: WaggleServer
  accounts: AccountStore
  /** Moves the relay's clock forward. */
  advance: (ms: number) => void
}

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** A seeded relay on a fake clock; closed after the test. */
async function relay(
  config: Partial<ServerConfig> = { demo: true },
  stores: { persistence: Persistence; accounts: AccountStore } = { persistence: new MemoryPersistence(), accounts: new MemoryAccountStore() },
): Promise<Relay> {
  let t = Date.parse('2025-03-01T09:00:00Z')
  const server = createServer({ ...stores, config, logger: silentLogger, now: () => t })
  cleanups.push(() => server.close())
  await seedDemo(stores.accounts, server, t, { fieldReports: false })
  return { server, accounts: stores.accounts, advance: (ms) => (t += ms) }
}

function post(server: WaggleServer, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const init: RequestInit = { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }
  init.body = typeof body === 'string' ? body : JSON.stringify(body)
  return Promise.resolve(server.app.request(path, init))
}

const json = async <T>(res: Response): Promise<T> => (await res.json()) as T

async function startCode(server: WaggleServer, email = ANNA): Promise<string> {
  const res = await post(server, '/api/auth/email/start', { email })
  expect(res.status).toBe(200)
  const { devCode } = await json<AuthStartResponse>(res)
  if (devCode === undefined) throw new Error('expected a devCode in demo mode')
  return devCode
}

const verify = (server: WaggleServer, code: string, email = ANNA) => post(server, '/api/auth/email/verify', { email, code })

async function signIn(server: WaggleServer, email = ANNA): Promise<AuthVerifyResponse> {
  const res = await verify(server, await startCode(server, email), email)
  expect(res.status).toBe(200)
  return json<AuthVerifyResponse>(res)
}

const me = (server: WaggleServer, token?: string) =>
  Promise.resolve(server.app.request('/api/me', token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } }))

async function expectError(res: Response, status: number, reason: string): Promise<ApiError> {
  expect(res.status).toBe(status)
  const body = await json<ApiError>(res)
  expect(body.reason).toBe(reason)
  expect(body.message.length).toBeGreaterThan(0)
  return body
}

/** A 6-digit code that differs from `code`. */
const otherCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0')

describe('email code sign-in', () => {
  it('returns the code in demo mode and exchanges it for a session of the right user', async () => {
    const { server } = await relay()
    const code = await startCode(server)
    expect(code).toMatch(/^\d{6}$/)

    const res = await verify(server, code)
    expect(res.status).toBe(200)
    const body = await json<AuthVerifyResponse>(res)
    expect(body).toEqual({ token: expect.any(String) as unknown, userId: 'anna', workspaceId: 'demo', role: 'member', name: 'Anna Rossi', canModifyPresence: false })
    expect(body.token.length).toBeGreaterThanOrEqual(32)
  })

  it('answers with the account’s role, name and presence permission: an admin, and a guest', async () => {
    const { server, accounts } = await relay()
    expect(await signIn(server, 'claire@example.com')).toMatchObject({ userId: 'claire', role: 'admin', name: 'Claire Dubois', canModifyPresence: true })
    await accounts.createUser({
      id: 'g-ext' as UserId, workspaceId: DEMO_WORKSPACE, email: 'ext@partner.example', name: 'Ext Partner', role: 'guest', canModifyPresence: false, createdAt: 1,
    })
    expect(await signIn(server, 'ext@partner.example')).toMatchObject({ userId: 'g-ext', workspaceId: 'demo', role: 'guest', name: 'Ext Partner', canModifyPresence: false })
  })

  it('normalises the address, so a differently cased email signs in the same user', async () => {
    const { server } = await relay()
    const code = await startCode(server, '  Anna@Example.COM ')
    const body = await json<AuthVerifyResponse>(await verify(server, code, 'ANNA@example.com'))
    expect(body.userId).toBe('anna')
  })

  it('uses a code only once', async () => {
    const { server } = await relay()
    const code = await startCode(server)
    expect((await verify(server, code)).status).toBe(200)
    await expectError(await verify(server, code), 401, Reason.invalidCode)
  })

  it('replaces an earlier code when a new one is requested', async () => {
    const { server } = await relay()
    const first = await startCode(server)
    let second = await startCode(server)
    while (second === first) second = await startCode(server)
    await expectError(await verify(server, first), 401, Reason.invalidCode)
    expect((await verify(server, second)).status).toBe(200)
  })

  it('accepts a code until its lifetime ends and rejects it as expired after', async () => {
    const { server, advance } = await relay()
    const ttl = server.config.codeTtlMs

    const early = await startCode(server)
    advance(ttl)
    expect((await verify(server, early)).status).toBe(200)

    const late = await startCode(server)
    advance(ttl + 1)
    await expectError(await verify(server, late), 401, Reason.codeExpired)
    // The expired code is gone, not merely refused.
    await expectError(await verify(server, late), 401, Reason.invalidCode)
  })

  it('still accepts the right code after one wrong guess fewer than the limit', async () => {
    const { server } = await relay()
    const code = await startCode(server)
    for (let i = 1; i < server.config.maxCodeAttempts; i++) {
      await expectError(await verify(server, otherCode(code)), 401, Reason.invalidCode)
    }
    expect((await verify(server, code)).status).toBe(200)
  })

  it('burns the code after maxCodeAttempts wrong guesses, so even the right code then fails', async () => {
    const { server } = await relay()
    const code = await startCode(server)
    for (let i = 0; i < server.config.maxCodeAttempts; i++) {
      await expectError(await verify(server, otherCode(code)), 401, Reason.invalidCode)
    }
    await expectError(await verify(server, code), 401, Reason.invalidCode)
  })

  it('limits wrong guesses even when they arrive concurrently', async () => {
    const { server } = await relay()
    const code = await startCode(server)
    const guesses = Array.from({ length: 20 }, (_, i) => otherCode(String(Number(code) + i)))
    const results = await Promise.all([...guesses, code].map((guess) => verify(server, guess)))
    expect(results.at(-1)?.status).toBe(401)
  })

  it('lets only one of two concurrent verifications with the same code succeed', async () => {
    const { server } = await relay()
    const code = await startCode(server)
    const results = await Promise.all([verify(server, code), verify(server, code)])
    expect(results.map((r) => r.status).sort()).toEqual([200, 401])
  })

  it('answers an unknown code for an address with no pending code as invalid', async () => {
    const { server } = await relay()
    await expectError(await verify(server, '123456', 'marco@example.com'), 401, Reason.invalidCode)
  })

  it('rate-limits code requests per address and allows them again after the window', async () => {
    const { server, advance } = await relay()
    const { codeRequestsPerWindow, codeWindowMs } = server.config
    for (let i = 0; i < codeRequestsPerWindow; i++) await startCode(server)

    const limited = await post(server, '/api/auth/email/start', { email: ANNA })
    await expectError(limited, 429, Reason.rateLimited)
    // Another address has its own budget.
    await startCode(server, 'marco@example.com')

    advance(codeWindowMs)
    const code = await startCode(server)
    expect((await verify(server, code)).status).toBe(200)
  })

  it('stores only a salted hash of the code', async () => {
    const { server, accounts } = await relay()
    const code = await startCode(server)
    const record = await accounts.codeFor(ANNA)
    if (record === null) throw new Error('expected a stored code')

    expect(Object.values(record)).not.toContain(code)
    expect(record.codeHash).toMatch(/^[0-9a-f]{64}$/)
    expect(record.salt.length).toBeGreaterThanOrEqual(16)
    expect(record.codeHash).not.toBe(createHash('sha256').update(code).digest('hex'))

    await startCode(server)
    const next = await accounts.codeFor(ANNA)
    expect(next?.salt).not.toBe(record.salt)
  })
})

describe('production mode (demo off)', () => {
  it('never returns the code and answers known and unknown addresses alike', async () => {
    const { server, accounts } = await relay({ demo: false })
    const known = await post(server, '/api/auth/email/start', { email: ANNA })
    const unknown = await post(server, '/api/auth/email/start', { email: 'nobody@example.org' })

    expect(known.status).toBe(200)
    expect(unknown.status).toBe(200)
    const knownBody = await json<AuthStartResponse>(known)
    expect(knownBody).toEqual({ ok: true })
    expect(await json<AuthStartResponse>(unknown)).toEqual(knownBody)
    // A code was still issued for the real account; none for the unknown address.
    expect(await accounts.codeFor(ANNA)).not.toBeNull()
    expect(await accounts.codeFor('nobody@example.org')).toBeNull()
  })

  it('does not serve the demo account list', async () => {
    const { server } = await relay({ demo: false })
    await expectError(await server.app.request('/api/demo'), 404, Reason.notFound)
  })
})

describe('demo mode', () => {
  it('tells an unknown address that it has no account', async () => {
    const { server } = await relay({ demo: true })
    await expectError(await post(server, '/api/auth/email/start', { email: 'nobody@example.org' }), 404, Reason.unknownAccount)
  })
})

describe('request validation', () => {
  it.each([
    ['an invalid email', '/api/auth/email/start', { email: 'not-an-email' }, /email: Enter a valid email address/],
    ['a non-JSON body', '/api/auth/email/start', 'email=anna@example.com', /must be JSON/],
    ['a missing email', '/api/auth/email/start', {}, /email/],
    ['a missing code', '/api/auth/email/verify', { email: ANNA }, /code/],
    ['a code that is not 6 digits', '/api/auth/email/verify', { email: ANNA, code: '12ab' }, /code: The code has 6 digits/],
    ['an email that is not a string', '/api/auth/email/start', { email: 42 }, /email/],
  ])('rejects %s as a bad request with a readable message', async (_what, path, body, message) => {
    const { server } = await relay()
    const error = await expectError(await post(server, path, body), 400, Reason.badRequest)
    expect(error.message).toMatch(message)
  })
})

describe('sessions', () => {
  it('identifies the signed-in user on /api/me', async () => {
    const { server } = await relay()
    const { token } = await signIn(server)
    const res = await me(server, token)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ userId: 'anna', workspaceId: 'demo', role: 'member', name: 'Anna Rossi', email: ANNA })
  })

  it('refuses /api/me without a token or with an unknown one', async () => {
    const { server } = await relay()
    await expectError(await me(server), 401, Reason.unauthorized)
    await expectError(await me(server, 'not-a-real-token'), 401, Reason.unauthorized)
  })

  it('ends a session on sign-out and leaves the user\u2019s other sessions alone', async () => {
    const { server } = await relay()
    const laptop = await signIn(server)
    const phone = await signIn(server)

    const res = await post(server, '/api/auth/signout', {}, { authorization: `Bearer ${laptop.token}` })
    expect(res.status).toBe(200)
    await expectError(await me(server, laptop.token), 401, Reason.unauthorized)
    expect((await me(server, phone.token)).status).toBe(200)
  })

  it('expires a session after sessionTtlMs', async () => {
    const { server, advance } = await relay()
    const { token } = await signIn(server)
    advance(server.config.sessionTtlMs)
    expect((await me(server, token)).status).toBe(200)
    advance(1)
    await expectError(await me(server, token), 401, Reason.unauthorized)
  })

  it('survives a relay restart on SQLite storage', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'waggle-auth-'))
    cleanups.push(() => Promise.resolve(rmSync(dir, { recursive: true, force: true })))

    const store = SqliteStore.open(dir)
    const first = createServer({ persistence: store.persistence, accounts: store.accounts, config: { demo: true }, logger: silentLogger })
    await seedDemo(store.accounts, first, Date.now(), { fieldReports: false })
    const { token } = await signIn(first)
    await first.close()
    await store.close()

    const reopened = SqliteStore.open(dir)
    cleanups.push(() => reopened.close())
    const second = createServer({ persistence: reopened.persistence, accounts: reopened.accounts, config: { demo: true }, logger: silentLogger })
    cleanups.push(() => second.close())
    const res = await me(second, token)
    expect(res.status).toBe(200)
    expect(await json<{ userId: string }>(res)).toMatchObject({ userId: 'anna' })
  })
})
