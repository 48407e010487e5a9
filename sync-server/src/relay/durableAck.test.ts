import { Reason } from '@waggle/schema'
import { describe, expect, onTestFinished, test } from 'vitest'
import * as Y from 'yjs'
import { ControlledPersistence } from '../testing/ControlledPersistence.ts'
import { connectAs, demoDocs, post, texts } from '../testing/fixtures.ts'
import { startRelay } from '../testing/relayHarness.ts'
import { waitFor } from '../testing/waitFor.ts'

const doc = demoDocs.salesTeam

async function relayWithControlledStorage() {
  const persistence = new ControlledPersistence()
  const relay = await startRelay({ persistence })
  onTestFinished(() => relay.stop())
  const anna = await connectAs(relay, 'anna')
  const marco = await connectAs(relay, 'marco')
  const [{ doc: annaDoc }, { doc: marcoDoc }] = await Promise.all([anna.subscribe(doc), marco.subscribe(doc)])
  return { relay, persistence, anna, marco, annaDoc, marcoDoc }
}

/** What storage has really committed for `doc`, as a replica. */
async function committed(persistence: ControlledPersistence): Promise<Y.Doc> {
  const stored = await persistence.inner.load(doc)
  const replica = new Y.Doc()
  if (stored.snapshot !== null) Y.applyUpdate(replica, stored.snapshot)
  for (const u of stored.updates) Y.applyUpdate(replica, u)
  return replica
}

describe('durable acknowledgement', () => {
  test('an update is neither acknowledged nor forwarded until storage has committed it', async () => {
    const { persistence, anna, marco, marcoDoc } = await relayWithControlledStorage()
    persistence.closeGate()

    let outcome: unknown = null
    const write = anna.write(doc, post('anna', 'held at the gate')).then((r) => (outcome = r))
    await waitFor(() => persistence.waiting === 1, 5_000, 'the append to reach the gate')
    expect(outcome).toBeNull()
    expect(anna.frames.some((f) => f.type === 'ack')).toBe(false)
    expect(marco.syncFrames(doc, 'update')).toHaveLength(0)
    expect(texts(marcoDoc)).not.toContain('held at the gate')
    expect(texts(await committed(persistence))).not.toContain('held at the gate')

    persistence.openGate()
    expect(await write).toEqual({ acked: true })
    await marco.until(() => texts(marcoDoc).includes('held at the gate'), 5_000, 'the update at marco')
    expect(texts(await committed(persistence))).toContain('held at the gate')
  })

  test('acks follow the order of the updates even when storage holds the first one', async () => {
    const { persistence, anna } = await relayWithControlledStorage()
    persistence.closeGate()
    const order: string[] = []
    const first = anna.write(doc, post('anna', 'first')).then((r) => order.push(`first ${JSON.stringify(r)}`))
    const second = anna.write(doc, post('anna', 'second')).then((r) => order.push(`second ${JSON.stringify(r)}`))
    await waitFor(() => persistence.waiting === 1, 5_000, 'the first append at the gate')
    persistence.openGate()
    await Promise.all([first, second])
    expect(order).toEqual(['first {"acked":true}', 'second {"acked":true}'])
  })

  test('when storage fails the writer gets storage-failed, nobody else gets the update, and the relay does not keep it', async () => {
    const { relay, persistence, anna, marco, marcoDoc } = await relayWithControlledStorage()
    persistence.failAppends(new Error('disk full'))

    expect(await anna.write(doc, post('anna', 'lost to a full disk'))).toEqual({ rejected: Reason.storageFailed })
    expect(persistence.failed).toBe(1)
    expect(anna.rejects.map((r) => r.reason)).toEqual([Reason.storageFailed])
    expect(anna.closeInfo).toBeNull()
    persistence.failAppends(null)

    // The relay's document (served in step 2) and storage do not have it.
    const diego = await connectAs(relay, 'diego')
    const { doc: served } = await diego.subscribe(doc)
    expect(texts(served)).not.toContain('lost to a full disk')
    expect(texts(await committed(persistence))).not.toContain('lost to a full disk')

    // Relay frames to marco are ordered, so once diego's later update is there, nothing else came first.
    expect(await diego.write(doc, post('diego', 'after the failure'))).toEqual({ acked: true })
    await marco.until(() => texts(marcoDoc).includes('after the failure'), 5_000, 'diego\'s update at marco')
    expect(marco.syncFrames(doc, 'update')).toHaveLength(1)
    expect(texts(marcoDoc)).not.toContain('lost to a full disk')

    // The rejected update stays in the writer's outbox; sent again, it is stored and delivered.
    const failed = anna.sentUpdates[0]
    expect(failed).toBeDefined()
    expect(await anna.sendUpdate(doc, failed?.update ?? new Uint8Array())).toEqual({ acked: true })
    await marco.until(() => texts(marcoDoc).includes('lost to a full disk'), 5_000, 'the resent update at marco')
    expect(texts(await committed(persistence))).toContain('lost to a full disk')
  })
})
