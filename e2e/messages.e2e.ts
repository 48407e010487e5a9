/**
 * Messages (issue 4) with the real app on two devices, Anna and Marco, in their direct
 * conversation: reply with a quote, edit, delete and react reach the other device; a mention
 * marks the other's inbox; a message forwarded to a group shows its original author there; an
 * edit and a delete made while the relay is down converge after.
 */
import type { Page } from 'playwright-core'
import { afterEach, describe, expect, test } from 'vitest'
import { AppScene, WAIT, entry, message, messageLog, openConversation, send, syncStatus } from './support/appFlows.ts'

const scene = new AppScene()

afterEach(async (ctx) => {
  const errors = await scene.dispose(ctx.task.result?.state === 'fail')
  expect(errors, 'uncaught errors in the pages').toEqual([])
})

async function act(page: Page, text: string, action: 'Reply' | 'Forward' | 'Edit' | 'Delete' | 'Add reaction'): Promise<void> {
  const row = message(page, text)
  await row.hover()
  await row.getByRole('button', { name: 'Message actions' }).click()
  await page.getByRole('menuitem', { name: action }).click()
}

async function edit(page: Page, text: string, next: string): Promise<void> {
  await act(page, text, 'Edit')
  const box = page.getByRole('textbox', { name: 'Message' })
  await expect.poll(() => box.inputValue(), WAIT).toBe(text)
  await box.fill(next)
  await box.press('Enter')
  await expect.poll(() => box.inputValue(), WAIT).toBe('')
}

async function remove(page: Page, text: string): Promise<void> {
  await act(page, text, 'Delete')
  await page.getByRole('dialog', { name: 'Delete message?' }).getByRole('button', { name: 'Delete' }).click()
}

const deletedCount = (page: Page) => messageLog(page).locator('.msg-row').filter({ hasText: 'Message deleted' }).count()

async function bothOpen(): Promise<{ anna: Page; marco: Page }> {
  const anna = await scene.signedIn('Anna Rossi')
  const marco = await scene.signedIn('Marco Bianchi')
  await openConversation(anna, 'Marco Bianchi')
  await openConversation(marco, 'Anna Rossi')
  return { anna, marco }
}

describe('messages', () => {
  test('a reply quotes its message; edit, delete and a reaction reach the other device', async () => {
    await scene.startRelay()
    const { anna, marco } = await bothOpen()

    await send(marco, 'Shall we meet at three?')
    await message(anna, 'Shall we meet at three?').waitFor(WAIT)
    await act(anna, 'Shall we meet at three?', 'Reply')
    await anna.getByRole('group', { name: 'Replying to' }).waitFor(WAIT)
    await send(anna, 'Three works')
    await expect.poll(() => message(marco, 'Three works').getByRole('button', { name: /^Reply to .*Shall we meet at three\?/ }).count(), WAIT).toBe(1)

    await edit(anna, 'Three works', 'Three works for me')
    await expect.poll(() => message(marco, 'Three works for me').innerText(), WAIT).toContain('(edited)')

    await act(marco, 'Three works for me', 'Add reaction')
    await marco.getByRole('dialog', { name: 'Add reaction' }).getByRole('button', { name: '👍' }).click()
    const chip = message(anna, 'Three works for me').getByRole('button', { name: '👍 1' })
    await chip.waitFor(WAIT)
    expect(await chip.getAttribute('title')).toContain('Marco Bianchi')
    expect(await message(marco, 'Three works for me').getByRole('button', { name: '👍 1' }).getAttribute('aria-pressed')).toBe('true')

    await send(anna, 'Wrong chat, sorry')
    await message(marco, 'Wrong chat, sorry').waitFor(WAIT)
    const before = await deletedCount(marco)
    await remove(anna, 'Wrong chat, sorry')
    await expect.poll(() => message(marco, 'Wrong chat, sorry').count(), WAIT).toBe(0)
    await expect.poll(() => deletedCount(marco), WAIT).toBe(before + 1)
  })

  test('a mention chosen with @ is highlighted and marks the other inbox', async () => {
    await scene.startRelay()
    const anna = await scene.signedIn('Anna Rossi')
    const marco = await scene.signedIn('Marco Bianchi')
    await openConversation(anna, 'Marco Bianchi')

    const box = anna.getByRole('textbox', { name: 'Message' })
    await box.pressSequentially('@Mar')
    await anna.getByRole('listbox', { name: 'Mention suggestions' }).getByRole('option', { name: 'Marco Bianchi' }).waitFor(WAIT)
    await box.press('Enter')
    await expect.poll(() => box.inputValue(), WAIT).toBe('@Marco Bianchi ')
    await box.pressSequentially('please check the Verona offer')
    await box.press('Enter')
    await expect.poll(() => message(anna, 'please check the Verona offer').locator('.msg-mention').innerText(), WAIT).toBe('@Marco Bianchi')

    await expect.poll(() => entry(marco, 'Anna Rossi').getByRole('img', { name: /including a mention of you/ }).count(), WAIT).toBe(1)
  })

  test('a forwarded message reaches the group marked with its original author', async () => {
    await scene.startRelay()
    const { anna, marco } = await bothOpen()
    await send(marco, 'The client accepts 5% off')
    await message(anna, 'The client accepts 5% off').waitFor(WAIT)

    await act(anna, 'The client accepts 5% off', 'Forward')
    const dialog = anna.getByRole('dialog', { name: 'Forward message' })
    await dialog.getByRole('list', { name: 'Forward to' }).getByRole('button', { name: 'Sales team' }).click()
    await dialog.waitFor({ state: 'detached', ...WAIT })

    // The copy is Anna's message in Sales team, marked as forwarded from Marco's original.
    await openConversation(marco, 'Sales team')
    const copy = message(marco, 'The client accepts 5% off')
    await copy.waitFor(WAIT)
    expect(await copy.locator('.msg-forwarded').innerText()).toBe('Forwarded from Marco Bianchi')
    expect(await copy.innerText()).toContain('Anna Rossi')
    await openConversation(anna, 'Sales team')
    await expect.poll(() => message(anna, 'The client accepts 5% off').innerText(), WAIT).toMatch(/Sent|Seen/)
  })

  test('an edit and a delete made while the relay is down converge after it returns', async () => {
    const r = await scene.startRelay()
    const { anna, marco } = await bothOpen()
    await send(anna, 'Offline edit target')
    await send(anna, 'Offline delete target')
    await message(marco, 'Offline delete target').waitFor(WAIT)
    await expect.poll(() => syncStatus(anna).innerText(), WAIT).toBe('Synced')
    const before = await deletedCount(marco)

    await r.stop()
    await expect.poll(() => syncStatus(anna).innerText(), WAIT).toMatch(/Offline|Connecting/)
    await edit(anna, 'Offline edit target', 'Offline edit target, revised')
    await remove(anna, 'Offline delete target')
    await expect.poll(() => message(anna, 'Offline edit target, revised').innerText(), WAIT).toContain('Sending')
    await expect.poll(() => syncStatus(anna).innerText(), WAIT).toContain('2 changes waiting')

    await r.restart()
    await expect.poll(() => message(marco, 'Offline edit target, revised').innerText(), WAIT).toContain('(edited)')
    await expect.poll(() => message(marco, 'Offline delete target').count(), WAIT).toBe(0)
    await expect.poll(() => deletedCount(marco), WAIT).toBe(before + 1)
    await expect.poll(() => message(anna, 'Offline edit target, revised').innerText(), WAIT).toMatch(/Sent|Seen/)
  })
})
