/**
 * Presence and status (issue 5) with the real app and relay:
 * - Anna sets Busy with a status message clearing after an hour; Marco sees it in his inbox row
 *   and in the header of their conversation;
 * - the "Set status" form counts characters as a person does and refuses 101 of them;
 * - Anna with two tabs is "Online" for Marco; closing one keeps it; closing all shows "Last seen";
 * - Claire (with the "can modify presence" permission) sets Marco to Away from her inbox;
 * - a status set offline applies at once and reaches Marco after the relay is back;
 * - a clear-after that passes while Marco's device is offline clears there on time;
 * - updates crafted around the app with a real session (a 101-character message, a colleague's
 *   status without the permission) are refused by the relay.
 * Presence rules themselves (clear-after, online window, last-seen texts) are unit-tested in
 * `schema/src/presenceRules.ts`; the form's helpers in `client/src/ui/format/presence.ts`.
 */
import { OFFLINE_GRACE_MS, Origin, Reason, docName, writeStatus, type UserId } from '@waggle/schema'
import type { Locator, Page } from 'playwright-core'
import { afterEach, describe, expect, test } from 'vitest'
import { YKeyValue } from 'y-utility/y-keyvalue'
import type * as Y from 'yjs'
import { TestClient } from '../sync-server/src/testing/TestClient.ts'
import { signIn } from './support/auth.ts'
import { AppScene, WAIT, conversations, entry, openConversation, syncStatus } from './support/appFlows.ts'

const scene = new AppScene()

afterEach(async (ctx) => {
  const errors = await scene.dispose(ctx.task.result?.state === 'fail')
  expect(errors, 'uncaught errors in the pages').toEqual([])
})

const account = (page: Page): Locator => page.getByRole('button', { name: /^Account: / })
/** The presence line under the title of an open direct conversation ("Busy · Online · …"). */
const headerPresence = (page: Page): Locator => page.locator('.conversation-header .conversation-presence')
const text = async (l: Locator): Promise<string> => (await l.textContent()) ?? ''

async function openSetStatus(page: Page): Promise<Locator> {
  await account(page).click()
  await page.getByRole('menuitem', { name: 'Set status…' }).click()
  const dialog = page.getByRole('dialog', { name: 'Set status' })
  await dialog.waitFor(WAIT)
  return dialog
}

/** Whether the account menu shows `availability` checked (opens the menu, reads it, closes it). */
async function checkedInMenu(page: Page, availability: string): Promise<string | null> {
  await account(page).click()
  const item = page.getByRole('menuitemradio', { name: availability, exact: true })
  await item.waitFor(WAIT)
  const checked = await item.getAttribute('aria-checked')
  await item.press('Escape')
  await page.getByRole('menu').waitFor({ state: 'detached', ...WAIT })
  return checked
}

/**
 * Asserts `check` on every poll for `ms` (something that must not happen within a period, e.g.
 * going offline within the relay's grace period): the poll ends when the period is over.
 */
async function holdsFor(ms: number, check: () => Promise<boolean>): Promise<void> {
  const start = Date.now()
  const failed: number[] = []
  await expect.poll(async () => {
    if (!(await check())) failed.push(Date.now() - start)
    return Date.now() - start
  }, { timeout: ms + WAIT.timeout, interval: 500 }).toBeGreaterThan(ms)
  expect(failed, 'times (ms after the start) at which it did not hold').toEqual([])
}

describe('presence and status', () => {
  test('Anna sets Busy with a message clearing after an hour; Marco sees it in his inbox and in their conversation', async () => {
    await scene.startRelay()
    const anna = await scene.signedIn('Anna Rossi')
    const marco = await scene.signedIn('Marco Bianchi')

    const dialog = await openSetStatus(anna)
    await dialog.getByRole('radio', { name: 'Busy' }).check()
    await dialog.getByLabel('Status message').fill('Visiting customers 🚗')
    // The emoji counts as one character.
    await dialog.getByText('20/100').waitFor(WAIT)
    await dialog.getByLabel('Clear after').selectOption({ label: '1 hour' })
    await dialog.getByRole('button', { name: 'Save', exact: true }).click()
    await dialog.waitFor({ state: 'detached', ...WAIT })

    // Her own account button and menu.
    await expect.poll(() => text(account(anna)), WAIT).toContain('Visiting customers 🚗')
    expect(await checkedInMenu(anna, 'Busy')).toBe('true')
    expect(await checkedInMenu(anna, 'Available')).toBe('false')

    // Marco's inbox row: the status line and, for screen readers, "Busy, Online".
    const row = entry(marco, 'Anna Rossi')
    await expect.poll(() => text(row), WAIT).toContain('Visiting customers 🚗')
    await expect.poll(() => text(row), WAIT).toContain('Busy, Online')
    // The conversation's header: availability, online, the message and when it clears.
    await openConversation(marco, 'Anna Rossi')
    await expect.poll(() => text(headerPresence(marco)), WAIT).toContain('Visiting customers 🚗')
    const header = await text(headerPresence(marco))
    expect(header).toContain('Busy')
    expect(header).toContain('Online')
    expect(header).toMatch(/until \d{1,2}[:.]\d{2}/)

    // Clear status: back to Available without a message, for Marco too.
    await account(anna).click()
    await anna.getByRole('menuitem', { name: 'Clear status' }).click()
    await expect.poll(() => text(headerPresence(marco)), WAIT).not.toContain('Visiting customers')
    expect(await text(headerPresence(marco))).toContain('Available')
  })

  test('a status message of 101 characters is refused with a clear error; Save does nothing', async () => {
    await scene.startRelay()
    const anna = await scene.signedIn('Anna Rossi')

    const dialog = await openSetStatus(anna)
    const field = dialog.getByLabel('Status message')
    // 100 characters as a person counts them (each flag is two code points) are fine.
    await field.fill('🇮🇹'.repeat(100))
    await dialog.getByText('100/100').waitFor(WAIT)
    expect(await dialog.getByRole('alert').count()).toBe(0)
    expect(await field.getAttribute('aria-invalid')).toBe('false')

    const tooLong = 'x'.repeat(101)
    await field.fill(tooLong)
    await dialog.getByText('101/100').waitFor(WAIT)
    const alert = dialog.getByRole('alert')
    await alert.waitFor(WAIT)
    expect(await alert.innerText()).toMatch(/1 character too long \(at most 100\)/)
    expect(await field.getAttribute('aria-invalid')).toBe('true')

    await dialog.getByRole('button', { name: 'Save', exact: true }).click()
    // Still open, with the text and the error; nothing was set.
    expect(await dialog.isVisible()).toBe(true)
    expect(await field.inputValue()).toBe(tooLong)
    expect(await alert.isVisible()).toBe(true)
    await dialog.getByRole('button', { name: 'Cancel' }).click()
    await dialog.waitFor({ state: 'detached', ...WAIT })
    expect(await text(account(anna))).not.toContain('xxxx')
    expect(await checkedInMenu(anna, 'Available')).toBe('true')
  })

  test('Anna with two tabs is Online for Marco; closing one keeps it; closing all shows Last seen', async () => {
    await scene.startRelay()
    const anna = await scene.signedIn('Anna Rossi')
    const second = await scene.deviceOf(anna).newTab('/')
    await conversations(second).waitFor(WAIT)
    const marco = await scene.signedIn('Marco Bianchi')

    const row = entry(marco, 'Anna Rossi')
    await expect.poll(() => text(row), WAIT).toContain('Available, Online')
    await openConversation(marco, 'Anna Rossi')
    await expect.poll(() => text(headerPresence(marco)), WAIT).toContain('Online')

    // The first tab (which may hold the device's connection) goes: the other tab keeps her online,
    // also past the grace period the relay gives a device that went away.
    await anna.close()
    await holdsFor(OFFLINE_GRACE_MS + 5_000, async () => (await text(headerPresence(marco))).includes('Online'))
    expect(await text(row)).toContain('Online')

    // Every page of her device closed: "Last seen" within the grace period and the usual wait.
    for (const page of scene.deviceOf(second).context.pages()) await page.close()
    const deadline = { timeout: OFFLINE_GRACE_MS + WAIT.timeout }
    await expect.poll(() => text(headerPresence(marco)), deadline).toMatch(/Last seen/)
    expect(await text(headerPresence(marco))).not.toContain('Online')
    await expect.poll(() => text(row), WAIT).toMatch(/Available, Last seen/)
  })

  test('Claire, who may modify presence, sets Marco to Away from her inbox; Marco sees Away checked', async () => {
    await scene.startRelay()
    const marco = await scene.signedIn('Marco Bianchi')
    const claire = await scene.signedIn('Claire Dubois')

    // Marco may not: no such entry in his row for Anna.
    await conversations(marco).getByRole('button', { name: 'More actions for Anna Rossi' }).click()
    await marco.getByRole('menuitem', { name: 'Hide' }).waitFor(WAIT)
    expect(await marco.getByRole('menuitem', { name: 'Set presence status' }).count()).toBe(0)
    await marco.getByRole('menuitem', { name: 'Hide' }).press('Escape')

    // Claire opens a conversation with Marco, then uses its row's menu.
    await claire.getByRole('button', { name: 'New conversation' }).click()
    await claire.getByLabel('Search people or type an email address').fill('Marco')
    await claire.getByRole('button', { name: 'Marco Bianchi' }).click()
    await claire.getByRole('textbox', { name: 'Message' }).waitFor(WAIT)
    await conversations(claire).getByRole('button', { name: 'More actions for Marco Bianchi' }).click()
    await claire.getByRole('menuitem', { name: 'Set presence status' }).click()
    const dialog = claire.getByRole('dialog', { name: 'Set presence status for Marco Bianchi' })
    await dialog.waitFor(WAIT)
    await dialog.getByRole('button', { name: 'Away', exact: true }).click()
    await dialog.waitFor({ state: 'detached', ...WAIT })
    await expect.poll(() => text(entry(claire, 'Marco Bianchi')), WAIT).toContain('Away')

    // Marco: his account button and menu show Away.
    await expect.poll(() => text(account(marco)), WAIT).toContain('Away')
    expect(await checkedInMenu(marco, 'Away')).toBe('true')
    expect(await checkedInMenu(marco, 'Available')).toBe('false')
  })

  test('a status set offline applies at once and reaches Marco once the relay is back', async () => {
    const relay = await scene.startRelay()
    const anna = await scene.signedIn('Anna Rossi')
    const marco = await scene.signedIn('Marco Bianchi')
    await expect.poll(() => text(entry(marco, 'Anna Rossi')), WAIT).toContain('Available')

    await relay.stop()
    await expect.poll(() => syncStatus(anna).innerText(), WAIT).toMatch(/Offline|Connecting/)
    await account(anna).click()
    await anna.getByRole('menuitemradio', { name: 'Away', exact: true }).click()
    await expect.poll(() => text(account(anna)), WAIT).toContain('Away')
    expect(await checkedInMenu(anna, 'Away')).toBe('true')

    await relay.restart()
    await expect.poll(() => text(entry(marco, 'Anna Rossi')), WAIT).toContain('Away')
  })

  test('a clear-after that passes while the device is offline clears the status there on time', async () => {
    const relay = await scene.startRelay()
    const marco = await scene.signedIn('Marco Bianchi')
    // Anna's other device (a session of hers over the relay's protocol) sets a status that
    // clears 8 seconds from now.
    const session = await signIn(relay.url, 'anna@example.com')
    const other = await TestClient.connect(relay.wsUrl, session.token)
    const clearAt = Date.now() + 8_000
    try {
      const presence = docName.presence('anna' as UserId)
      await other.subscribe(presence)
      expect(await other.write(presence, (doc) => writeStatus(doc, {
        availability: 'busy', message: 'Back in a moment', clearAt, updatedAt: Date.now(), updatedBy: 'anna' as UserId,
      }, Origin.local))).toEqual({ acked: true })
    } finally {
      await other.close()
    }
    const row = entry(marco, 'Anna Rossi')
    await expect.poll(() => text(row), WAIT).toContain('Back in a moment')

    // Marco's device goes offline; the status still clears at its time, not at reconnection.
    await relay.stop()
    await expect.poll(() => syncStatus(marco).innerText(), WAIT).toMatch(/Offline|Connecting/)
    await expect.poll(() => text(row), { timeout: clearAt - Date.now() + WAIT.timeout }).not.toContain('Back in a moment')
    expect(Date.now()).toBeGreaterThanOrEqual(clearAt)
    expect(await text(row)).toContain('Available')
    expect(await syncStatus(marco).innerText()).toMatch(/Offline|Connecting/)
  })

  test('the relay refuses crafted presence updates: a 101-character message, a colleague\'s status without the permission', async () => {
    const relay = await scene.startRelay()
    const annaPresence = docName.presence('anna' as UserId)
    const status = (message: string, by: string) => (doc: Y.Doc) => writeUnchecked(doc, {
      availability: 'busy', message, updatedAt: Date.now(), updatedBy: by,
    })

    const anna = await TestClient.connect(relay.wsUrl, (await signIn(relay.url, 'anna@example.com')).token)
    const marco = await TestClient.connect(relay.wsUrl, (await signIn(relay.url, 'marco@example.com')).token)
    try {
      await anna.subscribe(annaPresence)
      expect(await anna.write(annaPresence, status('x'.repeat(101), 'anna'))).toEqual({ rejected: Reason.invalidContent })
      await marco.subscribe(annaPresence)
      expect(await marco.write(annaPresence, status('Marco says so', 'anna'))).toEqual({ rejected: Reason.readOnly })
    } finally {
      await anna.close()
      await marco.close()
    }
    // Nothing of it reached anyone: Marco's app shows Anna as she was.
    const page = await scene.signedIn('Marco Bianchi')
    const row = entry(page, 'Anna Rossi')
    await expect.poll(() => text(row), WAIT).toContain('Available')
    expect(await text(row)).not.toContain('Marco says so')
    expect(await text(row)).not.toContain('xxxx')
  })
})

/**
 * Writes a status value as a modified client would, without the schema's checks (writeStatus
 * refuses what the relay must refuse too): the presence document's key-value entry, raw.
 */
function writeUnchecked(doc: Y.Doc, status: Record<string, unknown>): void {
  doc.transact(() => new YKeyValue(doc.getArray<{ key: string; val: unknown }>('presence')).set('status', status), Origin.local)
}
