/**
 * The client sync layer in real Chromium tabs, through the real relay process and its SQLite
 * storage: devices converge, offline writes survive relay restarts and reloads, and the tabs of
 * one device share a single WebSocket held by a leader tab.
 */
import { docName, type ConvId } from '@waggle/schema'
import { describe, expect, test } from 'vitest'
import type { Device, Tab } from './support/browser.ts'
import { HarnessScene } from './support/harnessScene.ts'

const DOC = docName.segment('sales-team' as ConvId, 0)
const SEEDED_FIRST = 'Good morning! Pipeline review at 10:00 today.'
const SEEDED_COUNT = 9
/** Deadline for anything that crosses the relay, including a reconnect after its backoff. */
const SYNC = { timeout: 30_000, interval: 50 }

const scene = new HarnessScene().install()
const device = (user: string): Promise<Device> => scene.device(user)

/** A tab of a new device with the sales team's segment open. */
async function tabOf(user: string): Promise<Tab> {
  const tab = await (await device(user)).newTab()
  await tab.open(DOC)
  return tab
}

/** Waits until every tab shows the same messages, containing `expected`, and returns them. */
async function converged(tabs: Tab[], expected: string[]): Promise<string[]> {
  const same = (seen: string[][]): boolean => {
    const first = JSON.stringify(seen[0])
    return seen.every((texts) => JSON.stringify(texts) === first && expected.every((e) => texts.includes(e)))
  }
  let last: string[][] = []
  await expect.poll(async () => (last = await Promise.all(tabs.map((t) => t.texts(DOC)))), SYNC).toSatisfy(same)
  return last[0] ?? []
}

describe('two devices', () => {
  test('converge in both directions through the relay', async () => {
    const anna = await tabOf('anna')
    const marco = await tabOf('marco')
    await Promise.all([anna.waitSynced(), marco.waitSynced()])
    const start = await converged([anna, marco], [SEEDED_FIRST])
    expect(start).toHaveLength(SEEDED_COUNT)

    await anna.send(DOC, 'anna: numbers are in')
    await expect.poll(() => marco.texts(DOC), SYNC).toContain('anna: numbers are in')
    await marco.send(DOC, 'marco: thanks, calling Verona')
    await expect.poll(() => anna.texts(DOC), SYNC).toContain('marco: thanks, calling Verona')

    const end = await converged([anna, marco], [])
    expect(end.slice(SEEDED_COUNT)).toEqual(['anna: numbers are in', 'marco: thanks, calling Verona'])
    await Promise.all([anna.waitSynced(), marco.waitSynced()])
    expect((await anna.status()).pending).toBe(0)
    expect((await marco.status()).pending).toBe(0)
  })
})

describe('offline writes', () => {
  test('are kept pending while the relay is down and delivered after it restarts on the same data', async () => {
    const anna = await tabOf('anna')
    const marco = await tabOf('marco')
    await Promise.all([anna.waitSynced(), marco.waitSynced()])
    const port = scene.relay.port

    await scene.relay.stop()
    await expect.poll(async () => (await anna.status()).state, SYNC).not.toBe('synced')
    await anna.send(DOC, 'offline one')
    await anna.send(DOC, 'offline two')

    await expect.poll(async () => (await anna.status()).pending, SYNC).toBe(2)
    expect((await anna.status()).state).not.toBe('synced')
    await expect.poll(() => anna.statusText(), SYNC).toMatch(/\b2 pending\b/)
    expect((await anna.outbox()).map((e) => [e.doc, e.state])).toEqual([[DOC, 'pending'], [DOC, 'pending']])
    expect((await anna.texts(DOC)).slice(-2)).toEqual(['offline one', 'offline two'])
    expect(await marco.texts(DOC)).not.toContain('offline one')

    await scene.relay.restart()
    expect(scene.relay.port).toBe(port)
    await expect.poll(async () => (await anna.status()).pending, SYNC).toBe(0)
    await anna.waitSynced(SYNC.timeout)
    expect(await anna.outbox()).toEqual([])
    const texts = await converged([anna, marco], ['offline one', 'offline two'])
    expect(texts.slice(-2)).toEqual(['offline one', 'offline two'])
  })

  test('survive a reload while the relay is down and are acknowledged once it is back', async () => {
    const anna = await tabOf('anna')
    const marco = await tabOf('marco')
    await Promise.all([anna.waitSynced(), marco.waitSynced()])

    await scene.relay.kill()
    await anna.send(DOC, 'written before the reload')
    // Reported as pending means it is in the outbox in IndexedDB.
    await expect.poll(async () => (await anna.status()).pending, SYNC).toBe(1)

    await anna.reload()
    await anna.open(DOC)
    expect(await anna.texts(DOC)).toContain('written before the reload')
    expect(await anna.outbox()).toEqual([expect.objectContaining({ doc: DOC, state: 'pending' })])
    await expect.poll(async () => (await anna.status()).pending, SYNC).toBe(1)
    expect((await anna.status()).state).not.toBe('synced')

    await scene.relay.restart()
    await anna.waitSynced(SYNC.timeout)
    expect((await anna.status()).pending).toBe(0)
    expect(await anna.outbox()).toEqual([])
    await expect.poll(() => marco.texts(DOC), SYNC).toContain('written before the reload')
    await converged([anna, marco], ['written before the reload'])
  })

  test('wait while the browser is offline and go out when it is back online', async () => {
    const annaDevice = await device('anna')
    const anna = await annaDevice.newTab()
    await anna.open(DOC)
    const marco = await tabOf('marco')
    await Promise.all([anna.waitSynced(), marco.waitSynced()])

    // The relay stays up: the client reacts to the browser's offline/online events itself.
    await annaDevice.context.setOffline(true)
    await expect.poll(async () => (await anna.status()).state, SYNC).toBe('offline')
    await expect.poll(() => anna.openSockets(), SYNC).toBe(0)
    await anna.send(DOC, 'sent while the browser was offline')
    await expect.poll(async () => (await anna.status()).pending, SYNC).toBe(1)
    expect(await marco.texts(DOC)).not.toContain('sent while the browser was offline')

    await annaDevice.context.setOffline(false)
    await anna.waitSynced(SYNC.timeout)
    expect((await anna.status()).pending).toBe(0)
    await converged([anna, marco], ['sent while the browser was offline'])
  })
})

describe('tabs of one device', () => {
  /** Two tabs of anna's device, both with the segment open, and which of them leads. */
  async function twoTabs(): Promise<{ leader: Tab; follower: Tab; device: Device }> {
    const d = await device('anna')
    const first = await d.newTab()
    const second = await d.newTab()
    await Promise.all([first.open(DOC), second.open(DOC)])
    await expect.poll(async () => [await first.isLeader(), await second.isLeader()].filter(Boolean).length, SYNC).toBe(1)
    const firstLeads = await first.isLeader()
    return firstLeads ? { leader: first, follower: second, device: d } : { leader: second, follower: first, device: d }
  }

  test('share one WebSocket held by the single leader tab and see each other\'s writes', async () => {
    const { leader, follower, device: anna } = await twoTabs()
    await Promise.all([leader.waitSynced(), follower.waitSynced()])
    expect([await leader.isLeader(), await follower.isLeader()]).toEqual([true, false])
    await expect.poll(() => scene.relay.connections(), SYNC).toBe(1)
    expect(anna.openSockets()).toBe(1)
    expect(leader.openSockets()).toBe(1)
    expect(follower.sockets).toHaveLength(0)

    await leader.send(DOC, 'from the leader tab')
    await expect.poll(() => follower.texts(DOC), SYNC).toContain('from the leader tab')
    await follower.send(DOC, 'from the follower tab')
    await expect.poll(() => leader.texts(DOC), SYNC).toContain('from the follower tab')
    // The follower's write went out through the leader's socket and was acknowledged.
    await expect.poll(async () => (await follower.status()).pending, SYNC).toBe(0)
    await follower.waitSynced()
    await converged([leader, follower], ['from the leader tab', 'from the follower tab'])
    expect(follower.sockets).toHaveLength(0)
    expect(await scene.relay.connections()).toBe(1)
  })

  test('a tab opened after the leader synced shows synced without waiting for another change', async () => {
    const anna = await device('anna')
    const leader = await anna.newTab()
    await leader.open(DOC)
    await leader.waitSynced()
    const late = await anna.newTab()
    await late.open(DOC)
    // Nothing changes from here on, so only the leader's answer to this tab can make it synced.
    await late.waitSynced(5_000)
    expect(await late.isLeader()).toBe(false)
    expect(await late.texts(DOC)).toEqual(await leader.texts(DOC))
    expect(late.sockets).toHaveLength(0)
  })

  test('hand the socket to the remaining tab when the leader tab closes', async () => {
    const marco = await tabOf('marco')
    const { leader, follower, device: anna } = await twoTabs()
    await Promise.all([marco.waitSynced(), leader.waitSynced(), follower.waitSynced()])
    await expect.poll(() => scene.relay.connections(), SYNC).toBe(2)
    expect(follower.sockets).toHaveLength(0)

    // A write made while the leader tab goes away is in the shared outbox; the new leader sends it.
    const closing = leader.close()
    await follower.send(DOC, 'during the handover')
    await closing
    await expect.poll(() => follower.isLeader(), SYNC).toBe(true)
    await expect.poll(() => anna.openSockets(), SYNC).toBe(1)
    expect(follower.openSockets()).toBe(1)
    await expect.poll(() => scene.relay.connections(), SYNC).toBe(2)

    await follower.send(DOC, 'after the handover')
    await expect.poll(() => marco.texts(DOC), SYNC).toContain('after the handover')
    await expect.poll(async () => (await follower.status()).pending, SYNC).toBe(0)
    await marco.send(DOC, 'marco answers the new leader')
    await expect.poll(() => follower.texts(DOC), SYNC).toContain('marco answers the new leader')
    await converged([follower, marco], ['during the handover', 'after the handover', 'marco answers the new leader'])
    await follower.waitSynced()
  })
})
