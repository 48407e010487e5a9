import { docName, readLastSeen, type UserId } from '@waggle/schema'
import { describe, expect, onTestFinished, test } from 'vitest'
import { Awareness, applyAwarenessUpdate, removeAwarenessStates } from 'y-protocols/awareness'
import * as Y from 'yjs'
import { silentLogger } from '../config.ts'
import { MemoryPersistence } from '../storage/MemoryPersistence.ts'
import { connectAs, demoDocs } from '../testing/fixtures.ts'
import { startRelay } from '../testing/relayHarness.ts'
import { awarenessUpdateOf } from '../testing/awarenessUpdates.ts'
import { waitFor } from '../testing/waitFor.ts'
import { DocHub, type DocSubscriber } from './DocHub.ts'
import { MAX_PRESENCE_STATES_PER_UPDATE, acceptAwareness } from './presenceAwareness.ts'

const annaPresence = docName.presence('anna' as UserId)


/** The states an awareness update sets, decoded by y-protocols. */
function statesOf(update: Uint8Array): Map<number, unknown> {
  const aw = new Awareness(new Y.Doc())
  aw.setLocalState(null)
  applyAwarenessUpdate(aw, update, 'test')
  const states = new Map(aw.getStates())
  aw.destroy()
  return states
}

describe('acceptAwareness', () => {
  test('passes other documents\' updates unchanged and drops others\' updates on a presence document', () => {
    const update = awarenessUpdateOf([[7, { user: 'marco', lastActive: 5 }]])
    expect(acceptAwareness(demoDocs.salesTeam, update, 'marco')).toBe(update)
    expect(acceptAwareness(annaPresence, update, 'marco')).toBeNull()
    expect(acceptAwareness(annaPresence, awarenessUpdateOf([[7, null]]), 'marco')).toBeNull()
  })

  test('stamps every state of the owner\'s update with the session\'s user and keeps removals', () => {
    const fixed = acceptAwareness(annaPresence, awarenessUpdateOf([[7, { user: 'marco', lastActive: 5 }], [8, {}], [9, null]]), 'anna')
    expect(fixed).not.toBeNull()
    expect(statesOf(fixed ?? new Uint8Array())).toEqual(new Map([[7, { user: 'anna', lastActive: 5 }], [8, { user: 'anna' }]]))
  })

  test('drops an owner\'s update with too many states, a state that is not an object or an oversized one', () => {
    const many = Array.from({ length: MAX_PRESENCE_STATES_PER_UPDATE + 1 }, (_, i): [number, unknown] => [i + 1, { lastActive: 1 }])
    expect(acceptAwareness(annaPresence, awarenessUpdateOf(many), 'anna')).toBeNull()
    expect(acceptAwareness(annaPresence, awarenessUpdateOf([[1, [1, 2]]]), 'anna')).toBeNull()
    expect(acceptAwareness(annaPresence, awarenessUpdateOf([[1, 'online']]), 'anna')).toBeNull()
    expect(acceptAwareness(annaPresence, awarenessUpdateOf([[1, { note: 'x'.repeat(5_000) }]]), 'anna')).toBeNull()
  })

  test('a malformed update on a presence document is a malformed frame', () => {
    expect(() => acceptAwareness(annaPresence, new Uint8Array([3, 1]), 'anna')).toThrow(/Malformed awareness/)
  })
})

describe('presence awareness through the relay', () => {
  test('a forged awareness from marco on anna\'s presence document never reaches another subscriber', async () => {
    const r = await startRelay()
    onTestFinished(() => r.stop())
    const anna = await connectAs(r, 'anna')
    const marco = await connectAs(r, 'marco')
    const lena = await connectAs(r, 'lena')
    await Promise.all([anna.subscribe(annaPresence), marco.subscribe(annaPresence), lena.subscribe(annaPresence)])

    // Marco pretends to be a device of anna's, then tries to remove anna's real state.
    anna.awareness(annaPresence).setLocalState({ user: 'anna', lastActive: 1_000 })
    const annaId = anna.awareness(annaPresence).clientID
    await lena.until(() => lena.peers(annaPresence).get(annaId), 5_000, 'anna\'s state at lena')
    const marcoId = marco.awareness(annaPresence).clientID
    marco.awareness(annaPresence).setLocalState({ user: 'anna', lastActive: 2_000 })
    marco.send({ type: 'awareness', doc: annaPresence, update: awarenessUpdateOf([[annaId, null]], 99) })
    // Frames of one connection are handled in order: once a later subscription is answered,
    // marco's awareness frames were handled. Then anna's next change reaches lena after them.
    await marco.subscribe(demoDocs.salesTeam)
    anna.awareness(annaPresence).setLocalState({ user: 'anna', lastActive: 3_000 })
    await lena.until(() => lena.peers(annaPresence).get(annaId)?.lastActive === 3_000, 5_000, 'anna\'s second state at lena')
    await anna.until(() => marco.closeInfo === null, 5_000, 'marco still connected')

    expect([...lena.peers(annaPresence).keys()]).toEqual([annaId])
    expect(anna.peers(annaPresence).has(marcoId)).toBe(false)
    const forwarded = [...lena.frames, ...anna.frames].filter((f) => f.type === 'awareness').flatMap((f) => [...statesOf(f.update).keys()])
    expect(forwarded).not.toContain(marcoId)
    expect(marco.errors).toEqual([])
  })

  test('the relay stamps anna\'s state with her user id', async () => {
    const r = await startRelay()
    onTestFinished(() => r.stop())
    const anna = await connectAs(r, 'anna')
    const marco = await connectAs(r, 'marco')
    await Promise.all([anna.subscribe(annaPresence), marco.subscribe(annaPresence)])
    anna.awareness(annaPresence).setLocalState({ user: 'marco', lastActive: 1_000 })
    const seen = await marco.until(() => marco.peers(annaPresence).get(anna.awareness(annaPresence).clientID), 5_000, 'anna\'s state')
    expect(seen).toEqual({ user: 'anna', lastActive: 1_000 })
  })

  test('anna\'s two connections: closing one keeps her online, closing both writes last seen at her latest activity', async () => {
    const r = await startRelay()
    onTestFinished(() => r.stop())
    const phone = await connectAs(r, 'anna')
    const laptop = await connectAs(r, 'anna')
    const marco = await connectAs(r, 'marco')
    await Promise.all([phone.subscribe(annaPresence), laptop.subscribe(annaPresence), marco.subscribe(annaPresence)])
    const now = Date.now()
    const active = { phone: now - 60_000, laptop: now - 5_000 }
    phone.awareness(annaPresence).setLocalState({ user: 'anna', lastActive: active.phone })
    laptop.awareness(annaPresence).setLocalState({ user: 'anna', lastActive: active.laptop })
    await marco.until(() => marco.peers(annaPresence).size === 2, 5_000, 'both of anna\'s devices at marco')

    // The device used last goes first; the other still shows anna online.
    await laptop.close()
    await marco.until(() => marco.peers(annaPresence).size === 1, 5_000, 'one device of anna\'s left')
    expect([...marco.peers(annaPresence).values()]).toEqual([{ user: 'anna', lastActive: active.phone }])
    expect(readLastSeen(marco.doc(annaPresence))).toBeUndefined()

    await phone.close()
    await marco.until(() => readLastSeen(marco.doc(annaPresence)), 5_000, 'last seen at marco')
    expect(marco.peers(annaPresence).size).toBe(0)
    expect(readLastSeen(marco.doc(annaPresence))).toBe(active.laptop)
  })

  test('a null state ends the presence too, and a later device keeps last seen from moving backwards', async () => {
    const r = await startRelay()
    onTestFinished(() => r.stop())
    const anna = await connectAs(r, 'anna')
    const marco = await connectAs(r, 'marco')
    await Promise.all([anna.subscribe(annaPresence), marco.subscribe(annaPresence)])
    const t = Date.now() - 1_000
    anna.awareness(annaPresence).setLocalState({ user: 'anna', lastActive: t })
    await marco.until(() => marco.peers(annaPresence).size === 1, 5_000, 'anna online')
    anna.awareness(annaPresence).setLocalState(null)
    await marco.until(() => readLastSeen(marco.doc(annaPresence)) === t, 5_000, 'last seen after the null state')

    anna.awareness(annaPresence).setLocalState({ user: 'anna', lastActive: t - 10_000 })
    await marco.until(() => marco.peers(annaPresence).size === 1, 5_000, 'anna online again')
    await anna.close()
    await marco.until(() => marco.peers(annaPresence).size === 0, 5_000, 'anna offline again')
    // The relay handles the removal before marco's next subscription is answered.
    await marco.subscribe(demoDocs.salesTeam)
    await marco.subscribe(annaPresence)
    expect(readLastSeen(marco.doc(annaPresence))).toBe(t)
  })
})

describe('DocHub last seen', () => {
  test('a state that times out writes last seen (the relay\'s awareness timeout), falling back to now', async () => {
    const h = new DocHub({ persistence: new MemoryPersistence(), logger: silentLogger, idleMs: 30_000, compactThreshold: 500 })
    onTestFinished(() => h.close())
    const sub: DocSubscriber = { onUpdate: () => {}, onAwareness: () => {} }
    const loaded = await h.subscribe(annaPresence, sub)
    await h.applyAwareness(annaPresence, awarenessUpdateOf([[41, { user: 'anna', lastActive: 1_234 }], [42, { user: 'anna' }]]), sub)
    removeAwarenessStates(loaded.awareness, [41], 'timeout')
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(await h.read(annaPresence, readLastSeen)).toBeUndefined()
    removeAwarenessStates(loaded.awareness, [42], 'timeout')
    expect(await waitFor(() => h.read(annaPresence, readLastSeen), 5_000, 'last seen')).toBe(1_234)

    // No lastActive at all: now.
    const before = Date.now()
    const later = new DocHub({ persistence: new MemoryPersistence(), logger: silentLogger, idleMs: 30_000, compactThreshold: 500 })
    onTestFinished(() => later.close())
    const again = await later.subscribe(annaPresence, sub)
    await later.applyAwareness(annaPresence, awarenessUpdateOf([[43, { user: 'anna' }]]), sub)
    removeAwarenessStates(again.awareness, [43], 'timeout')
    const seen = await waitFor(() => later.read(annaPresence, readLastSeen), 5_000, 'last seen (now)')
    expect(seen).toBeGreaterThanOrEqual(before)
    expect(seen).toBeLessThanOrEqual(Date.now())
  })

  test('other documents never get a last seen', async () => {
    const h = new DocHub({ persistence: new MemoryPersistence(), logger: silentLogger, idleMs: 30_000, compactThreshold: 500 })
    onTestFinished(() => h.close())
    const sub: DocSubscriber = { onUpdate: () => {}, onAwareness: () => {} }
    const applied: string[] = []
    h.onApplied((name) => applied.push(name))
    await h.subscribe(demoDocs.salesTeam, sub)
    await h.applyAwareness(demoDocs.salesTeam, awarenessUpdateOf([[41, { user: 'anna', lastActive: 1_234 }]]), sub)
    h.unsubscribe(demoDocs.salesTeam, sub)
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(applied).toEqual([])
  })
})
