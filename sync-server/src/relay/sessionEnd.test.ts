import { CloseCode, Reason, docName, type UserId } from '@waggle/schema'
import { describe, expect, onTestFinished, test, vi } from 'vitest'
import * as Y from 'yjs'
import type { AuthService, Session } from '../auth/AuthService.ts'
import { hashToken, newToken } from '../auth/secrets.ts'
import { watchSession } from '../auth/watchSession.ts'
import { connectAs, demoDocs, tokenFor } from '../testing/fixtures.ts'
import { PlainSocket } from '../testing/PlainSocket.ts'
import { startRelay, type Relay } from '../testing/relayHarness.ts'
import { TestClient } from '../testing/TestClient.ts'

async function relay(): Promise<Relay> {
  const r = await startRelay()
  onTestFinished(() => r.stop())
  return r
}

/** A session of `user` made straight in the store, ending `ms` from now. */
async function sessionEndingIn(r: Relay, user: string, ms: number): Promise<string> {
  const token = newToken()
  const now = Date.now()
  await r.store.accounts.createSession({ tokenHash: hashToken(token), userId: user as UserId, createdAt: now, expiresAt: now + ms })
  return token
}

async function plainSynced(r: Relay, token: string, doc: string): Promise<PlainSocket> {
  const socket = new PlainSocket(`${r.wsBase}/sync/${doc}?token=${encodeURIComponent(token)}`)
  onTestFinished(() => socket.close())
  await socket.opened()
  socket.sendStep1(Y.encodeStateVector(new Y.Doc()))
  await socket.step2()
  return socket
}

const me = (r: Relay, token: string) => fetch(`${r.url}/api/me`, { headers: { authorization: `Bearer ${token}` } })

describe('a session that ends closes its open connections with 4401', () => {
  test('expiry: the mux and plain sockets close with unauthorized within a second of the expiry; HTTP and hello refuse the token; another session is unaffected', async () => {
    const r = await relay()
    const token = await sessionEndingIn(r, 'anna', 1_200)
    const anna = await TestClient.connect(r.wsUrl, token)
    onTestFinished(() => anna.close())
    await anna.subscribe(demoDocs.salesTeam)
    const plain = await plainSynced(r, token, docName.private('anna' as UserId))
    const marco = await connectAs(r, 'marco')
    onTestFinished(() => marco.close())
    await marco.subscribe(demoDocs.salesTeam)

    const started = Date.now()
    const closed = await anna.closed(5_000)
    expect(closed.code).toBe(CloseCode.unauthorized)
    expect(closed.reason).toMatch(/^unauthorized: Your session has expired/)
    expect(Date.now() - started).toBeLessThan(3_000)
    expect((await plain.closed()).code).toBe(CloseCode.unauthorized)

    const res = await me(r, token)
    expect(res.status).toBe(401)
    expect(await res.json()).toMatchObject({ reason: Reason.unauthorized })
    const again = await TestClient.open(r.wsUrl)
    again.send({ type: 'hello', version: 1, token })
    expect((await again.closed()).code).toBe(CloseCode.unauthorized)

    expect(marco.closeInfo).toBeNull()
    expect((await marco.subscribe(demoDocs.announcements)).access).not.toBe('none')
    expect((await fetch(`${r.url}/health`)).status).toBe(200)
  })

  test('sign-out: that session’s sockets close with unauthorized at once; the user’s other session stays', async () => {
    const r = await relay()
    const laptopToken = await tokenFor(r.url, 'anna')
    const phoneToken = await tokenFor(r.url, 'anna')
    const laptop = await TestClient.connect(r.wsUrl, laptopToken)
    const phone = await TestClient.connect(r.wsUrl, phoneToken)
    onTestFinished(async () => {
      await laptop.close()
      await phone.close()
    })
    await laptop.subscribe(demoDocs.salesTeam)
    await phone.subscribe(demoDocs.salesTeam)
    const plain = await plainSynced(r, laptopToken, demoDocs.salesTeam)

    const out = await fetch(`${r.url}/api/auth/signout`, { method: 'POST', headers: { authorization: `Bearer ${laptopToken}` } })
    expect(out.status).toBe(200)
    const closed = await laptop.closed(2_000)
    expect(closed).toEqual({ code: CloseCode.unauthorized, reason: 'unauthorized: You signed out; sign in again' })
    expect((await plain.closed(2_000)).code).toBe(CloseCode.unauthorized)
    expect((await me(r, laptopToken)).status).toBe(401)
    const files = await fetch(`${r.url}/api/files/anything`, { headers: { authorization: `Bearer ${laptopToken}` } })
    expect(files.status).toBe(401)

    expect(phone.closeInfo).toBeNull()
    expect((await phone.subscribe(demoDocs.announcements)).access).not.toBe('none')
    expect((await me(r, phoneToken)).status).toBe(200)
  })
})

describe('watchSession', () => {
  /** A fake AuthService with its own clock and sign-out events. */
  function fakeAuth(now: () => number) {
    const listeners = new Set<(key: string) => void>()
    const auth = {
      now,
      onSessionEnded: (fn: (key: string) => void) => {
        listeners.add(fn)
        return () => listeners.delete(fn)
      },
    } as unknown as AuthService
    return { auth, signOut: (key: string) => listeners.forEach((fn) => fn(key)), listeners }
  }
  const session = (expiresAt: number): Session => ({ principal: { userId: 'anna' as UserId, workspaceId: 'demo' as never, role: 'member', canModifyPresence: false }, expiresAt, key: 'k' })

  test('a 30-day session ends at its expiry, not at setTimeout’s 24.8-day limit', () => {
    vi.useFakeTimers()
    onTestFinished(() => void vi.useRealTimers())
    const { auth } = fakeAuth(() => Date.now())
    const ended: string[] = []
    const day = 24 * 3600_000
    watchSession(auth, session(Date.now() + 30 * day), (m) => ended.push(m))
    vi.advanceTimersByTime(29 * day)
    expect(ended).toEqual([])
    vi.advanceTimersByTime(day + 2)
    expect(ended).toEqual(['Your session has expired; sign in again'])
  })

  test('an already expired session ends at once; sign-out of another key does nothing; stop stops', () => {
    const { auth, signOut, listeners } = fakeAuth(() => 1_000)
    const ended: string[] = []
    watchSession(auth, session(500), (m) => ended.push(m))
    expect(ended).toEqual(['Your session has expired; sign in again'])
    const stop = watchSession(auth, session(10_000_000), (m) => ended.push(m))
    signOut('other')
    expect(ended).toHaveLength(1)
    stop()
    signOut('k')
    expect(ended).toHaveLength(1)
    expect(listeners.size).toBe(0)
  })
})
