/**
 * A person's day with the real app (built with the repository's vite.config.ts, served by the
 * real relay process on real SQLite), on two devices, each its own Chromium profile: Anna and
 * Marco chat; messages sent while the relay is down wait in the outbox across a reload and go
 * out in order when it returns; a group created offline reaches the other member; the app
 * opens with its local conversations when the server is gone.
 */
import { afterEach, describe, expect, test } from 'vitest'
import { serviceWorkerControls } from './support/app.ts'
import {
  AppScene, WAIT, conversations, entry, message, messageLog, openConversation, send, shownInOrder, syncStatus,
} from './support/appFlows.ts'

const scene = new AppScene()
const devices = scene.devices

afterEach(async (ctx) => {
  const errors = await scene.dispose(ctx.task.result?.state === 'fail')
  expect(errors, 'uncaught errors in the pages').toEqual([])
})


describe("a person's day", () => {
  test('a message reaches the other device with its unread count; reading it there shows "Seen" on the first', async () => {
    await scene.startRelay()
    const anna = await scene.signedIn('Anna Rossi')
    const marco = await scene.signedIn('Marco Bianchi')

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
    const r = await scene.startRelay()
    const anna = await scene.signedIn('Anna Rossi')
    const marco = await scene.signedIn('Marco Bianchi')
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
    const r = await scene.startRelay()
    const anna = await scene.signedIn('Anna Rossi')
    const marco = await scene.signedIn('Marco Bianchi')
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
    const r = await scene.startRelay()
    const anna = await scene.signedIn('Anna Rossi')
    await serviceWorkerControls(anna)
    await entry(anna, 'Sales team').waitFor(WAIT)
    // The device fetches every conversation's newest part in the background; once search finds
    // a message of the sales team on the device, that part is stored (search reads only stored parts).
    const search = anna.getByRole('searchbox', { name: 'Search' })
    await search.fill('pipeline review')
    await anna.getByRole('region', { name: 'Search results' }).getByRole('region', { name: 'Messages', exact: true }).waitFor(WAIT)
    await search.press('Escape')

    await r.stop()
    await anna.reload()
    await conversations(anna).waitFor(WAIT)
    for (const title of ['Sales team', 'Company announcements', 'Marco Bianchi']) await entry(anna, title).waitFor(WAIT)
    await openConversation(anna, 'Sales team')
    await message(anna, 'Pipeline review at 10:00').waitFor(WAIT)
  })

  test('a 10,000-message conversation opens at its newest message, renders only what is on screen and loads older history on scroll', async () => {
    await scene.startRelay()
    const luca = await scene.signedIn('Luca Romano')
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
    await scene.startRelay()
    const anna = await scene.signedIn('Anna Rossi')
    const marco = await scene.signedIn('Marco Bianchi')
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
