/**
 * A person's day with the real app (built with the repository's vite.config.ts, served by the
 * real relay process on real SQLite), on two devices, each its own Chromium profile: Anna and
 * Marco chat; messages sent while the relay is down wait in the outbox across a reload and go
 * out in order when it returns; a group created offline reaches the other member; the app
 * opens with its local conversations when the server is gone.
 */
import type { Locator, Page } from 'playwright-core'
import { afterEach, describe, expect, test } from 'vitest'
import { AppDevice, serviceWorkerControls } from './support/app.ts'
import { APP_DIST } from './support/paths.ts'
import { RelayProcess } from './support/relay.ts'

const WAIT = { timeout: 20_000 }

let relay: RelayProcess | null = null
const devices: AppDevice[] = []

afterEach(async (ctx) => {
  const errors = devices.flatMap((d) => d.errors)
  for (const d of devices.splice(0)) await d.close()
  if (ctx.task.result?.state === 'fail' && relay !== null) console.log(`relay log:\n${relay.log}`)
  await relay?.dispose()
  relay = null
  expect(errors, 'uncaught errors in the pages').toEqual([])
})

async function startRelay(): Promise<RelayProcess> {
  relay = await RelayProcess.start({ staticDir: APP_DIST })
  return relay
}

/** A new device signed in as the demo user `name` (the demo offers the account and fills the code). */
async function signedIn(r: RelayProcess, name: string): Promise<Page> {
  const device = await AppDevice.launch(r.url)
  devices.push(device)
  const page = await device.open('/')
  await page.getByRole('button', { name }).click()
  await expect.poll(() => page.getByLabel('Code').inputValue(), WAIT).toMatch(/^\d{6}$/)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await conversations(page).waitFor(WAIT)
  return page
}

const conversations = (page: Page): Locator => page.getByRole('list', { name: 'Conversations' })

/** The inbox entry (a link) for a conversation titled `title`. */
const entry = (page: Page, title: string): Locator => conversations(page).getByRole('link', { name: new RegExp(title) })

async function openConversation(page: Page, title: string): Promise<void> {
  await entry(page, title).click()
  await page.getByRole('textbox', { name: 'Message' }).waitFor(WAIT)
}

async function send(page: Page, text: string): Promise<void> {
  const box = page.getByRole('textbox', { name: 'Message' })
  await box.fill(text)
  await box.press('Enter')
  await expect.poll(() => box.inputValue(), WAIT).toBe('')
}

const messageLog = (page: Page): Locator => page.getByRole('log', { name: 'Messages' })

/** The message row holding `text` (a row carries author, time, text and the delivery line). */
const message = (page: Page, text: string): Locator => messageLog(page).locator('.msg-row').filter({ hasText: text })

/** Texts of the loaded messages among `candidates`, in the order the list shows them. */
async function shownInOrder(page: Page, candidates: string[]): Promise<string[]> {
  const rows = await messageLog(page).locator('.msg-row').allInnerTexts()
  const order: string[] = []
  for (const row of rows) for (const c of candidates) if (row.includes(c) && !order.includes(c)) order.push(c)
  return order
}

const syncStatus = (page: Page): Locator => page.getByRole('status', { name: 'Connection status' })

describe("a person's day", () => {
  test('a message reaches the other device with its unread count; reading it there shows "Seen" on the first', async () => {
    const r = await startRelay()
    const anna = await signedIn(r, 'Anna Rossi')
    const marco = await signedIn(r, 'Marco Bianchi')

    await openConversation(anna, 'Marco Bianchi')
    await send(anna, 'Can you send me the Verona offer before lunch?')
    await expect.poll(() => message(anna, 'Verona offer before lunch').innerText(), WAIT).toMatch(/Sent|Seen/)

    // Marco's inbox shows the message and one unread, without opening the conversation.
    await expect.poll(() => entry(marco, 'Anna Rossi').innerText(), WAIT).toContain('Verona offer before lunch')
    await expect.poll(() => entry(marco, 'Anna Rossi').getByRole('img', { name: '1 unread message' }).count(), WAIT).toBe(1)

    await openConversation(marco, 'Anna Rossi')
    await message(marco, 'Verona offer before lunch').waitFor(WAIT)
    // Read: the unread count goes, and Anna sees that Marco has seen it.
    await expect.poll(() => entry(marco, 'Anna Rossi').getByRole('img', { name: /unread message/ }).count(), WAIT).toBe(0)
    await expect.poll(() => message(anna, 'Verona offer before lunch').innerText(), WAIT).toContain('Seen by Marco')
  })

  test('messages sent with the relay down stay pending across a reload, then go out in order', async () => {
    const r = await startRelay()
    const anna = await signedIn(r, 'Anna Rossi')
    const marco = await signedIn(r, 'Marco Bianchi')
    await serviceWorkerControls(anna)
    await openConversation(anna, 'Marco Bianchi')
    await openConversation(marco, 'Anna Rossi')
    // Opening marked the conversation read (Marco sees it); that is sent before the relay goes.
    await expect.poll(() => message(marco, 'Perfect, thanks!').innerText(), WAIT).toContain('Seen by Anna')
    await expect.poll(() => syncStatus(anna).innerText(), WAIT).toBe('Synced')

    await r.stop()
    await expect.poll(() => syncStatus(anna).innerText(), WAIT).toMatch(/Offline|Connecting/)
    const texts = ['First, from the train', 'Second, still no signal', 'Third, almost there']
    for (const t of texts) await send(anna, t)
    for (const t of texts) await expect.poll(() => message(anna, t).innerText(), WAIT).toContain('Sending')
    await expect.poll(() => syncStatus(anna).innerText(), WAIT).toContain('3 changes waiting')

    // Reload while the relay is down: the service worker serves the app, the outbox is on disk.
    await anna.reload()
    await anna.getByRole('textbox', { name: 'Message' }).waitFor(WAIT)
    for (const t of texts) await expect.poll(() => message(anna, t).innerText(), WAIT).toContain('Sending')
    expect(await shownInOrder(anna, texts)).toEqual(texts)

    await r.restart()
    for (const t of texts) await expect.poll(() => message(anna, t).innerText(), WAIT).toMatch(/Sent|Seen/)
    await expect.poll(() => shownInOrder(marco, texts), WAIT).toEqual(texts)
  })

  test('a group created offline reaches the other member after reconnecting', async () => {
    const r = await startRelay()
    const anna = await signedIn(r, 'Anna Rossi')
    const marco = await signedIn(r, 'Marco Bianchi')
    await serviceWorkerControls(anna)

    await r.stop()
    await expect.poll(() => syncStatus(anna).innerText(), WAIT).toMatch(/Offline|Connecting/)
    await anna.getByRole('button', { name: 'New conversation' }).click()
    const dialog = anna.getByRole('dialog')
    await dialog.getByRole('tab', { name: 'Group' }).click()
    await dialog.getByLabel('Name').fill('Verona offsite')
    await dialog.getByLabel('Description').fill('Planning the customer visit')
    await dialog.getByRole('checkbox', { name: /Marco Bianchi/ }).check()
    await dialog.getByRole('button', { name: 'Create' }).click()

    // The creation waits in the outbox and the app says so.
    await expect.poll(() => entry(anna, 'Verona offsite').innerText(), WAIT).toMatch(/Waiting to be created/)

    await r.restart()
    await expect.poll(() => entry(anna, 'Verona offsite').innerText(), WAIT).not.toMatch(/Waiting to be created/)
    await entry(marco, 'Verona offsite').waitFor(WAIT)
  })

  test('after a first visit, the app opens with its local conversations while the server is down', async () => {
    const r = await startRelay()
    const anna = await signedIn(r, 'Anna Rossi')
    await serviceWorkerControls(anna)
    await entry(anna, 'Sales team').waitFor(WAIT)

    await r.stop()
    await anna.reload()
    await conversations(anna).waitFor(WAIT)
    for (const title of ['Sales team', 'Company announcements', 'Marco Bianchi']) await entry(anna, title).waitFor(WAIT)
    await openConversation(anna, 'Sales team')
    await message(anna, 'Pipeline review at 10:00').waitFor(WAIT)
  })

  test('a 10,000-message conversation opens at its newest message, renders only what is on screen and loads older history on scroll', async () => {
    const r = await startRelay()
    const luca = await signedIn(r, 'Luca Romano')
    await openConversation(luca, 'Field reports')
    await message(luca, 'Report 10000:').waitFor(WAIT)
    const rows = messageLog(luca).locator('.msg-row')
    expect(await rows.count()).toBeLessThan(100)

    // Scrolled to the top again and again: the older segment comes in and the first report shows.
    await expect.poll(async () => {
      await messageLog(luca).evaluate((el) => el.scrollTo({ top: 0 }))
      return message(luca, 'Report 1: ').count()
    }, { timeout: 30_000, interval: 250 }).toBe(1)
    expect(await rows.count()).toBeLessThan(100)

    // Back to the newest, and a new message lands at the bottom.
    await messageLog(luca).evaluate((el) => el.scrollTo({ top: el.scrollHeight }))
    await send(luca, 'Back from Trento, all done')
    await message(luca, 'Back from Trento, all done').waitFor(WAIT)
  })

  test('a second tab of the same device sends and creates through the tab that holds the connection', async () => {
    const r = await startRelay()
    const anna = await signedIn(r, 'Anna Rossi')
    const marco = await signedIn(r, 'Marco Bianchi')
    const device = devices[0]
    if (device === undefined) throw new Error('no device')
    const second = await device.newTab('/')
    await conversations(second).waitFor(WAIT)

    await openConversation(second, 'Marco Bianchi')
    await send(second, 'Written in the second tab')
    await expect.poll(() => message(second, 'Written in the second tab').innerText(), WAIT).toMatch(/Sent|Seen/)
    await expect.poll(() => entry(marco, 'Anna Rossi').innerText(), WAIT).toContain('Written in the second tab')
    // The first tab shows it as well, from its own copy.
    await expect.poll(() => entry(anna, 'Marco Bianchi').innerText(), WAIT).toContain('You: Written in the second tab')

    await second.getByRole('button', { name: 'New conversation' }).click()
    const dialog = second.getByRole('dialog')
    await dialog.getByRole('tab', { name: 'Group' }).click()
    await dialog.getByLabel('Name').fill('Tab two plans')
    await dialog.getByRole('checkbox', { name: 'Marco Bianchi' }).check()
    await dialog.getByRole('button', { name: 'Create' }).click()
    await entry(marco, 'Tab two plans').waitFor(WAIT)
    await expect.poll(() => entry(anna, 'Tab two plans').innerText(), WAIT).not.toMatch(/Waiting to be created/)
  })
})
