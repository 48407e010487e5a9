/**
 * ISSUE 7: a tab cannot launder edits through the account's BroadcastChannel. In real Chromium
 * tabs of one device: messages crafted on the channel — an edit to a document the relay said is
 * read-only, one claiming another account, malformed ones — are neither applied by the leader
 * nor sent to the relay, while a genuine edit of a follower tab still goes out.
 */
import { docName, type ConvId } from '@waggle/schema'
import { describe, expect, test } from 'vitest'
import type { Device, Tab } from './support/browser.ts'
import { HarnessScene } from './support/harnessScene.ts'

const SALES = docName.segment('sales-team' as ConvId, 0)
const ANNOUNCEMENTS = docName.segment('announcements' as ConvId, 0)
const SYNC = { timeout: 30_000, interval: 50 }

const scene = new HarnessScene().install()
const device = (user: string): Promise<Device> => scene.device(user)

const access = (tab: Tab, doc: string): Promise<string | null> => tab.page.evaluate((d) => window.harness.access(d), doc)

/** Warnings the page logged (the channel's drops are logged, never silent). */
function warnings(tab: Tab): string[] {
  const out: string[] = []
  tab.page.on('console', (msg) => {
    if (msg.type() === 'warning') out.push(msg.text())
  })
  return out
}

describe('the tabs channel', () => {
  test('drops crafted edits (read-only document, another account, malformed) and still carries genuine ones', async () => {
    const anna = await device('anna')
    const first = await anna.newTab()
    const second = await anna.newTab()
    for (const tab of [first, second]) {
      await tab.open(SALES)
      await tab.open(ANNOUNCEMENTS)
    }
    await expect.poll(async () => [await first.isLeader(), await second.isLeader()].filter(Boolean).length, SYNC).toBe(1)
    const [leader, follower] = (await first.isLeader()) ? [first, second] : [second, first]
    await Promise.all([leader.waitSynced(), follower.waitSynced()])
    await expect.poll(() => access(leader, ANNOUNCEMENTS), SYNC).toBe('read')
    await expect.poll(() => access(follower, ANNOUNCEMENTS), SYNC).toBe('read')

    // Marco's device sees what reaches the scene.relay.
    const marco = await (await device('marco')).newTab()
    await marco.open(SALES)
    await marco.open(ANNOUNCEMENTS)
    await marco.waitSynced()

    // Everything the leader sends to the relay from here on.
    const sent: Buffer[] = []
    for (const ws of leader.sockets) ws.on('framesent', (f) => sent.push(Buffer.from(f.payload)))
    const logged = warnings(leader)

    // The follower page posts crafted messages on the account's channel.
    await follower.page.evaluate(async ([readOnly, writable]) => {
      const h = window.harness
      await h.postRaw({ t: 'local', doc: readOnly, seq: 900_001 }, 'crafted: read-only document')
      await h.postRaw({ t: 'update', doc: readOnly }, 'crafted: read-only update')
      await h.postRaw({ t: 'local', doc: writable, seq: 900_002, account: 'other-workspace.mallory' }, 'crafted: another account')
      await h.postRaw({ t: 'local', doc: writable, seq: -1, update: 'not bytes' })
      await h.postRaw({ t: 'no-such-type', doc: writable })
    }, [ANNOUNCEMENTS, SALES] as const)
    // Then a genuine edit from the follower, which the leader sends.
    await follower.send(SALES, 'genuine from the follower')
    await expect.poll(() => marco.texts(SALES), SYNC).toContain('genuine from the follower')
    await expect.poll(() => leader.texts(SALES), SYNC).toContain('genuine from the follower')
    await expect.poll(async () => (await follower.status()).pending, SYNC).toBe(0)

    // The leader applied none of them, and the relay got none (Marco's device has none).
    for (const tab of [leader, marco]) {
      const all = [...(await tab.texts(SALES)), ...(await tab.texts(ANNOUNCEMENTS))]
      expect(all.filter((t) => t.startsWith('crafted'))).toEqual([])
    }
    // The follower page's own client trusts `update` messages as the leader's (only there, never stored or sent).
    expect((await follower.texts(SALES)).filter((t) => t.startsWith('crafted'))).toEqual([])
    const onTheWire = Buffer.concat(sent).toString('latin1')
    expect(onTheWire).not.toContain('crafted')
    expect(onTheWire).toContain('genuine from the follower')
    expect(await leader.outbox()).toEqual([])
    expect(logged.some((w) => w.includes('may not change'))).toBe(true)
    expect(logged.some((w) => w.includes('another account'))).toBe(true)
    expect(logged.some((w) => w.includes('malformed'))).toBe(true)
  })
})
