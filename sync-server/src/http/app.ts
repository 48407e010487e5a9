import { AuthStartBody, AuthVerifyBody, Reason, WaggleError, type AuthStartResponse, type AuthVerifyResponse, type DemoAccount } from '@waggle/schema'
import { serveStatic } from '@hono/node-server/serve-static'
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { RelayContext } from '../relay/RelayContext.ts'
import { DEMO_WORKSPACE } from '../demo/seed.ts'
import { onError } from './errors.ts'
import { MAX_JSON_BYTES, bearer, jsonBody } from './validate.ts'

/** The HTTP API: health, sign-in, demo accounts, and the built client when configured. */
export function createApp(ctx: RelayContext): Hono {
  const app = new Hono()
  app.onError(onError(ctx.logger))
  // Counts the bytes actually received, so a chunked body without content-length is bounded too.
  app.use('/api/*', bodyLimit({ maxSize: MAX_JSON_BYTES, onError: () => { throw new WaggleError(Reason.frameTooLarge, 'Request body too large') } }))

  app.get('/health', (c) =>
    c.json({ ok: true, connections: ctx.connections.size, loadedDocs: ctx.hub.loadedCount }),
  )

  app.post('/api/auth/email/start', async (c) => {
    const { email } = await jsonBody(c, AuthStartBody)
    const { devCode } = await ctx.auth.start(email)
    const body: AuthStartResponse = devCode === undefined ? { ok: true } : { ok: true, devCode }
    return c.json(body)
  })

  app.post('/api/auth/email/verify', async (c) => {
    const { email, code } = await jsonBody(c, AuthVerifyBody)
    const body: AuthVerifyResponse = await ctx.auth.verify(email, code)
    return c.json(body)
  })

  app.post('/api/auth/signout', async (c) => {
    const token = bearer(c)
    if (token !== null) await ctx.auth.signOut(token)
    return c.json({ ok: true })
  })

  app.get('/api/me', async (c) => {
    const who = await ctx.auth.authenticate(bearer(c) ?? '')
    if (who === null) throw new WaggleError(Reason.unauthorized, 'Sign in again')
    const user = await ctx.accounts.userById(who.userId)
    return c.json({ userId: who.userId, workspaceId: who.workspaceId, role: who.role, name: user?.name ?? '', email: user?.email ?? '' })
  })

  app.get('/api/demo', async (c) => {
    if (!ctx.config.demo) throw new WaggleError(Reason.notFound, 'Demo mode is off')
    const users = await ctx.accounts.usersOf(DEMO_WORKSPACE)
    const body: DemoAccount[] = users.map((u) => ({ name: u.name, email: u.email }))
    return c.json(body)
  })

  app.all('/api/*', () => {
    throw new WaggleError(Reason.notFound, 'No such API endpoint')
  })

  const staticDir = ctx.config.staticDir
  if (staticDir !== null) {
    app.use('/*', serveStatic({ root: staticDir }))
    // Client-side routes get the app shell.
    app.get('/*', async (c) => c.html(await readFile(join(staticDir, 'index.html'), 'utf8')))
  }
  return app
}
