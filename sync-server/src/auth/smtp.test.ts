import type { AuthStartResponse, AuthVerifyResponse } from '@waggle/schema'
import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { silentLogger } from '../config.ts'
import { seedDemo } from '../demo/seed.ts'
import { createServer, type WaggleServer } from '../server.ts'
import { MemoryAccountStore } from '../storage/MemoryAccountStore.ts'
import { MemoryPersistence } from '../storage/MemoryPersistence.ts'
import { SmtpMailer } from './Mailer.ts'

interface Received {
  from: string
  to: string[]
  raw: string
}

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** A real, plain-text SMTP server on a free local port that keeps every message it accepts. */
async function startSmtp(): Promise<{ port: number; inbox: Received[] }> {
  const inbox: Received[] = []
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('error', callback)
      stream.on('end', () => {
        const from = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address
        inbox.push({ from, to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') })
        callback()
      })
    },
  })
  await new Promise<void>((resolve, reject) => {
    smtp.server.once('error', reject)
    smtp.listen(0, '127.0.0.1', () => resolve())
  })
  cleanups.push(() => new Promise<void>((resolve) => smtp.close(() => resolve())))
  return { port: (smtp.server.address() as AddressInfo).port, inbox }
}

async function productionRelay(mailerUrl: string): Promise<WaggleServer> {
  const accounts = new MemoryAccountStore()
  const server = createServer({
    persistence: new MemoryPersistence(), accounts, config: { demo: false }, logger: silentLogger,
    mailer: new SmtpMailer(mailerUrl, 'Waggle <no-reply@waggle.test>'),
  })
  cleanups.push(() => server.close())
  await seedDemo(accounts, server, Date.now(), { fieldReports: false })
  return server
}

const post = async (server: WaggleServer, path: string, body: unknown): Promise<Response> =>
  server.app.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

describe('sign-in codes by email', () => {
  it('mails a 6-digit code to the address, and that code signs in', async () => {
    const { port, inbox } = await startSmtp()
    const server = await productionRelay(`smtp://127.0.0.1:${port}`)

    const start = await post(server, '/api/auth/email/start', { email: 'anna@example.com' })
    expect(start.status).toBe(200)
    // Production mode: the code travels only by email.
    expect(await start.json()).toEqual({ ok: true } satisfies AuthStartResponse)

    const mail = await vi.waitFor(() => {
      const m = inbox[0]
      if (m === undefined) throw new Error('no email yet')
      return m
    }, { timeout: 5_000, interval: 10 })
    expect(inbox).toHaveLength(1)
    expect(mail.to).toEqual(['anna@example.com'])
    expect(mail.from).toBe('no-reply@waggle.test')
    expect(mail.raw).toMatch(/^To: anna@example\.com\r?$/m)
    const code = /sign-in code is (\d{6})\b/.exec(mail.raw)?.[1]
    expect(code).toMatch(/^\d{6}$/)
    expect(mail.raw).toMatch(new RegExp(`^Subject: Your Waggle sign-in code: ${code}\\r?$`, 'm'))

    const verify = await post(server, '/api/auth/email/verify', { email: 'anna@example.com', code })
    expect(verify.status).toBe(200)
    const session = (await verify.json()) as AuthVerifyResponse
    expect(session).toMatchObject({ userId: 'anna', workspaceId: 'demo' })
    expect(session.token.length).toBeGreaterThan(0)
  })

  it('sends nothing for an address without an account, yet answers the same', async () => {
    const { port, inbox } = await startSmtp()
    const server = await productionRelay(`smtp://127.0.0.1:${port}`)

    const unknown = await post(server, '/api/auth/email/start', { email: 'nobody@example.org' })
    expect(unknown.status).toBe(200)
    expect(await unknown.json()).toEqual({ ok: true })
    // A known address afterwards produces exactly one email, for that address only.
    expect((await post(server, '/api/auth/email/start', { email: 'marco@example.com' })).status).toBe(200)
    await vi.waitFor(() => expect(inbox).toHaveLength(1), { timeout: 5_000, interval: 10 })
    expect(inbox[0]?.to).toEqual(['marco@example.com'])
  })
})
