/**
 * External people and workspace roles (issue 4) with the real app and relay:
 * - a read-only group with a phonebook contact: the contact signs in as an external member,
 *   reads and reacts but cannot write or see the member list, and the relay refuses a post
 *   sent around the app with her own session;
 * - a one-on-one conversation with a phonebook contact, opened from the new-conversation picker;
 * - a workspace admin manages a group they do not own; a plain member does not.
 */
import { Origin, Reason, appendMessage, docName, newMessageId, type ConvId, type UserId } from '@waggle/schema'
import type { Page } from 'playwright-core'
import { afterEach, describe, expect, test } from 'vitest'
import { TestClient } from '../sync-server/src/testing/TestClient.ts'
import { AppScene, WAIT, conversations, entry, message, openConversation, send, syncStatus } from './support/appFlows.ts'

const scene = new AppScene()

afterEach(async (ctx) => {
  const errors = await scene.dispose(ctx.task.result?.state === 'fail')
  expect(errors, 'uncaught errors in the pages').toEqual([])
})

/** Signs in on a new device with an address the demo does not list (an external member's). */
async function signedInByEmail(email: string): Promise<Page> {
  const page = await scene.newDevice()
  await page.getByLabel('Email').fill(email)
  await page.getByRole('button', { name: 'Send code' }).click()
  await expect.poll(() => page.getByLabel('Code').inputValue(), WAIT).toMatch(/^\d{6}$/)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await conversations(page).waitFor(WAIT)
  return page
}

/** Waits until the inbox entry `title` is acknowledged by the relay (no longer "being created"). */
async function created(page: Page, title: string): Promise<void> {
  await expect.poll(() => entry(page, title).innerText(), WAIT).not.toMatch(/Creating|Waiting/i)
}

describe('external people', () => {
  test('a read-only group: the external member reads and reacts, cannot post (the relay refuses it) or see the members', async () => {
    const relay = await scene.startRelay()
    const anna = await scene.signedIn('Anna Rossi')
    const marco = await scene.signedIn('Marco Bianchi')

    await anna.getByRole('button', { name: 'New conversation' }).click()
    await anna.getByRole('tab', { name: 'Group' }).click()
    await anna.getByLabel('Name').fill('Verona project')
    await anna.getByRole('checkbox', { name: 'Marco Bianchi' }).check()
    await anna.getByRole('checkbox', { name: 'Giulia Conti (external)' }).check()
    await anna.getByRole('switch', { name: 'Read only for external members' }).click()
    await anna.getByRole('button', { name: 'Create' }).click()
    await anna.getByRole('textbox', { name: 'Message' }).waitFor(WAIT)
    await created(anna, 'Verona project')
    await send(anna, 'Giulia, the delivery plan is attached to the offer.')

    const giulia = await signedInByEmail('verona@customer.example.com')
    await openConversation(giulia, 'Verona project')
    await message(giulia, 'the delivery plan').waitFor(WAIT)
    const box = giulia.getByRole('textbox', { name: 'Message' })
    expect(await box.isDisabled()).toBe(true)
    await giulia.getByText('This conversation is read-only for you.').waitFor(WAIT)
    expect(await giulia.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true)

    // She may react; Anna sees the reaction.
    const row = message(giulia, 'the delivery plan')
    await row.hover()
    await row.getByRole('button', { name: 'Message actions' }).click()
    await giulia.getByRole('menuitem', { name: 'Add reaction' }).click()
    await giulia.getByRole('dialog', { name: 'Add reaction' }).getByRole('button', { name: '👍' }).click()
    await message(giulia, 'the delivery plan').getByRole('button', { name: '👍 1' }).waitFor(WAIT)
    await expect.poll(() => syncStatus(giulia).innerText(), WAIT).toBe('Synced')
    await openConversation(anna, 'Verona project')
    const chip = message(anna, 'the delivery plan').getByRole('button', { name: '👍 1' })
    await chip.waitFor(WAIT)
    expect(await chip.getAttribute('title')).toContain('Giulia Conti')

    // No member list for her; Anna and Marco see her by name.
    await giulia.getByRole('button', { name: 'Conversation info' }).click()
    await giulia.getByRole('dialog', { name: 'Conversation info' }).waitFor(WAIT)
    expect(await giulia.getByRole('region', { name: 'Members' }).count()).toBe(0)
    // Marco reacts too: she sees the count, not who.
    await openConversation(marco, 'Verona project')
    await message(marco, 'the delivery plan').getByRole('button', { name: '👍 1' }).click()
    const hers = message(giulia, 'the delivery plan').getByRole('button', { name: '👍 2' })
    await hers.waitFor(WAIT)
    expect(await hers.getAttribute('title')).toBe('Reacted with 👍: You')
    await marco.getByRole('button', { name: 'Conversation info' }).click()
    await marco.getByRole('region', { name: 'Members' }).getByText('Giulia Conti').waitFor(WAIT)

    // Around the app, with her own session: the relay refuses the post.
    const session = JSON.parse(await giulia.evaluate(() => localStorage.getItem('waggle:session') ?? 'null')) as { token: string; userId: string }
    const conv = (await giulia.evaluate(() => location.pathname)).replace('/c/', '') as ConvId
    const crafted = await TestClient.connect(relay.wsUrl, session.token)
    try {
      const segment = docName.segment(conv, 0)
      await crafted.subscribe(segment)
      const outcome = await crafted.write(segment, (doc) => {
        const time = Date.now()
        appendMessage(doc, { id: newMessageId(time), author: session.userId as UserId, time, text: 'Posted around the app' }, Origin.local)
      })
      expect(outcome).toEqual({ rejected: Reason.readOnly })
    } finally {
      await crafted.close()
    }
    await send(anna, 'Still here after the refused post')
    await message(marco, 'Still here after the refused post').waitFor(WAIT)
    expect(await message(marco, 'Posted around the app').count()).toBe(0)
  })

  test('a one-on-one conversation with a phonebook contact', async () => {
    await scene.startRelay()
    const marco = await scene.signedIn('Marco Bianchi')
    await marco.getByRole('button', { name: 'New conversation' }).click()
    await marco.getByLabel('Search people or type an email address').fill('pierre')
    await marco.getByRole('button', { name: 'Pierre Martin (external)' }).click()
    await marco.getByRole('textbox', { name: 'Message' }).waitFor(WAIT)
    await created(marco, 'Pierre Martin')
    await send(marco, 'Bonjour Pierre, the rooms are confirmed.')

    const pierre = await signedInByEmail('lyon@customer.example.com')
    await openConversation(pierre, 'Marco Bianchi')
    await message(pierre, 'the rooms are confirmed').waitFor(WAIT)
    await send(pierre, 'Merci Marco !')
    await message(marco, 'Merci Marco !').waitFor(WAIT)
  })

  test('a workspace admin manages a group they do not own; a member does not', async () => {
    await scene.startRelay()
    const jonas = await scene.signedIn('Jonas Weber')
    const tom = await scene.signedIn('Tom Baker')
    await openConversation(tom, 'Support escalations')
    await tom.getByRole('button', { name: 'Conversation info' }).click()
    await tom.getByRole('region', { name: 'Members' }).waitFor(WAIT)
    expect(await tom.getByRole('button', { name: 'Add members' }).count()).toBe(0)
    expect(await tom.getByRole('button', { name: /^Remove / }).count()).toBe(0)

    await openConversation(jonas, 'Support escalations')
    await jonas.getByRole('button', { name: 'Conversation info' }).click()
    await jonas.getByRole('button', { name: 'Remove Noah Keller' }).click()
    await tom.getByRole('region', { name: 'Members' }).getByText('Noah Keller').waitFor({ state: 'detached', ...WAIT })
    await message(tom, 'removed Noah Keller').waitFor(WAIT)
  })
})
