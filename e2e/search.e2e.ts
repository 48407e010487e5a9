/**
 * Search (issue 6) with the real app and relay, on the demo data:
 * - All shows each section with at most 3 results and "Show more" (to the section's tab); the
 *   tabs move with the arrow keys; the Messages tab shows 30 and "Show more" adds 30;
 * - a message hit highlights the match; opening it jumps to the message in its conversation
 *   (highlighted and focused), also in an older segment the device does not hold yet;
 * - colleague and contact results, and a contact found by its number typed with spaces, `+`,
 *   `00` or a leading 0;
 * - recent searches: only opened items, synced to a second device of the same user; Clear;
 * - "Create contact" for a number nobody has, seen by a colleague; a contact without an email
 *   address opens its card with the numbers to call;
 * - the keyboard: Ctrl+K and "/" focus the field, Down moves into the results, Escape leaves;
 * - a message deleted is no longer found; with the relay down the device still answers and says so.
 * The pure helpers (snippet, highlight segments, the load-until-found loop) are unit-tested in
 * `client/src/ui/format/search.test.ts`; matching itself in `client/src/search`.
 */
import type { Locator, Page } from 'playwright-core'
import { afterEach, describe, expect, test } from 'vitest'
import { AppScene, WAIT, conversations, message, messageLog, openConversation, send } from './support/appFlows.ts'

const scene = new AppScene()

afterEach(async (ctx) => {
  const errors = await scene.dispose(ctx.task.result?.state === 'fail')
  expect(errors, 'uncaught errors in the pages').toEqual([])
})

/** Searches on the whole 10,000-message conversation may wait for the relay or the device's index. */
const SLOW = { timeout: 45_000 }

const field = (page: Page): Locator => page.getByRole('searchbox', { name: 'Search' })
const panel = (page: Page): Locator => page.getByRole('region', { name: 'Search results' })
const tab = (page: Page, name: string): Locator => panel(page).getByRole('tab', { name, exact: true })
/** A section of results (a region named after it: "Messages", "Colleagues", …). */
const section = (page: Page, name: string): Locator => panel(page).getByRole('region', { name, exact: true })
/** The result buttons of a section (not its "Show more"). */
const results = (page: Page, name: string): Locator => section(page, name).getByRole('list').getByRole('button')
const showMore = (page: Page, name: string): Locator => section(page, name).getByRole('button', { name: 'Show more', exact: true })
const text = async (l: Locator): Promise<string> => (await l.textContent()) ?? ''

async function searchFor(page: Page, query: string): Promise<void> {
  await field(page).click()
  await field(page).fill(query)
  await panel(page).waitFor(WAIT)
}

/** The conversation view's title (the header's heading). */
const conversationTitle = (page: Page): Locator => page.locator('#conversation-title')

describe('search', () => {
  test('All shows at most 3 per section with Show more; the tabs; the Messages tab shows 30, then 30 more', async () => {
    await scene.startRelay()
    const lena = await scene.signedIn('Lena Fischer')

    // "ma": Madrid in the field reports, six colleagues (Marco, managers, Martín, Marketing), two contacts.
    await searchFor(lena, 'ma')
    expect(await tab(lena, 'All').getAttribute('aria-selected')).toBe('true')
    await expect.poll(() => results(lena, 'Colleagues').count(), WAIT).toBe(3)
    await expect.poll(() => results(lena, 'Messages').count(), SLOW).toBe(3)
    await expect.poll(() => results(lena, 'Contacts').count(), WAIT).toBe(2)
    expect(await showMore(lena, 'Colleagues').count()).toBe(1)
    expect(await showMore(lena, 'Messages').count()).toBe(1)
    expect(await showMore(lena, 'Contacts').count()).toBe(0)
    // No conversation is called "ma…": its section is left out.
    expect(await section(lena, 'Conversations').count()).toBe(0)
    // Sections in the reference's order.
    const order = await panel(lena).locator('section > h2').allTextContents()
    expect(order).toEqual(['Messages', 'Colleagues', 'Contacts'])

    // "Show more" switches to the section's tab, which shows all of them.
    await showMore(lena, 'Colleagues').click()
    expect(await tab(lena, 'Colleagues').getAttribute('aria-selected')).toBe('true')
    // The button went away with All: the focus is on the tab now.
    await expect.poll(() => tab(lena, 'Colleagues').evaluate((el) => el === document.activeElement), WAIT).toBe(true)
    await expect.poll(() => results(lena, 'Colleagues').count(), WAIT).toBe(6)
    for (const name of ['Marco Bianchi', 'Anna Rossi', 'Claire Dubois', 'Priya Shah', 'Diego Martín', 'Emma Wilson']) {
      expect(await text(section(lena, 'Colleagues'))).toContain(name)
    }
    await expect.poll(() => text(panel(lena).locator('.search-count')), WAIT).toBe('6 results')

    // Arrow keys move between the tabs.
    await tab(lena, 'Colleagues').focus()
    await lena.keyboard.press('ArrowRight')
    expect(await tab(lena, 'Contacts').getAttribute('aria-selected')).toBe('true')
    await expect.poll(() => lena.evaluate(() => document.activeElement?.textContent), WAIT).toBe('Contacts')
    await lena.keyboard.press('ArrowLeft')
    await lena.keyboard.press('ArrowLeft')
    expect(await tab(lena, 'Messages').getAttribute('aria-selected')).toBe('true')

    // The Messages tab: 30, then 30 more.
    await expect.poll(() => results(lena, 'Messages').count(), SLOW).toBe(30)
    await showMore(lena, 'Messages').click()
    await expect.poll(() => results(lena, 'Messages').count(), SLOW).toBe(60)
    expect(await showMore(lena, 'Messages').count()).toBe(1)

    // Nothing at all.
    await field(lena).fill('xylophonequartz')
    await panel(lena).getByText('No results for “xylophonequartz”').waitFor(WAIT)
  })

  test('a message hit highlights the match; opening it jumps to the message, highlighted and focused', async () => {
    await scene.startRelay()
    const anna = await scene.signedIn('Anna Rossi')

    await searchFor(anna, 'brochure')
    const hit = results(anna, 'Messages').first()
    await hit.waitFor(WAIT)
    expect(await hit.locator('mark').allTextContents()).toEqual(['brochure'])
    const hitText = await text(hit)
    expect(hitText).toContain('Emma Wilson')
    expect(hitText).toContain('Sales team')
    expect(hitText).toContain('The new brochure is ready')
    // The conversation's title matches nothing; the section is not there.
    expect(await section(anna, 'Conversations').count()).toBe(0)

    await hit.click()
    await expect.poll(() => new URL(anna.url()).pathname, WAIT).toBe('/c/sales-team')
    // The panel closed, the list is back, the field is empty.
    await conversations(anna).waitFor(WAIT)
    expect(await field(anna).inputValue()).toBe('')

    const row = message(anna, 'The new brochure is ready')
    await expect.poll(() => row.getAttribute('aria-current'), WAIT).toBe('true')
    expect(await row.getAttribute('class')).toContain('is-target')
    await expect.poll(() => row.evaluate((el) => el === document.activeElement), WAIT).toBe(true)
    // The highlight goes after a moment; the ?m= parameter is gone.
    await expect.poll(() => row.getAttribute('aria-current'), WAIT).toBeNull()
    expect(new URL(anna.url()).search).toBe('')
  })

  test('a message in an older segment, found by the server, opens in its conversation', async () => {
    await scene.startRelay()
    const lena = await scene.signedIn('Lena Fischer')

    // "Report 1: Bergamo, replaced the PoE switch" is the first of 10,000, in the older segment.
    await searchFor(lena, 'Report 1 Bergamo replaced')
    await tab(lena, 'Messages').click()
    const hit = results(lena, 'Messages').filter({ hasText: 'Report 1:' })
    await hit.waitFor(SLOW)
    expect(await hit.locator('mark').first().textContent()).toBe('Report')
    // Only the server has that segment: labelled so.
    expect(await text(hit)).toContain('From the server')
    await section(lena, 'Messages').getByText('Also found on the server (not on this device yet)').waitFor(WAIT)

    await hit.click()
    await expect.poll(() => new URL(lena.url()).pathname, WAIT).toBe('/c/field-reports')
    const row = message(lena, 'Report 1: Bergamo')
    await row.waitFor(SLOW)
    await expect.poll(() => row.getAttribute('aria-current'), WAIT).toBe('true')
    await expect.poll(() => row.evaluate((el) => el === document.activeElement), WAIT).toBe(true)
    // On screen, not just in the DOM.
    const box = await messageLog(lena).boundingBox()
    const at = await row.boundingBox()
    expect(box !== null && at !== null && at.y + at.height > box.y && at.y < box.y + box.height).toBe(true)
  })

  test('colleague and contact results; opening them opens the direct conversation', async () => {
    await scene.startRelay()
    const anna = await scene.signedIn('Anna Rossi')

    await searchFor(anna, 'lena')
    const lena = results(anna, 'Colleagues').first()
    await lena.waitFor(WAIT)
    const lenaText = await text(lena)
    expect(lenaText).toContain('Lena Fischer')
    expect(lenaText).toContain('Support Lead')
    expect(lenaText).toContain('lena@example.com')
    expect(lenaText).toContain('+39 045 555 0301')
    expect(await lena.locator('mark').allTextContents()).toEqual(['Lena', 'lena'])
    await lena.click()
    await expect.poll(() => text(conversationTitle(anna)), WAIT).toBe('Lena Fischer')

    await searchFor(anna, 'verona logistica')
    const giulia = results(anna, 'Contacts').first()
    await giulia.waitFor(WAIT)
    const giuliaText = await text(giulia)
    expect(giuliaText).toContain('Giulia Conti')
    expect(giuliaText).toContain('Verona Logistica')
    expect(giuliaText).toContain('verona@customer.example.com')
    expect(giuliaText).toContain('+39 045 8001234')
    await giulia.click()
    await expect.poll(() => text(conversationTitle(anna)), WAIT).toContain('Giulia Conti')
  })

  test('a contact is found by its number typed with spaces, +, 00 or a leading 0', async () => {
    await scene.startRelay()
    const marco = await scene.signedIn('Marco Bianchi')

    for (const query of ['+39 045 8001234', '+390458001234', '0039 045 800 1234', '045 8001234', '8001234']) {
      await searchFor(marco, query)
      await expect.poll(() => text(section(marco, 'Contacts')), WAIT).toContain('Giulia Conti')
      expect(await results(marco, 'Contacts').count()).toBe(1)
      expect(await panel(marco).getByRole('button', { name: 'Create contact', exact: true }).count()).toBe(0)
    }
  })

  test('recent searches: only opened items, on a second device of the same user too; Clear', async () => {
    await scene.startRelay()
    const anna = await scene.signedIn('Anna Rossi')

    // Before any search: nothing recent.
    await field(anna).click()
    await panel(anna).getByText('Type to search conversations, messages, colleagues and contacts.').waitFor(WAIT)
    expect(await panel(anna).getByRole('button', { name: 'Clear', exact: true }).count()).toBe(0)

    // Searched but not opened: not remembered. Opened: remembered, in its category.
    await field(anna).fill('priya')
    await results(anna, 'Colleagues').first().waitFor(WAIT)
    await field(anna).fill('sales')
    await results(anna, 'Conversations').first().click()
    await expect.poll(() => new URL(anna.url()).pathname, WAIT).toBe('/c/sales-team')
    await searchFor(anna, 'lena')
    await results(anna, 'Colleagues').first().click()
    await expect.poll(() => text(conversationTitle(anna)), WAIT).toBe('Lena Fischer')

    await field(anna).click()
    const recent = panel(anna).getByRole('region', { name: /^Recent / })
    await expect.poll(() => recent.count(), WAIT).toBe(2)
    expect(await text(panel(anna).getByRole('region', { name: 'Recent conversations' }))).toContain('Sales team')
    expect(await text(panel(anna).getByRole('region', { name: 'Recent colleagues' }))).toContain('Lena Fischer')
    expect(await text(panel(anna))).not.toContain('Priya')
    // Headings per category on All.
    expect(await panel(anna).locator('h3').allTextContents()).toEqual(['Conversations', 'Colleagues'])
    // A category's tab shows only its own.
    await tab(anna, 'Colleagues').click()
    await expect.poll(() => recent.count(), WAIT).toBe(1)
    expect(await text(recent)).toContain('Lena Fischer')
    await anna.keyboard.press('Escape')

    // Anna's second device sees them (the private document syncs) and opens one.
    const second = await scene.signedIn('Anna Rossi')
    await field(second).click()
    await expect.poll(() => text(panel(second)), WAIT).toContain('Sales team')
    expect(await text(panel(second))).toContain('Lena Fischer')
    await panel(second).getByRole('region', { name: 'Recent conversations' }).getByRole('button').first().click()
    await expect.poll(() => new URL(second.url()).pathname, WAIT).toBe('/c/sales-team')

    // Clear on a tab clears that category; Clear on All clears everything, on every device.
    await field(second).click()
    await tab(second, 'Colleagues').click()
    await panel(second).getByRole('button', { name: 'Clear', exact: true }).click()
    await panel(second).getByText('Type to search colleagues.').waitFor(WAIT)
    // The button went away: the focus is back in the field, the panel stays.
    await expect.poll(() => field(second).evaluate((el) => el === document.activeElement), WAIT).toBe(true)
    await tab(second, 'All').click()
    await expect.poll(() => text(panel(second)), WAIT).toContain('Sales team')
    await panel(second).getByRole('button', { name: 'Clear', exact: true }).click()
    await panel(second).getByText('Type to search conversations, messages, colleagues and contacts.').waitFor(WAIT)
    await field(anna).click()
    await panel(anna).getByText('Type to search conversations, messages, colleagues and contacts.').waitFor(WAIT)
  })

  test('Create contact for a number nobody has; a colleague finds it; without email it opens its card', async () => {
    await scene.startRelay()
    const anna = await scene.signedIn('Anna Rossi')

    await searchFor(anna, '+39 02 9876 5432')
    await panel(anna).getByText('No contact has this number').waitFor(WAIT)
    await panel(anna).getByRole('button', { name: 'Create contact', exact: true }).click()
    const dialog = anna.getByRole('dialog', { name: 'Create contact' })
    await dialog.waitFor(WAIT)
    expect(await dialog.getByLabel('Phone').inputValue()).toBe('+39 02 9876 5432')
    // The name is required: an error in the dialog, nothing saved.
    await dialog.getByRole('button', { name: 'Create', exact: true }).click()
    await dialog.getByRole('alert').filter({ hasText: 'Enter a name.' }).waitFor(WAIT)
    await dialog.getByLabel('Name').fill('Rosa Neri')
    await dialog.getByLabel('Company (optional)').fill('Neri Impianti')
    await dialog.getByRole('button', { name: 'Create', exact: true }).click()
    await dialog.waitFor({ state: 'detached', ...WAIT })

    // The query stays; the new contact shows once the phonebook syncs.
    expect(await field(anna).inputValue()).toBe('+39 02 9876 5432')
    await expect.poll(() => text(section(anna, 'Contacts')), WAIT).toContain('Rosa Neri')
    expect(await panel(anna).getByText('No contact has this number').count()).toBe(0)

    // Marco finds it by name and by the number without spaces.
    const marco = await scene.signedIn('Marco Bianchi')
    await searchFor(marco, 'rosa neri')
    await expect.poll(() => text(section(marco, 'Contacts')), WAIT).toContain('Neri Impianti')
    await field(marco).fill('0298765432')
    await expect.poll(() => text(section(marco, 'Contacts')), WAIT).toContain('Rosa Neri')

    // No email address: its card, with the number to call.
    await results(marco, 'Contacts').first().click()
    const card = marco.getByRole('dialog', { name: 'Contact' })
    await card.waitFor(WAIT)
    expect(await text(card)).toContain('Rosa Neri')
    expect(await text(card)).toContain('Neri Impianti')
    expect(await card.getByRole('link', { name: '+39 02 9876 5432' }).getAttribute('href')).toBe('tel:+390298765432')
    await card.getByRole('button', { name: 'Close', exact: true }).first().click()
    await card.waitFor({ state: 'detached', ...WAIT })
  })

  test('the keyboard: Ctrl+K and "/" focus the field, Down moves into the results, Enter opens, Escape leaves', async () => {
    await scene.startRelay()
    const anna = await scene.signedIn('Anna Rossi')

    await anna.keyboard.press('Control+k')
    await expect.poll(() => field(anna).evaluate((el) => el === document.activeElement), WAIT).toBe(true)
    // Focused and empty: the panel in place of the list.
    await panel(anna).waitFor(WAIT)
    expect(await conversations(anna).isVisible()).toBe(false)
    await anna.keyboard.type('announcements')
    await results(anna, 'Conversations').first().waitFor(WAIT)
    await anna.keyboard.press('Escape')
    expect(await field(anna).inputValue()).toBe('')
    await panel(anna).waitFor({ state: 'detached', ...WAIT })
    await conversations(anna).waitFor(WAIT)

    await anna.keyboard.press('/')
    await expect.poll(() => field(anna).evaluate((el) => el === document.activeElement), WAIT).toBe(true)
    expect(await field(anna).inputValue()).toBe('')
    await anna.keyboard.type('company')
    const first = results(anna, 'Conversations').first()
    await first.waitFor(WAIT)
    await anna.keyboard.press('ArrowDown')
    expect(await first.evaluate((el) => el === document.activeElement)).toBe(true)
    await anna.keyboard.press('ArrowUp')
    expect(await field(anna).evaluate((el) => el === document.activeElement)).toBe(true)
    await anna.keyboard.press('ArrowDown')
    await anna.keyboard.press('Enter')
    await expect.poll(() => text(conversationTitle(anna)), WAIT).toBe('Company announcements')

    // "/" in the composer is just a character.
    await openConversation(anna, 'Sales team')
    const composer = anna.getByRole('textbox', { name: 'Message' })
    await composer.click()
    await anna.keyboard.type('a/b')
    expect(await composer.inputValue()).toBe('a/b')
  })

  test('a deleted message is no longer found; offline, the device answers and says the server part is missing', async () => {
    const relay = await scene.startRelay()
    const lena = await scene.signedIn('Lena Fischer')
    await openConversation(lena, 'Field reports')
    await send(lena, 'Appunti dal cantiere di Bolzano: perché manca il cavo?')
    await searchFor(lena, 'bolzano perche')
    await expect.poll(() => results(lena, 'Messages').count(), SLOW).toBe(1)
    await field(lena).press('Escape')

    await message(lena, 'Appunti dal cantiere').hover()
    await message(lena, 'Appunti dal cantiere').getByRole('button', { name: 'Message actions' }).click()
    await lena.getByRole('menuitem', { name: 'Delete' }).click()
    await lena.getByRole('dialog', { name: 'Delete message?' }).getByRole('button', { name: 'Delete' }).click()
    await searchFor(lena, 'bolzano')
    await expect.poll(() => section(lena, 'Messages').count(), SLOW).toBe(0)
    await field(lena).press('Escape')

    await relay.stop()
    // Report 9999 is in the segment on the device; older reports are only at the relay.
    await searchFor(lena, 'report 9999')
    await expect.poll(() => text(results(lena, 'Messages').first()), SLOW).toContain('Report 9999:')
    await expect.poll(() => text(panel(lena).locator('.search-relay')), SLOW).toBe('Offline: showing what is on this device')
  })
})
