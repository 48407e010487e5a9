/**
 * Browser notifications with the real app and relay. Anna's device is granted the notifications
 * permission and looks at another tab; Marco writes to her. The app notifies once per account
 * however many of its tabs are open (only the leader tab notifies), withdraws the notification
 * when Anna reads the message on another device, stays quiet for a muted conversation (mentions
 * included: `decideNotifications` in client/src/bind/notify.ts skips muted conversations before
 * it looks at mentions) and, with "Only mentions", notifies only a message that mentions her.
 *
 * How the notifications are observed: the app shows them with `new Notification(...)`
 * (client/src/bind/browserNotices.ts; the service worker's `showNotification` only where the
 * constructor throws, which Chromium's does not). Such notifications are not listed by
 * `registration.getNotifications()`, so an init script puts a subclass of the real constructor
 * in its place: it still creates the real notification, and records its title, body and tag,
 * whether the browser showed it (`show` event) and whether the app closed it.
 */
import type { Page } from 'playwright-core'
import { afterEach, describe, expect, test } from 'vitest'
import { AppScene, WAIT, entry, openConversation, send } from './support/appFlows.ts'

const scene = new AppScene()

afterEach(async (ctx) => {
  const errors = await scene.dispose(ctx.task.result?.state === 'fail')
  expect(errors, 'uncaught errors in the pages').toEqual([])
})

interface Recorded {
  title: string
  body: string
  tag: string
  /** The browser fired `show`. */
  shown: boolean
  /** The app called `close()`. */
  closed: boolean
}

/** Runs in every page of Anna's device before the app (serialised by Playwright: self-contained). */
function recordNotifications(): void {
  const Real = window.Notification
  if (typeof Real !== 'function') return
  const log: Recorded[] = []
  class RecordingNotification extends Real {
    readonly #entry: Recorded
    constructor(title: string, options?: NotificationOptions) {
      super(title, options)
      const entry = { title, body: options?.body ?? '', tag: options?.tag ?? '', shown: false, closed: false }
      this.#entry = entry
      log.push(entry)
      this.addEventListener('show', () => (entry.shown = true))
    }

    override close(): void {
      this.#entry.closed = true
      super.close()
    }
  }
  Object.defineProperty(window, 'Notification', { value: RecordingNotification, configurable: true, writable: true })
  Object.defineProperty(window, '__e2eNotifications', { value: log })
}

const notificationsOf = (page: Page): Promise<Recorded[]> =>
  page.evaluate(() => structuredClone((window as unknown as { __e2eNotifications: Recorded[] }).__e2eNotifications))

/** Every notification the app created in any of `pages` (the tabs of one device). */
async function notifications(pages: Page[]): Promise<Recorded[]> {
  return (await Promise.all(pages.map(notificationsOf))).flat()
}

/** Signs in with the notifications permission granted and the constructor recorded. */
const signedInNotifying = (name: string): Promise<Page> =>
  scene.signedIn(name, { permissions: ['notifications'], initScript: recordNotifications })

/**
 * The person switches to another tab of the same browser: every app tab loses focus.
 *
 * Playwright emulates focus for each page (each reports `document.hasFocus()` true and never
 * gets `blur`), which would keep the app from ever notifying. Turning that emulation off
 * (`Emulation.setFocusEmulationEnabled`, the CDP switch Playwright itself turns on) lets the
 * app tabs report the browser's real focus, and bringing a blank tab to the front moves that
 * focus away as a person would: the app sees real `blur` events and `hasFocus()` false, through
 * its own `watchPageFocus`. Nothing in the app is stubbed. (Headless tabs all stay
 * `visibilityState` 'visible', so the app decides on `hasFocus()` alone here.)
 */
async function lookAway(appTabs: Page[]): Promise<void> {
  const context = appTabs[0]?.context()
  if (context === undefined) throw new Error('no tabs')
  for (const tab of appTabs) {
    const cdp = await context.newCDPSession(tab)
    await cdp.send('Emulation.setFocusEmulationEnabled', { enabled: false })
  }
  const elsewhere = context.pages().find((p) => p.url() === 'about:blank') ?? (await context.newPage())
  await elsewhere.bringToFront()
  for (const tab of appTabs) await tab.waitForFunction(() => !document.hasFocus(), undefined, WAIT)
}

/** The person comes back to `tab` (after {@link lookAway}). */
async function lookBack(tab: Page): Promise<void> {
  await tab.bringToFront()
  await tab.waitForFunction(() => document.hasFocus(), undefined, WAIT)
}

/**
 * Inbox rows are found by a pattern on their accessible name, which includes the last message's
 * preview: once "@Anna Rossi" or "Marco Bianchi: …" is in the Sales team preview, the direct
 * conversations are found by the start of the name.
 */
const MARCO = '^Marco Bianchi'
const ANNA = '^Anna Rossi'

/** Waits until `page`'s inbox row for `title` shows `text` as its last message (the tab has the state). */
async function inboxShows(page: Page, title: string, text: string): Promise<void> {
  await expect.poll(() => entry(page, title).innerText(), WAIT).toContain(text)
}

async function mention(page: Page, name: string, text: string): Promise<void> {
  const box = page.getByRole('textbox', { name: 'Message' })
  await box.pressSequentially(`@${name.slice(0, 3)}`)
  await page.getByRole('listbox', { name: 'Mention suggestions' }).getByRole('option', { name }).waitFor(WAIT)
  await box.press('Enter')
  await expect.poll(() => box.inputValue(), WAIT).toBe(`@${name} `)
  await box.pressSequentially(text)
  await box.press('Enter')
  await expect.poll(() => box.inputValue(), WAIT).toBe('')
}

async function inboxAction(page: Page, title: string, action: string): Promise<void> {
  await page.getByRole('button', { name: `More actions for ${title}` }).click()
  await page.getByRole('menuitem', { name: action }).click()
}

describe('notifications', () => {
  test('one notification per device with two tabs open, withdrawn when read on another device', async () => {
    await scene.startRelay()
    const anna = await signedInNotifying('Anna Rossi')
    const annaTab2 = await anna.context().newPage()
    await annaTab2.goto(anna.url())
    await entry(annaTab2, MARCO).waitFor(WAIT)
    const annaTabs = [anna, annaTab2]
    const marco = await scene.signedIn('Marco Bianchi')
    await openConversation(marco, ANNA)
    await lookAway(annaTabs)

    await send(marco, 'Are you free at four?')
    await expect.poll(async () => (await notifications(annaTabs)).length, WAIT).toBeGreaterThan(0)
    // Both tabs have the message; then neither may have shown a second notification.
    for (const tab of annaTabs) await inboxShows(tab, MARCO, 'Are you free at four?')
    const [notice, ...others] = await notifications(annaTabs)
    expect(others).toEqual([])
    expect(notice).toMatchObject({ title: 'Marco Bianchi', body: 'Are you free at four?', closed: false })
    await expect.poll(async () => (await notifications(annaTabs))[0]?.shown, WAIT).toBe(true)

    // Anna reads it on her phone: the notification on this device goes away.
    const phone = await scene.signedIn('Anna Rossi')
    await openConversation(phone, MARCO)
    await expect.poll(async () => (await notifications(annaTabs))[0]?.closed, WAIT).toBe(true)
    expect(await notifications(annaTabs)).toHaveLength(1)
  })

  test('a muted conversation stays quiet, mentions too; "Only mentions" notifies a mention only', async () => {
    await scene.startRelay()
    const anna = await signedInNotifying('Anna Rossi')
    const marco = await scene.signedIn('Marco Bianchi')
    await inboxAction(anna, 'Sales team', 'Mute notifications')
    await entry(anna, 'Sales team').getByRole('img', { name: 'Muted' }).waitFor(WAIT)
    await lookAway([anna])

    await openConversation(marco, 'Sales team')
    await send(marco, 'Numbers for March are in')
    await inboxShows(anna, 'Sales team', 'Numbers for March are in')
    await mention(marco, 'Anna Rossi', 'can you check them?')
    await inboxShows(anna, 'Sales team', 'can you check them?')
    // The direct conversation is not muted: its notification shows the Sales team ones would have by now.
    await openConversation(marco, ANNA)
    await send(marco, 'Call me when you can')
    await expect.poll(async () => (await notifications([anna])).map((n) => [n.title, n.body]), WAIT)
      .toEqual([['Marco Bianchi', 'Call me when you can']])

    // Back in the app: notify only about mentions, and unmute the group.
    await lookBack(anna)
    await anna.getByRole('button', { name: /^Account: / }).click()
    await anna.getByRole('menuitem', { name: 'Notifications' }).click()
    const settings = anna.getByRole('dialog', { name: 'Notifications' })
    await settings.getByRole('radio', { name: /Only mentions/ }).check()
    await settings.getByRole('button', { name: 'Done' }).click()
    await settings.waitFor({ state: 'detached', ...WAIT })
    await inboxAction(anna, 'Sales team', 'Unmute notifications')
    await expect.poll(() => entry(anna, 'Sales team').getByRole('img', { name: 'Muted' }).count(), WAIT).toBe(0)
    await lookAway([anna])

    await send(marco, 'No rush, just an update')
    await inboxShows(anna, MARCO, 'No rush, just an update')
    await openConversation(marco, 'Sales team')
    await mention(marco, 'Anna Rossi', 'the offer is ready')
    await expect.poll(async () => (await notifications([anna])).length, WAIT).toBe(2)
    expect((await notifications([anna]))[1]).toMatchObject({ title: 'Sales team', body: 'Marco Bianchi: @Anna Rossi the offer is ready' })
  })
})
