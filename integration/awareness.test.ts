import { MemoryDocStorage, SyncClient, type TabEnvironment } from '@waggle/client'
import { docName, readLastSeen, type UserId } from '@waggle/schema'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { TestRelay } from './relay.ts'

/**
 * Awareness through the client's sync layer (SyncClient) and a real relay over real WebSockets:
 * one state per device in a user's presence document, across devices, reconnects and tabs.
 */
const annaPresence = docName.presence('anna' as UserId)
const POLL = { timeout: 10_000 }

let relay: TestRelay
const clients: SyncClient[] = []

afterEach(async () => {
  for (const c of clients.splice(0)) c.close()
  await relay.stop()
})

/**
 * Web Locks for tabs in one Node process: a queue per lock name, an aborted request leaves it.
 * Only what electLeader uses.
 */
function fakeLocks(): LockManager {
  const held = new Set<string>()
  const waiting = new Map<string, (() => void)[]>()
  const next = (name: string): void => {
    const run = waiting.get(name)?.shift()
    if (run !== undefined) run()
  }
  const request = (name: string, options: { signal?: AbortSignal }, callback: () => Promise<void>): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const run = (): void => {
        held.add(name)
        callback().then(resolve, reject).finally(() => {
          held.delete(name)
          next(name)
        })
      }
      if (!held.has(name)) return run()
      const queue = waiting.get(name) ?? []
      waiting.set(name, queue)
      queue.push(run)
      options.signal?.addEventListener('abort', () => {
        const i = queue.indexOf(run)
        if (i < 0) return
        queue.splice(i, 1)
        reject(new DOMException('Aborted', 'AbortError'))
      })
    })
  return { request } as unknown as LockManager
}

/** One device: its storage and (for tabs) its lock manager. */
function newDevice(): { storage: MemoryDocStorage; tabs: TabEnvironment } {
  return {
    storage: new MemoryDocStorage(),
    tabs: { channel: (name) => new BroadcastChannel(name), locks: fakeLocks() },
  }
}

/** A SyncClient of `id`: the only tab of a device, or (with `device`) one of its tabs. */
async function client(id: string, device?: ReturnType<typeof newDevice>): Promise<SyncClient> {
  const session = await relay.signIn(id)
  const c = new SyncClient({
    account: `${session.workspaceId}.${session.userId}.${device === undefined ? 'solo' : 'tabs'}`, url: relay.wsUrl, token: session.token,
    storage: device?.storage ?? new MemoryDocStorage(),
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket, network: null, tabs: device?.tabs ?? null, releaseDelayMs: 0,
  })
  clients.push(c)
  return c
}

/** The `user` and `lastActive` of every state `c` sees in anna's presence document, sorted. */
const seen = (c: SyncClient): string[] =>
  [...c.awarenessStates(annaPresence).values()].map((s) => `${String(s.user)}@${String(s.lastActive)}`).sort()

describe('awareness through SyncClient', () => {
  it('shows each device\'s state to the others, never its own, and removes it when the device closes', async () => {
    relay = await new TestRelay().start()
    const phone = await client('anna')
    const laptop = await client('anna')
    const marco = await client('marco')
    const handles = [phone, laptop, marco].map((c) => c.open(annaPresence))
    const changes: number[] = []
    marco.onAwareness(annaPresence, () => changes.push(marco.awarenessStates(annaPresence).size))

    phone.setAwareness(annaPresence, { user: 'anna', lastActive: 1_000 })
    laptop.setAwareness(annaPresence, { user: 'anna', lastActive: 2_000 })
    await expect.poll(() => seen(marco), POLL).toEqual(['anna@1000', 'anna@2000'])
    await expect.poll(() => seen(phone), POLL).toEqual(['anna@2000'])
    await expect.poll(() => seen(laptop), POLL).toEqual(['anna@1000'])
    expect(changes.length).toBeGreaterThan(0)

    // A forged `user` is overwritten by the relay, and marco's own state never reaches anna's doc.
    marco.setAwareness(annaPresence, { user: 'anna', lastActive: 9_999 })
    laptop.setAwareness(annaPresence, { user: 'marco', lastActive: 3_000 })
    await expect.poll(() => seen(marco), POLL).toEqual(['anna@1000', 'anna@3000'])
    await expect.poll(() => seen(phone), POLL).toEqual(['anna@3000'])

    laptop.close()
    await expect.poll(() => seen(marco), POLL).toEqual(['anna@1000'])
    phone.close()
    await expect.poll(() => seen(marco), POLL).toEqual([])
    // The relay wrote when anna was last seen: her latest activity among the states that went away.
    await expect.poll(() => readLastSeen(handles[2]?.doc ?? marco.open(annaPresence).doc), POLL).toBe(3_000)
    for (const h of handles) h.release()
  })

  it('a null state removes the device\'s state; a state survives a reconnect', async () => {
    relay = await new TestRelay().start()
    const anna = await client('anna')
    const marco = await client('marco')
    const handles = [anna.open(annaPresence), marco.open(annaPresence)]
    anna.setAwareness(annaPresence, { user: 'anna', lastActive: 1_000 })
    await expect.poll(() => seen(marco), POLL).toEqual(['anna@1000'])
    anna.setAwareness(annaPresence, null)
    await expect.poll(() => seen(marco), POLL).toEqual([])
    anna.setAwareness(annaPresence, { user: 'anna', lastActive: 2_000 })
    await expect.poll(() => seen(marco), POLL).toEqual(['anna@2000'])

    await relay.stop()
    // Offline, nobody's state is known.
    await expect.poll(() => seen(marco), POLL).toEqual([])
    await relay.start()
    await expect.poll(() => seen(marco), { timeout: 20_000 }).toEqual(['anna@2000'])
    for (const h of handles) h.release()
  })

  it('a state set before the document is open is sent once it is subscribed, and withdrawn on release', async () => {
    relay = await new TestRelay().start()
    const anna = await client('anna')
    const marco = await client('marco')
    const keep = marco.open(annaPresence)
    anna.setAwareness(annaPresence, { user: 'anna', lastActive: 5 })
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(seen(marco)).toEqual([])
    const handle = anna.open(annaPresence)
    await expect.poll(() => seen(marco), POLL).toEqual(['anna@5'])
    handle.release()
    await expect.poll(() => seen(marco), POLL).toEqual([])
    keep.release()
  })
})

describe('awareness and activity across tabs of one device', () => {
  it('a follower\'s state goes through the leader, every tab sees the peers, and a new leader sends it again', async () => {
    relay = await new TestRelay().start()
    const device = newDevice()
    const first = await client('anna', device)
    await expect.poll(() => first.isLeader.get(), POLL).toBe(true)
    const second = await client('anna', device)
    const marco = await client('marco')
    const handles = [first.open(annaPresence), second.open(annaPresence), marco.open(annaPresence)]
    expect(second.isLeader.get()).toBe(false)

    second.setAwareness(annaPresence, { user: 'anna', lastActive: 1_000 })
    await expect.poll(() => seen(marco), POLL).toEqual(['anna@1000'])
    marco.setAwareness(docName.presence('marco' as UserId), { user: 'marco', lastActive: 1 })
    // One state per device: another tab's newer call replaces it rather than adding one.
    first.setAwareness(annaPresence, { user: 'anna', lastActive: 2_000 })
    await expect.poll(() => seen(marco), POLL).toEqual(['anna@2000'])
    // The tab that set the newest state withdraws: the other tab's state is the device's again.
    first.setAwareness(annaPresence, null)
    await expect.poll(() => seen(marco), POLL).toEqual(['anna@1000'])

    // Peers reach followers too: marco's state in his own presence document, seen by both tabs.
    const marcoPresence = docName.presence('marco' as UserId)
    const watch = [first.open(marcoPresence), second.open(marcoPresence), marco.open(marcoPresence)]
    marco.setAwareness(marcoPresence, { user: 'marco', lastActive: 7 })
    for (const tab of [first, second]) {
      await expect.poll(() => [...tab.awarenessStates(marcoPresence).values()], POLL).toEqual([{ user: 'marco', lastActive: 7 }])
    }

    // The leader tab closes: the follower leads and sends the device's state again.
    const before = [...marco.awarenessStates(annaPresence).keys()]
    first.close()
    await expect.poll(() => second.isLeader.get(), POLL).toBe(true)
    await expect.poll(() => [...marco.awarenessStates(annaPresence).keys()].some((id) => !before.includes(id)), POLL).toBe(true)
    await expect.poll(() => seen(marco), POLL).toEqual(['anna@1000'])
    await expect.poll(() => [...second.awarenessStates(marcoPresence).values()], POLL).toEqual([{ user: 'marco', lastActive: 7 }])
    for (const h of [...handles, ...watch]) h.release()
  })

  it('reports input to the other tabs at once, then at most once a minute per tab, and focus at once', async () => {
    relay = await new TestRelay().start()
    const device = newDevice()
    const first = await client('anna', device)
    const second = await client('anna', device)
    const heard: number[] = []
    second.onDeviceActivity((t) => heard.push(t))
    const t0 = Date.now() + 1_000

    first.reportActivity(t0)
    expect(first.deviceActivity()).toBe(t0)
    await expect.poll(() => second.deviceActivity(), POLL).toBe(t0)
    expect(heard).toEqual([t0])

    // Within the minute: known in this tab at once, reported to the others later.
    first.reportActivity(t0 + 1)
    expect(first.deviceActivity()).toBe(t0 + 1)
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(second.deviceActivity()).toBe(t0)

    // Focus is reported at once, and carries the latest input.
    first.reportActivity(t0 + 2, true)
    await expect.poll(() => second.deviceActivity(), POLL).toBe(t0 + 2)
    expect(heard).toEqual([t0, t0 + 2])

    // A tab that starts later learns the device's last input from the others.
    const third = await client('anna', device)
    await expect.poll(() => third.deviceActivity(), POLL).toBe(t0 + 2)
  })

  it('is the creation time in Node until reported', async () => {
    relay = await new TestRelay().start()
    const before = Date.now()
    const solo = await client('anna')
    expect(solo.deviceActivity()).toBeGreaterThanOrEqual(before)
    expect(solo.deviceActivity()).toBeLessThanOrEqual(Date.now())
    const heard: number[] = []
    solo.onDeviceActivity((t) => heard.push(t))
    solo.reportActivity(before + 60_000)
    expect(heard).toEqual([before + 60_000])
    expect(solo.deviceActivity()).toBe(before + 60_000)
  })
})
