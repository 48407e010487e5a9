import {
  CloseCode, Limits, PROTOCOL_VERSION, Reason, encodeFrame, newCommandId, readConvInfo, docName,
  type ConvId, type UserId, type WorkspaceId,
} from '@waggle/schema'
import { describe, expect, onTestFinished, test } from 'vitest'
import { WebSocket } from 'ws'
import { demoEmail } from '../demo/seed.ts'
import { connectAs, demoDocs, tokenFor } from '../testing/fixtures.ts'
import { startRelay, type Relay, type RelayOptions } from '../testing/relayHarness.ts'
import { waitFor } from '../testing/waitFor.ts'

async function relay(options: RelayOptions = {}): Promise<Relay> {
  const r = await startRelay(options)
  onTestFinished(() => r.stop())
  return r
}

/** A raw socket to the mux endpoint from local address `from` (any 127.x.y.z reaches the relay). */
interface Raw {
  ws: WebSocket
  open: boolean
  /** Frames received (a welcome after a hello). */
  frames: number
  close: { code: number; reason: string } | null
}
function rawSocket(r: Relay, from = '127.0.0.1'): Raw {
  const ws = new WebSocket(r.wsUrl, { localAddress: from })
  const raw: Raw = { ws, open: false, frames: 0, close: null }
  ws.on('open', () => {
    raw.open = true
  })
  ws.on('message', () => {
    raw.frames += 1
  })
  ws.on('close', (code, reason) => {
    raw.close = { code, reason: reason.toString('utf8') }
  })
  ws.on('error', () => undefined)
  onTestFinished(() => ws.terminate())
  return raw
}
const opened = (s: Raw) => waitFor(() => s.open || s.close, 5_000, 'the socket to open')
const closed = (s: Raw) => waitFor(() => s.close, 5_000, 'the socket to close')

describe('pre-authentication socket limits', () => {
  test('past the per-address limit a new socket is closed at once with 4529; a hello frees a place; a signed-in client is unaffected', async () => {
    const r = await relay({ config: { maxPendingSocketsPerIp: 3, maxPendingSockets: 10 } })
    const honest = await connectAs(r, 'marco')
    onTestFinished(() => honest.close())
    const waiting = [rawSocket(r), rawSocket(r), rawSocket(r)]
    for (const s of waiting) await opened(s)

    const extra = rawSocket(r)
    expect(await closed(extra)).toEqual({ code: CloseCode.rateLimited, reason: 'rate-limited: Too many connections waiting to sign in; try again shortly' })

    // One of the waiting sockets signs in: it no longer counts, so another may wait.
    const token = await tokenFor(r.url, 'anna')
    waiting[0]?.ws.send(encodeFrame({ type: 'hello', version: PROTOCOL_VERSION, token }))
    await waitFor(() => (waiting[0]?.frames ?? 0) > 0, 5_000, 'the welcome')
    await waitFor(async () => {
      const probe = rawSocket(r)
      await waitFor(() => probe.close ?? (probe.open ? 'open' : null), 5_000, 'probe')
      // Opened and not closed right away (a refused socket is closed in the same turn).
      await new Promise((resolve) => setTimeout(resolve, 50))
      const admitted = probe.close === null
      probe.ws.terminate()
      return admitted
    }, 5_000, 'a place freed by the hello')

    expect(honest.closeInfo).toBeNull()
    expect((await honest.subscribe(demoDocs.salesTeam)).access).toBe('write')
    expect((await fetch(`${r.url}/health`)).status).toBe(200)
  })

  test('the global limit counts sockets from every address', async () => {
    const r = await relay({ config: { maxPendingSocketsPerIp: 2, maxPendingSockets: 3 } })
    const waiting = [rawSocket(r, '127.0.0.1'), rawSocket(r, '127.0.0.1'), rawSocket(r, '127.0.0.2')]
    for (const s of waiting) await opened(s)
    expect((await closed(rawSocket(r, '127.0.0.3'))).code).toBe(CloseCode.rateLimited)
    // A closed waiting socket frees its place.
    waiting[2]?.ws.close()
    await waitFor(async () => {
      const probe = rawSocket(r, '127.0.0.3')
      await waitFor(() => probe.close ?? (probe.open ? 'open' : null), 5_000, 'probe')
      await new Promise((resolve) => setTimeout(resolve, 50))
      const admitted = probe.close === null
      probe.ws.terminate()
      return admitted
    }, 5_000, 'the place of the closed socket')
  })

  test('a socket that never says hello is closed after the hello timeout and frees its place', async () => {
    const r = await relay({ config: { maxPendingSocketsPerIp: 1, helloTimeoutMs: 300 } })
    const silent = rawSocket(r)
    await opened(silent)
    expect((await closed(rawSocket(r))).code).toBe(CloseCode.rateLimited)
    expect((await closed(silent)).code).toBe(CloseCode.helloTimeout)
    const client = await connectAs(r, 'anna')
    onTestFinished(() => client.close())
    expect(client.welcome).not.toBeNull()
  })
})

describe('sign-in code limits', () => {
  const start = (r: Relay, email: string) => fetch(`${r.url}/api/auth/email/start`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }),
  })
  const verify = (r: Relay, email: string, code: string) => fetch(`${r.url}/api/auth/email/verify`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, code }),
  })

  test('code requests are limited per address and per remote address', async () => {
    const r = await relay({ config: { codeRequestsPerWindow: 2, codeRequestsPerIpPerWindow: 4 } })
    expect((await start(r, demoEmail('anna'))).status).toBe(200)
    expect((await start(r, demoEmail('anna'))).status).toBe(200)
    const perEmail = await start(r, demoEmail('anna'))
    expect(perEmail.status).toBe(429)
    expect(await perEmail.json()).toEqual({ reason: Reason.rateLimited, message: 'Too many codes requested for this address; try again in a few minutes' })
    expect((await start(r, demoEmail('marco'))).status).toBe(200)
    // The fifth request from this address, for yet another email, is over the per-address limit.
    const perIp = await start(r, demoEmail('diego'))
    expect(perIp.status).toBe(429)
    expect(await perIp.json()).toEqual({ reason: Reason.rateLimited, message: 'Too many sign-in codes requested from your network; try again in a few minutes' })
  })

  test('code guesses are limited per remote address across emails', async () => {
    const r = await relay({ config: { codeVerifiesPerIpPerWindow: 3 } })
    for (const id of ['anna', 'marco', 'diego']) expect((await verify(r, demoEmail(id), '000000')).status).toBe(401)
    const limited = await verify(r, demoEmail('lena'), '000000')
    expect(limited.status).toBe(429)
    expect(await limited.json()).toEqual({ reason: Reason.rateLimited, message: 'Too many sign-in attempts from your network; try again in a few minutes' })
  })
})

describe('members per conversation', () => {
  const SALES = 'sales-team' as ConvId

  test(`a group at ${Limits.membersPerConversation} members refuses addMembers and joinByLink with too-many-members`, async () => {
    const r = await relay({ memory: true })
    const who = await r.server.auth.authenticate(await tokenFor(r.url, 'anna'))
    if (who === null) throw new Error('anna is not signed in')
    const have = (await r.store.accounts.conversationMembers(SALES)).length
    for (let i = have; i < Limits.membersPerConversation; i++) {
      const id = `filler-${i}` as UserId
      await r.store.accounts.createUser({ id, workspaceId: 'demo' as WorkspaceId, email: `filler${i}@example.com`, name: `Filler ${i}`, role: 'member', canModifyPresence: false, createdAt: 1 })
      await r.store.accounts.putConversationMember({ conv: SALES, user: id, role: 'member', readOnly: false, firstSegment: 0, addedAt: 1 })
    }
    const add = await r.server.commands.apply(who, { id: newCommandId(), type: 'addMembers', conv: SALES, members: ['lena' as UserId], hideHistory: false })
    expect(add).toMatchObject({ status: 'rejected', reason: Reason.tooManyMembers, message: `A conversation has at most ${Limits.membersPerConversation} members` })

    expect(await r.server.commands.apply(who, { id: newCommandId(), type: 'setAvailableByLink', conv: SALES, on: true })).toMatchObject({ status: 'accepted' })
    const token = (await r.server.hub.read(docName.convMeta(SALES), readConvInfo))?.linkToken ?? ''
    const lena = await r.server.auth.authenticate(await tokenFor(r.url, 'lena'))
    if (lena === null) throw new Error('lena is not signed in')
    expect(await r.server.commands.apply(lena, { id: newCommandId(), type: 'joinByLink', token })).toMatchObject({ status: 'rejected', reason: Reason.tooManyMembers })
    expect(await r.store.accounts.conversationMember(SALES, 'lena' as UserId)).toBeNull()
  })
})
