/**
 * Group conversations (issue 4) with the real app and relay: Anna adds Lena to "Sales team"
 * with "Hide history" on, so Lena's device shows only what comes after, and the relay never
 * sends it a frame of the earlier segment; both see the "added" line; Lena leaves, the group
 * goes from her inbox, and the others see that she left.
 */
import { decodeServerFrame, type ServerFrame } from '@waggle/schema'
import type { Page } from 'playwright-core'
import { afterEach, describe, expect, test } from 'vitest'
import { AppScene, WAIT, conversations, entry, message, openConversation, send } from './support/appFlows.ts'

const scene = new AppScene()

afterEach(async (ctx) => {
  const errors = await scene.dispose(ctx.task.result?.state === 'fail')
  expect(errors, 'uncaught errors in the pages').toEqual([])
})

/** Records every frame the page's WebSockets receive from now on, decoded. */
function recordFrames(page: Page): ServerFrame[] {
  const frames: ServerFrame[] = []
  page.on('websocket', (ws) => {
    ws.on('framereceived', ({ payload }) => {
      if (typeof payload !== 'string') frames.push(decodeServerFrame(new Uint8Array(payload)))
    })
  })
  return frames
}

const docOf = (f: ServerFrame): string | null => ('doc' in f && typeof f.doc === 'string' ? f.doc : null)

describe('group conversations', () => {
  test('a member added with hidden history sees only new messages and never receives the earlier segment; leaving removes the group', async () => {
    await scene.startRelay()
    const anna = await scene.signedIn('Anna Rossi')
    const lena = await scene.signedIn('Lena Fischer')
    // Every socket Lena's page opens from here on is recorded (the reload opens a new one).
    const frames = recordFrames(lena)
    await lena.reload()
    await conversations(lena).waitFor(WAIT)
    await expect.poll(() => frames.some((f) => f.type === 'welcome'), WAIT).toBe(true)

    await openConversation(anna, 'Sales team')
    await message(anna, 'Pipeline review at 10:00').waitFor(WAIT)
    await anna.getByRole('button', { name: 'Conversation info' }).click()
    const info = anna.getByRole('dialog', { name: 'Conversation info' })
    await info.getByRole('button', { name: 'Add members' }).click()
    const add = anna.getByRole('dialog', { name: 'Add members' })
    await add.getByRole('checkbox', { name: 'Lena Fischer' }).check()
    const hide = add.getByRole('switch', { name: 'Hide history' })
    await hide.click()
    await expect.poll(() => hide.getAttribute('aria-checked'), WAIT).toBe('true')
    await add.getByRole('button', { name: 'Add', exact: true }).click()
    await expect.poll(() => info.getByRole('listitem').filter({ hasText: 'Lena Fischer' }).count(), WAIT).toBe(1)
    await info.getByRole('button', { name: 'Close' }).first().click()

    await message(anna, 'Anna Rossi added Lena Fischer').waitFor(WAIT)
    await send(anna, 'Welcome to the sales team, Lena!')

    await openConversation(lena, 'Sales team')
    await message(lena, 'Welcome to the sales team, Lena!').waitFor(WAIT)
    await message(lena, 'Anna Rossi added Lena Fischer').waitFor(WAIT)
    expect(await message(lena, 'Pipeline review at 10:00').count()).toBe(0)
    expect(frames.filter((f) => docOf(f) === 'conv/sales-team/seg/0')).toEqual([])
    expect(frames.some((f) => docOf(f) === 'conv/sales-team/seg/1')).toBe(true)

    await lena.getByRole('button', { name: 'Conversation info' }).click()
    const lenaInfo = lena.getByRole('dialog', { name: 'Conversation info' })
    await lenaInfo.getByRole('button', { name: 'Leave' }).click()
    await lenaInfo.getByRole('button', { name: 'Leave conversation' }).click()
    await expect.poll(() => entry(lena, 'Sales team').count(), WAIT).toBe(0)
    await message(anna, 'Lena Fischer left').waitFor(WAIT)
  })
})
