import {
  Origin, Reason, docName, readLastSeen, readStatus, visibleLength, writeLastSeen, writeStatus,
  type Status, type UserId,
} from '@waggle/schema'
import { describe, expect, onTestFinished, test } from 'vitest'
import * as Y from 'yjs'
import { connectAs, tokenFor } from '../testing/fixtures.ts'
import { PlainSocket, PlainSyncStep } from '../testing/PlainSocket.ts'
import { startRelay, type Relay } from '../testing/relayHarness.ts'
import type { TestClient } from '../testing/TestClient.ts'
import { waitFor } from '../testing/waitFor.ts'

const annaPresence = docName.presence('anna' as UserId)

async function relay(): Promise<Relay> {
  const r = await startRelay()
  onTestFinished(() => r.stop())
  return r
}

/** Signs in `who` and subscribes to Anna's presence document. */
async function onAnnasPresence(r: Relay, who: string): Promise<TestClient> {
  const client = await connectAs(r, who)
  onTestFinished(() => client.close())
  await client.subscribe(annaPresence)
  return client
}

const status = (over: Partial<Status>): Status => ({ availability: 'busy', updatedAt: Date.now(), updatedBy: 'anna' as UserId, ...over })

/** A crafted write: the status entry pushed as-is, past the accessors' validation. */
const rawStatus = (value: unknown) => (doc: Y.Doc) => doc.getArray('presence').push([{ key: 'status', val: value }])

const storedStatus = (r: Relay): Promise<Status | undefined> => r.server.hub.read(annaPresence, readStatus)

describe('presence content on the relay', () => {
  test('a 101-character message is refused with invalid-content, not stored and not forwarded', async () => {
    const r = await relay()
    const marco = await onAnnasPresence(r, 'marco')
    const anna = await onAnnasPresence(r, 'anna')
    const message = `${'x'.repeat(100)}!`
    expect(await anna.write(annaPresence, rawStatus(status({ message })))).toEqual({ rejected: Reason.invalidContent })
    expect(anna.rejects.at(-1)?.message).toBe('A status message is at most 100 characters')
    expect(await storedStatus(r)).toBeUndefined()

    // A fresh reader does not see it, nor did one already subscribed (only the later, valid write arrives).
    const fresh = (await onAnnasPresence(r, 'lena')).doc(annaPresence)
    expect(readStatus(fresh)).toBeUndefined()
    expect(fresh.getArray('presence').length).toBe(0)
    const anna2 = await onAnnasPresence(r, 'anna')
    expect(await anna2.write(annaPresence, (d) => writeStatus(d, status({ message: 'Back soon' }), Origin.local))).toEqual({ acked: true })
    await marco.until(() => readStatus(marco.doc(annaPresence))?.message === 'Back soon', 5_000, 'the valid status at marco')
    expect(marco.syncFrames(annaPresence, 'update')).toHaveLength(1)
    expect(anna.closeInfo).toBeNull()
  })

  test('a 100-character message with emoji is accepted and seen by colleagues', async () => {
    const r = await relay()
    const marco = await onAnnasPresence(r, 'marco')
    const anna = await onAnnasPresence(r, 'anna')
    const message = `Visiting customers ${'x'.repeat(71)}👩‍👩‍👧${'🎉'.repeat(9)}`
    expect(visibleLength(message)).toBe(100)
    expect(await anna.write(annaPresence, (d) => writeStatus(d, status({ message, emoji: '🚗' }), Origin.local))).toEqual({ acked: true })
    expect((await storedStatus(r))?.message).toBe(message)
    await marco.until(() => readStatus(marco.doc(annaPresence))?.emoji === '🚗', 5_000, 'anna’s status at marco')
  })

  test('Marco, without the permission, may not write Anna’s status, even with updatedBy forged', async () => {
    const r = await relay()
    const marco = await onAnnasPresence(r, 'marco')
    // The access policy refuses first: Marco may read a colleague's presence, not write it.
    expect(await marco.write(annaPresence, (d) => writeStatus(d, status({ availability: 'away' }), Origin.local))).toEqual({ rejected: Reason.readOnly })
    expect(await storedStatus(r)).toBeUndefined()
  })

  test('Claire, who may modify presence, sets Anna’s availability as herself, not as Anna', async () => {
    const r = await relay()
    const anna = await onAnnasPresence(r, 'anna')
    const forger = await onAnnasPresence(r, 'claire')
    expect(await forger.write(annaPresence, (d) => writeStatus(d, status({ availability: 'away' }), Origin.local))).toEqual({ rejected: Reason.invalidContent })
    const claire = await onAnnasPresence(r, 'claire')
    const set = status({ availability: 'away', updatedBy: 'claire' as UserId })
    expect(await claire.write(annaPresence, (d) => writeStatus(d, set, Origin.local))).toEqual({ acked: true })
    expect(await storedStatus(r)).toEqual(set)
    await anna.until(() => readStatus(anna.doc(annaPresence))?.updatedBy === 'claire', 5_000, 'claire’s change at anna')
  })

  test('Anna may not mark her status as written by Marco', async () => {
    const r = await relay()
    const anna = await onAnnasPresence(r, 'anna')
    expect(await anna.write(annaPresence, (d) => writeStatus(d, status({ updatedBy: 'marco' as UserId }), Origin.local))).toEqual({ rejected: Reason.invalidContent })
    expect(await storedStatus(r)).toBeUndefined()
  })

  test('nobody writes lastSeen: not the owner, not a presence modifier, not through a sync frame', async () => {
    const r = await relay()
    for (const who of ['anna', 'claire']) {
      const client = await onAnnasPresence(r, who)
      expect(await client.write(annaPresence, (d) => writeLastSeen(d, Date.now(), Origin.local))).toEqual({ rejected: Reason.forbidden })
    }
    const anna = await onAnnasPresence(r, 'anna')
    const replica = new Y.Doc()
    writeLastSeen(replica, 1, Origin.local)
    anna.send({ type: 'sync', doc: annaPresence, step: 'update', data: Y.encodeStateAsUpdate(replica) })
    const error = await anna.until(() => anna.errors.find((e) => e.doc === annaPresence), 5_000, 'the error frame')
    expect(error.reason).toBe(Reason.forbidden)
    expect(anna.closeInfo).toBeNull()
    expect(await r.server.hub.read(annaPresence, readLastSeen)).toBeUndefined()
    // The relay itself still may.
    await r.server.hub.change(annaPresence, (d) => writeLastSeen(d, 42, Origin.server))
    expect(await r.server.hub.read(annaPresence, readLastSeen)).toBe(42)
  })

  test('the plain endpoint refuses invalid content with permission-denied and keeps nothing', async () => {
    const r = await relay()
    const socket = new PlainSocket(`${r.wsBase}/sync/${annaPresence}?token=${encodeURIComponent(await tokenFor(r.url, 'anna'))}`)
    onTestFinished(() => socket.close())
    await socket.opened()
    const replica = new Y.Doc()
    rawStatus(status({ message: 'y'.repeat(101) }))(replica)
    socket.sendSync(PlainSyncStep.update, Y.encodeStateAsUpdate(replica))
    const denied = await waitFor(() => socket.messages.find((m) => m[0] === 2), 5_000, 'permission denied')
    expect(new TextDecoder().decode(denied)).toContain('A status message is at most 100 characters')
    expect(socket.closeInfo).toBeNull()
    expect(await storedStatus(r)).toBeUndefined()
  })
})
