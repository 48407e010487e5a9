/**
 * Issue 8, durability in the browser: in the real app in Chromium, a message typed and sent with
 * Enter, then the tab closed (or the browser killed) 0 to 50 ms later, is after reopening the app
 * in the same profile either sent or pending, never gone; and once the app is back online it
 * reaches the relay. Delays are seeded and printed (replay: TORTURE_SEED=<seed>).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MemoryDocStorage, SyncClient } from '@waggle/client'
import { directConvId, docName, listMessages, type UserId } from '@waggle/schema'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { afterEach, describe, expect, test } from 'vitest'
import WebSocket from 'ws'
import { Rng, seedFrom } from '../torture/rng.ts'
import type { HarnessSession } from './harness/api.ts'
import { WAIT, conversations, message, openConversation, send, syncStatus } from './support/appFlows.ts'
import { signIn } from './support/auth.ts'
import { CHROMIUM, CHROMIUM_FLAGS } from './support/browser.ts'
import { APP_DIST } from './support/paths.ts'
import { RelayProcess } from './support/relay.ts'

const SEED = seedFrom(process.env.TORTURE_SEED)
const DM = docName.segment(directConvId('anna' as UserId, 'marco' as UserId), 0)
const ROUNDS = 10
const MAX_DELAY_MS = 50
const ENTER_BINDING = 'waggleTestEnterDown'
/** Resolves the pending wait for the next Enter keydown with its time in the page (ms epoch). */
const enter: { resolve: ((at: number) => void) | null } = { resolve: null }

type Outcome = 'sent' | 'pending' | 'gone'
interface Round {
  delayMs: number
  /** From the Enter keydown in the page to the close, as it happened (the delay plus reporting). */
  sinceKeydownMs: number
  text: string
  outcome: Outcome | null
}

/** Ten delays spread over 0..50 ms (one in each 5 ms band, 0 and 50 always), in a seeded order. */
function delays(rng: Rng): number[] {
  const out = Array.from({ length: ROUNDS }, (_, i) => (i === 0 ? 0 : i === ROUNDS - 1 ? MAX_DELAY_MS : Math.min(MAX_DELAY_MS, 5 * i + rng.int(6))))
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1)
    ;[out[i], out[j]] = [out[j] as number, out[i] as number]
  }
  return out
}

let relay: RelayProcess | null = null
let context: BrowserContext | null = null
let profileDir: string | null = null
/** The PID of the Chromium browser process of `context`. */
let pid = 0
const pageErrors: string[] = []

afterEach(async (ctx) => {
  await context?.close().catch(() => {})
  context = null
  if (profileDir !== null) rmSync(profileDir, { recursive: true, force: true })
  profileDir = null
  if (ctx.task.result?.state === 'fail' && relay !== null) console.log(`seed ${SEED}; relay log:\n${relay.log}`)
  await relay?.dispose()
  relay = null
  pageErrors.splice(0)
})

/** Chromium on the device's profile (kept across launches, as on a real device). */
async function launch(): Promise<BrowserContext> {
  profileDir ??= mkdtempSync(join(tmpdir(), 'waggle-e2e-profile-'))
  const launched = await chromium.launchPersistentContext(profileDir, { executablePath: CHROMIUM, args: CHROMIUM_FLAGS })
  // "After sending" is timed from the Enter keydown in the page (Playwright's press() resolves
  // 30 to 150 ms later, when the message is usually stored already). Observed, not driven: the
  // app still gets the key from Playwright.
  await launched.exposeBinding(ENTER_BINDING, (_source, at: number) => enter.resolve?.(at))
  await launched.addInitScript((binding) => {
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey) void (window as unknown as Record<string, (at: number) => Promise<void>>)[binding]?.(Date.now())
    }, true)
  }, ENTER_BINDING)
  launched.on('page', (page) => page.on('pageerror', (err) => pageErrors.push(`${page.url()}: ${err.stack ?? err.message}`)))
  for (const page of launched.pages()) page.on('pageerror', (err) => pageErrors.push(`${page.url()}: ${err.stack ?? err.message}`))
  context = launched
  // Found now, so that killing it later takes no time of its own (the delay is the round's).
  pid = browserPid(profileDir)
  return launched
}

/** The app in a new tab of `ctx`, with Anna's direct conversation with Marco open. */
async function openApp(ctx: BrowserContext): Promise<Page> {
  const page = await ctx.newPage()
  await page.goto(`${(relay as RelayProcess).url}/`)
  await conversations(page).waitFor(WAIT)
  await openConversation(page, 'Marco Bianchi')
  return page
}

async function signedInAsAnna(): Promise<Page> {
  const ctx = await launch()
  const page = ctx.pages()[0] ?? (await ctx.newPage())
  await page.goto(`${(relay as RelayProcess).url}/`)
  await page.getByRole('button', { name: 'Anna Rossi' }).click()
  await expect.poll(() => page.getByLabel('Code').inputValue(), WAIT).toMatch(/^\d{6}$/)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await conversations(page).waitFor(WAIT)
  await openConversation(page, 'Marco Bianchi')
  // A first message, sent and acknowledged: the conversation is on the device and the app is settled.
  await send(page, `tab-close ${SEED}: before the first close`)
  await expect.poll(() => syncStatus(page).innerText(), WAIT).toBe('Synced')
  return page
}

/**
 * What the reopened app shows of `text` from the device's own storage: its row ("Sending…" while
 * pending), or nothing. The stored copy is loaded in one piece, so once the message sent before
 * it shows, so would this one. Gone is confirmed once the app has synced with the relay too.
 */
async function outcomeOf(page: Page, text: string, before: string): Promise<Outcome> {
  await message(page, before).waitFor(WAIT)
  const row = message(page, text)
  if ((await row.count()) === 0) {
    await expect.poll(() => syncStatus(page).innerText(), { timeout: 30_000 }).toBe('Synced')
    if ((await row.count()) === 0) return 'gone'
  }
  const line = await row.innerText()
  expect(line, `seed ${SEED}: ${text} was refused`).not.toContain('Not sent')
  return line.includes('Sending') ? 'pending' : 'sent'
}

/**
 * Types `text`, presses Enter and, `delayMs` after the page saw the keydown, does `close` (the
 * test's fault, not a wait for a condition). Returns the time from the keydown to `close`.
 */
async function sendThenClose(page: Page, text: string, delayMs: number, close: () => Promise<void>): Promise<number> {
  const box = page.getByRole('textbox', { name: 'Message' })
  await box.fill(text)
  const keydown = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`seed ${SEED}: no Enter keydown seen in the page`)), WAIT.timeout)
    enter.resolve = (at) => {
      clearTimeout(timer)
      enter.resolve = null
      resolve(at)
    }
  })
  // Not awaited first: the close may cut the key press short, as it would a person's.
  const pressing = box.press('Enter').catch(() => {})
  const at = await keydown
  await new Promise((resolve) => setTimeout(resolve, delayMs))
  const elapsed = Date.now() - at
  await close()
  await pressing
  return elapsed
}

/** The PID of the Chromium browser process this test launched on `dir` (a child of this process). */
function browserPid(dir: string): number {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0')
      const ppid = Number(readFileSync(`/proc/${name}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[1])
      if (ppid === process.pid && cmdline.includes(`--user-data-dir=${dir}`) && !cmdline.some((a) => a.startsWith('--type='))) return Number(name)
    } catch {
      // The process ended while we looked.
    }
  }
  throw new Error(`No Chromium browser process on ${dir}`)
}

/** The texts of Anna and Marco's conversation as the relay has them, read from Node by Marco. */
async function atRelay(session: HarnessSession): Promise<string[]> {
  const r = relay as RelayProcess
  const client = new SyncClient({
    account: `${session.workspaceId}.${session.userId}`, url: r.wsUrl, token: session.token, storage: new MemoryDocStorage(),
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket, network: null, tabs: null, releaseDelayMs: 0,
  })
  const handle = client.open(DM)
  try {
    let synced = false
    void client.whenSynced(DM).then(() => (synced = true))
    await expect.poll(() => synced, WAIT).toBe(true)
    return listMessages(handle.doc).map((m) => ('text' in m ? m.text : ''))
  } finally {
    handle.release()
    client.close()
  }
}

/**
 * Runs the rounds: each sends a message, closes with `close` after the round's delay, reopens
 * with `reopen` and records what the app shows. Returns the rounds with their outcomes.
 */
async function rounds(label: string, first: Page, close: (page: Page) => Promise<void>, reopen: () => Promise<Page>): Promise<Round[]> {
  const rng = new Rng(SEED, label === 'tab' ? 1 : 2)
  const plan: Round[] = delays(rng).map((delayMs, i) => ({ delayMs, sinceKeydownMs: 0, text: `tab-close ${SEED} ${label} round ${i} after ${delayMs} ms`, outcome: null }))
  console.log(`tab close (${label}): seed ${SEED}, delays ${plan.map((r) => r.delayMs).join(', ')} ms (replay: TORTURE_SEED=${SEED})`)
  let page = first
  let before = `tab-close ${SEED}: before the first close`
  for (const round of plan) {
    round.sinceKeydownMs = await sendThenClose(page, round.text, round.delayMs, () => close(page))
    page = await reopen()
    round.outcome = await outcomeOf(page, round.text, before)
    console.log(`tab close (${label}), seed ${SEED}: ${round.delayMs} ms (${round.sinceKeydownMs} ms after the keydown) -> ${round.outcome}`)
    if (round.outcome !== 'gone') before = round.text
  }
  return plan
}

/** Every message the app kept reaches the relay (read by another device, Marco, from Node). */
async function deliveredAtRelay(plan: Round[]): Promise<void> {
  const session = await signIn((relay as RelayProcess).url, 'marco@example.com')
  const expected = plan.filter((r) => r.outcome !== 'gone').map((r) => r.text)
  await expect.poll(async () => {
    const there = await atRelay(session)
    return expected.filter((t) => !there.includes(t))
  }, { timeout: 30_000 }).toEqual([])
}

describe('closing the app right after sending', () => {
  test('a tab closed 0 to 50 ms after Enter shows the message sent or pending when reopened, and it reaches the relay', async () => {
    relay = await RelayProcess.start({ staticDir: APP_DIST })
    const first = await signedInAsAnna()
    const ctx = context as BrowserContext
    // A user closing the tab: no beforeunload prompt; pagehide and unload still run as Chromium closes it.
    const plan = await rounds('tab', first, (page) => page.close({ runBeforeUnload: false }), () => openApp(ctx))
    const gone = plan.filter((r) => r.outcome === 'gone').map((r) => `${r.sinceKeydownMs} ms after Enter: ${r.text}`)
    expect(gone, `seed ${SEED}: messages gone after the tab closed`).toEqual([])
    await deliveredAtRelay(plan)
    expect(pageErrors).toEqual([])
  }, 240_000)

  test('a browser killed (SIGKILL) 0 to 50 ms after Enter shows the message sent or pending when restarted, and it reaches the relay', async () => {
    relay = await RelayProcess.start({ staticDir: APP_DIST })
    await signedInAsAnna()
    // Chromium writes localStorage (the session) to disk seconds after a change: a browser killed
    // right after signing in starts signed out. Signed in earlier, as here, it starts signed in.
    await (context as BrowserContext).close()
    const first = await openApp(await launch())
    const kill = async (): Promise<void> => {
      const ctx = context as BrowserContext
      const closed = new Promise<void>((resolve) => ctx.once('close', () => resolve()))
      process.kill(pid, 'SIGKILL')
      await closed
      context = null
    }
    const plan = await rounds('crash', first, kill, async () => openApp(await launch()))
    const gone = plan.filter((r) => r.outcome === 'gone').map((r) => `${r.sinceKeydownMs} ms after Enter: ${r.text}`)
    expect(gone, `seed ${SEED}: messages gone after the browser was killed`).toEqual([])
    await deliveredAtRelay(plan)
    expect(pageErrors).toEqual([])
  }, 300_000)
})
