/**
 * Organising conversations across one person's devices (issue 4): Anna on two devices (two
 * Chromium profiles) and Marco. Pins, archive, hide, mute and drafts live in Anna's private
 * document, so what she does on one device shows on the other. Browser notifications are
 * decided in the pure `client/src/bind/notify.ts` (unit-tested: once per account, withdrawal
 * on read, mute, setting); here only the synced "Notifications" setting is driven.
 */
import type { Page } from 'playwright-core'
import { afterEach, describe, expect, test } from 'vitest'
import { AppScene, WAIT, conversations, entry, openConversation, send } from './support/appFlows.ts'

const scene = new AppScene()

afterEach(async (ctx) => {
  const errors = await scene.dispose(ctx.task.result?.state === 'fail')
  expect(errors, 'uncaught errors in the pages').toEqual([])
})

async function rowAction(page: Page, title: string, action: string): Promise<void> {
  await conversations(page).getByRole('button', { name: `More actions for ${title}` }).click()
  await page.getByRole('menuitem', { name: action, exact: true }).click()
}

const titles = (page: Page) => conversations(page).locator('.conv-title').allInnerTexts()
const composer = (page: Page) => page.getByRole('textbox', { name: 'Message' })

describe('organising conversations', () => {
  test('pin, archive, hide and mute on one device show on the other; a new message brings a hidden one back', async () => {
    await scene.startRelay()
    const phone = await scene.signedIn('Anna Rossi')
    const laptop = await scene.signedIn('Anna Rossi')
    const marco = await scene.signedIn('Marco Bianchi')

    // Pin on the phone: first, with the pin, on the laptop.
    await expect.poll(() => titles(laptop), WAIT).toContain('Marco Bianchi')
    await rowAction(phone, 'Marco Bianchi', 'Pin')
    await expect.poll(async () => (await titles(laptop))[0], WAIT).toBe('Marco Bianchi')
    await expect.poll(() => entry(laptop, 'Marco Bianchi').getByRole('img', { name: 'Pinned' }).count(), WAIT).toBe(1)

    // Archive on the laptop: gone from All on the phone, listed under Archived there.
    await rowAction(laptop, 'Sales team', 'Archive')
    await expect.poll(() => titles(phone), WAIT).not.toContain('Sales team')
    await phone.getByRole('radio', { name: 'Archived' }).check()
    await expect.poll(() => titles(phone), WAIT).toEqual(['Sales team'])
    await phone.getByRole('radio', { name: 'All' }).check()

    // Mute on the phone: the laptop's row shows it muted, and the menu offers to unmute.
    await rowAction(phone, 'Marco Bianchi', 'Mute notifications')
    await expect.poll(() => entry(laptop, 'Marco Bianchi').getByRole('img', { name: 'Muted' }).count(), WAIT).toBe(1)
    await conversations(laptop).getByRole('button', { name: 'More actions for Marco Bianchi' }).click()
    await expect.poll(() => laptop.getByRole('menuitem', { name: 'Unmute notifications' }).count(), WAIT).toBe(1)
    await laptop.getByRole('menuitem', { name: 'Unmute notifications' }).press('Escape')
    await expect.poll(() => laptop.getByRole('menu').count(), WAIT).toBe(0)

    // Hide on the laptop: gone on both devices until Marco writes again.
    await rowAction(laptop, 'Marco Bianchi', 'Hide')
    await expect.poll(() => titles(laptop), WAIT).not.toContain('Marco Bianchi')
    await expect.poll(() => titles(phone), WAIT).not.toContain('Marco Bianchi')
    await openConversation(marco, 'Anna Rossi')
    await send(marco, 'Are you there? Verona called again.')
    await expect.poll(() => entry(phone, 'Marco Bianchi').innerText(), WAIT).toContain('Verona called again')
    await expect.poll(() => entry(laptop, 'Marco Bianchi').innerText(), WAIT).toContain('Verona called again')
  })

  test('a draft typed on one device shows in the other device\'s composer, survives a reload, and goes when sent', async () => {
    await scene.startRelay()
    const phone = await scene.signedIn('Anna Rossi')
    const laptop = await scene.signedIn('Anna Rossi')

    await openConversation(phone, 'Marco Bianchi')
    // The direct conversation's header lists the groups Anna and Marco are both in.
    await expect.poll(() => phone.getByRole('region', { name: 'Conversations in common' }).innerText(), WAIT).toContain('Sales team')
    await composer(phone).fill('Draft: numbers for Verona by Friday')
    await expect.poll(() => entry(laptop, 'Marco Bianchi').innerText(), WAIT).toContain('Draft: Draft: numbers for Verona by Friday')

    await openConversation(laptop, 'Marco Bianchi')
    await expect.poll(() => composer(laptop).inputValue(), WAIT).toBe('Draft: numbers for Verona by Friday')
    await laptop.reload()
    await composer(laptop).waitFor(WAIT)
    await expect.poll(() => composer(laptop).inputValue(), WAIT).toBe('Draft: numbers for Verona by Friday')

    // Sending on the laptop clears the draft everywhere, including the phone's open composer.
    await send(laptop, 'Numbers for Verona by Friday, promised.')
    await expect.poll(() => composer(phone).inputValue(), WAIT).toBe('')
    await expect.poll(() => entry(phone, 'Marco Bianchi').innerText(), WAIT).not.toContain('Draft:')
  })

  test('the notification setting is chosen in the account menu and follows the person to the other device', async () => {
    await scene.startRelay()
    const phone = await scene.signedIn('Anna Rossi')
    const laptop = await scene.signedIn('Anna Rossi')

    await phone.getByRole('button', { name: 'Account: Anna Rossi' }).click()
    await phone.getByRole('menuitem', { name: 'Notifications', exact: true }).click()
    const settings = phone.getByRole('region', { name: 'Notifications' })
    await settings.getByRole('radio', { name: /Only mentions/ }).check()

    await laptop.getByRole('button', { name: 'Account: Anna Rossi' }).click()
    await laptop.getByRole('menuitem', { name: 'Notifications', exact: true }).click()
    await expect.poll(() => laptop.getByRole('region', { name: 'Notifications' }).getByRole('radio', { name: /Only mentions/ }).isChecked(), WAIT).toBe(true)
  })
})
