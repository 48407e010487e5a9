import { createAppModel, type AppModel, type PersonPresence } from '@waggle/client'
import type { UserId } from '@waggle/schema'
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb'
import { createRoot, type Accessor } from 'solid-js'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { TestRelay } from './relay.ts'

/**
 * The presence model (client/src/bind/presence.ts) on two devices in Node against a real relay:
 * a chosen status, the automatic conference and calendar statuses that override it while they
 * last, and the chosen status coming back afterwards.
 */
const SLOW = { timeout: 20_000 }
const anna = 'anna' as UserId

let relay: TestRelay
const cleanups: (() => void)[] = []

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) c()
  await relay.stop()
})

async function device(id: string): Promise<AppModel> {
  const s = await relay.signIn(id)
  const app = createAppModel({
    session: { ...s, email: `${id}@example.com` }, baseUrl: relay.httpUrl, wsUrl: relay.wsUrl, indexedDB: new IDBFactory(), IDBKeyRange,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket, network: null, tabs: null, releaseDelayMs: 0, storageManager: null,
  })
  cleanups.push(() => app.dispose())
  return app
}

/** `app.presence.of(user)` kept alive (as a component would) until the test ends. */
function watch(app: AppModel, user: UserId): Accessor<PersonPresence | null> {
  return createRoot((dispose) => {
    cleanups.push(dispose)
    return app.presence.of(user)
  })
}

describe('presence between two people', () => {
  it('shows a chosen status, a conference and a calendar event over it, and the chosen status again afterwards', async () => {
    relay = await new TestRelay().start()
    const a = await device('anna')
    const m = await device('marco')
    const annaSeenByMarco = watch(m, anna)

    a.presence.setStatus({ availability: 'away', message: 'Lunch 🍝', emoji: null, clearAfter: { kind: 'hour1' }, save: true })
    await expect.poll(() => annaSeenByMarco()?.status.message, SLOW).toBe('Lunch 🍝')
    expect(annaSeenByMarco()?.status).toMatchObject({ availability: 'away', source: 'chosen' })
    expect(a.presence.saved().map((s) => s.message)).toEqual(['Lunch 🍝'])

    const until = Date.now() + 45 * 60_000
    a.presence.startConference(until)
    await expect.poll(() => annaSeenByMarco()?.status.source, SLOW).toBe('conference')
    expect(annaSeenByMarco()?.status).toMatchObject({ availability: 'busy', until })
    expect(annaSeenByMarco()?.line).toMatch(/^in conference \| until \d{1,2}[:.]\d{2}/)

    a.presence.endConference()
    await expect.poll(() => annaSeenByMarco()?.status.source, SLOW).toBe('chosen')
    expect(annaSeenByMarco()?.status).toMatchObject({ availability: 'away', message: 'Lunch 🍝' })

    a.presence.setCalendarEvent({ title: 'Customer visit in Verona', start: Date.now() - 60_000, end: Date.now() + 2 * 3600_000 })
    await expect.poll(() => annaSeenByMarco()?.line, SLOW).toMatch(/^Customer visit in Verona \| until /)
    a.presence.setCalendarEvent(null)
    await expect.poll(() => annaSeenByMarco()?.status.source, SLOW).toBe('chosen')
  })

  it('refuses a message over 100 characters before writing anything, and a colleague without the permission', async () => {
    relay = await new TestRelay().start()
    const a = await device('anna')
    expect(() => a.presence.setStatus({ availability: 'busy', message: 'x'.repeat(101), emoji: null, clearAfter: { kind: 'never' }, save: false }))
      .toThrow(/at most 100 characters/)
    expect(a.presence.mine().status.message).toBeNull()
    expect(a.presence.canModifyOthers).toBe(false)
    expect(() => a.presence.setAvailabilityOf('marco' as UserId, 'away')).toThrow(/may not change/)
  })
})
