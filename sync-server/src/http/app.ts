import {
  AuthStartBody, AuthVerifyBody, Command, Reason, WaggleError,
  type AuthStartResponse, type AuthVerifyResponse, type CommandResult, type DemoAccount, type Principal,
} from '@waggle/schema'
import { serveStatic } from '@hono/node-server/serve-static'
import { Hono, type Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { CommandService } from '../commands/CommandService.ts'
import type { RelayContext } from '../relay/RelayContext.ts'
import { DEMO_WORKSPACE } from '../demo/seed.ts'
import type { FileStore } from '../files/FileStore.ts'
import { isUploadChunk, mountFileRoutes } from '../files/routes.ts'
import { mountContactRoutes } from '../contacts/routes.ts'
import type { MessageSearch } from '../search/MessageSearch.ts'
import { mountSearchRoutes } from '../search/routes.ts'
import { onError } from './errors.ts'
import { MAX_JSON_BYTES, bearer, jsonBody, remoteAddress } from './validate.ts'

/** The HTTP API: health, sign-in, commands, demo accounts, files, search, contacts, and the built client when configured. */
export function createApp(ctx: RelayContext, commands: CommandService, files: FileStore, search: MessageSearch): Hono {
  const app = new Hono()
  const signedIn = async (c: Context): Promise<Principal> => {
    const who = await ctx.auth.authenticate(bearer(c) ?? '')
    if (who === null) throw new WaggleError(Reason.unauthorized, 'Sign in again')
    return who
  }
  app.onError(onError(ctx.logger))
  // Counts the bytes actually received, so a chunked body without content-length is bounded too.
  const jsonLimit = bodyLimit({ maxSize: MAX_JSON_BYTES, onError: () => { throw new WaggleError(Reason.frameTooLarge, 'Request body too large') } })
  // Upload chunks have their own, larger limit (files/routes.ts).
  app.use('/api/*', async (c, next) => {
    if (isUploadChunk(c.req.method, c.req.path)) await next()
    // eslint-disable-next-line @typescript-eslint/no-unsafe-argument -- Hono types a route's input as `any`; bodyLimit reads only the raw request.
    else await jsonLimit(c, next)
  })

  app.get('/health', (c) =>
    c.json({ ok: true, connections: ctx.connections.size, loadedDocs: ctx.hub.loadedCount }),
  )

  app.post('/api/auth/email/start', async (c) => {
    const { email } = await jsonBody(c, AuthStartBody)
    const { devCode } = await ctx.auth.start(email, remoteAddress(c))
    const body: AuthStartResponse = devCode === undefined ? { ok: true } : { ok: true, devCode }
    return c.json(body)
  })

  app.post('/api/auth/email/verify', async (c) => {
    const { email, code } = await jsonBody(c, AuthVerifyBody)
    const body: AuthVerifyResponse = await ctx.auth.verify(email, code, remoteAddress(c))
    return c.json(body)
  })

  app.post('/api/auth/signout', async (c) => {
    const token = bearer(c)
    if (token !== null) await ctx.auth.signOut(token)
    return c.json({ ok: true })
  })

  app.get('/api/me', async (c) => {
    const who = await signedIn(c)
    const user = await ctx.accounts.userById(who.userId)
    return c.json({ userId: who.userId, workspaceId: who.workspaceId, role: who.role, name: user?.name ?? '', email: user?.email ?? '' })
  })

  // 200 with the command's result, accepted or rejected; 400 for a body that is not a command.
  app.post('/api/commands', async (c) => {
    const who = await signedIn(c)
    // Validated: the ids match ID_PATTERN, which is all their brands promise.
    const command = (await jsonBody(c, Command)) as Command
    const body: CommandResult = await commands.apply(who, command)
    return c.json(body)
  })

  app.get('/api/demo', async (c) => {
    if (!ctx.config.demo) throw new WaggleError(Reason.notFound, 'Demo mode is off')
    const users = await ctx.accounts.usersOf(DEMO_WORKSPACE)
    const body: DemoAccount[] = users.map((u) => ({ name: u.name, email: u.email }))
    return c.json(body)
  })

  mountFileRoutes(app, { files, accounts: ctx.accounts, hub: ctx.hub, maxFileBytes: ctx.config.maxFileBytes, signedIn, now: Date.now })
  mountSearchRoutes(app, {
    index: search, accounts: ctx.accounts, signedIn, now: Date.now,
    searchesPerWindow: ctx.config.searchesPerWindow, windowMs: ctx.config.searchWindowMs,
  })
  mountContactRoutes(app, {
    hub: ctx.hub, signedIn, now: Date.now,
    contactsPerWindow: ctx.config.contactsPerWindow, windowMs: ctx.config.contactWindowMs,
  })

  app.all('/api/*', () => {
    throw new WaggleError(Reason.notFound, 'No such API endpoint')
  })

  const staticDir = ctx.config.staticDir
  if (staticDir !== null) {
    // Build metadata (module paths) is for tooling, not for browsers.
    app.all('/.vite/*', () => {
      throw new WaggleError(Reason.notFound, 'Not found')
    })
    app.use('/*', async (c, next) => {
      await next()
      // Hashed assets never change; the shell, the worker and the manifest must be revalidated
      // so a new version is found (the service worker then asks the user before switching).
      if (c.req.path.startsWith('/assets/')) c.header('Cache-Control', 'public, max-age=31536000, immutable')
      else if (c.res.status === 200) c.header('Cache-Control', 'no-cache')
    })
    app.use('/*', serveStatic({ root: staticDir }))
    // Client-side routes get the app shell.
    app.get('/*', async (c) => c.html(await readFile(join(staticDir, 'index.html'), 'utf8')))
  }
  return app
}
