/**
 * Starts a relay from the environment:
 *   PORT (default 8787), HOST (default 127.0.0.1), WAGGLE_DATA (default ./data),
 *   WAGGLE_DEMO (default 1; 0 turns off seeding, /api/demo and devCode),
 *   WAGGLE_STATIC (directory of the built client; default client/dist when it exists),
 *   SMTP_URL (send sign-in codes by email), SMTP_FROM.
 */
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { SmtpMailer } from './auth/Mailer.ts'
import { consoleLogger } from './config.ts'
import { seedDemo } from './demo/seed.ts'
import { createServer } from './server.ts'
import { SqliteStore } from './storage/SqliteStore.ts'

const env = process.env
const port = Number(env.PORT ?? 8787)
const host = env.HOST ?? '127.0.0.1'
const dataDir = resolve(env.WAGGLE_DATA ?? './data')
const demo = env.WAGGLE_DEMO !== '0'
const defaultStatic = resolve('client/dist')
const staticDir = env.WAGGLE_STATIC ? resolve(env.WAGGLE_STATIC) : existsSync(defaultStatic) ? defaultStatic : null

if (!demo && !env.SMTP_URL) {
  console.error('WAGGLE_DEMO=0 needs SMTP_URL: without a mail server nobody could receive a sign-in code.')
  process.exit(1)
}

const store = SqliteStore.open(dataDir)
const mailer = env.SMTP_URL ? new SmtpMailer(env.SMTP_URL, env.SMTP_FROM) : null
const server = createServer({ persistence: store.persistence, accounts: store.accounts, files: store.files, search: store.search, mailer, config: { demo, staticDir } })

if (demo && (await seedDemo(store.accounts, server))) consoleLogger.info(`Seeded the demo workspace in ${dataDir}`)
const { url } = await server.listen(port, host)
// Tests and scripts read this line to find the port.
console.log(`Waggle relay listening on ${url}`)
if (staticDir === null) console.log('No built client found (run `npm run build`); serving the API only.')
else console.log(`Open ${url} in your browser${demo ? ' (demo mode: pick a demo account to sign in)' : ''}.`)

let stopping = false
async function stop(signal: string): Promise<void> {
  if (stopping) return
  stopping = true
  console.log(`${signal}: closing connections and flushing documents…`)
  await server.close()
  await store.close()
  process.exit(0)
}
process.on('SIGINT', () => void stop('SIGINT'))
process.on('SIGTERM', () => void stop('SIGTERM'))
