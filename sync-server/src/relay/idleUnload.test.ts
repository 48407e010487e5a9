import { describe, expect, onTestFinished, test } from 'vitest'
import { SEEDED_SALES_MESSAGES, connectAs, demoDocs, post, texts } from '../testing/fixtures.ts'
import { startRelay } from '../testing/relayHarness.ts'
import { waitFor } from '../testing/waitFor.ts'

const doc = demoDocs.salesTeam

describe('idle documents', () => {
  test('a document unloads once every client has unsubscribed or disconnected, and reloads with its content', async () => {
    const r = await startRelay({ config: { docIdleMs: 50 } })
    onTestFinished(() => r.stop())
    const hub = r.server.hub
    // The documents the demo seed wrote have no subscribers, so they unload too.
    await waitFor(() => hub.loadedCount === 0, 5_000, 'the seeded documents to unload')

    const anna = await connectAs(r, 'anna')
    const marco = await connectAs(r, 'marco')
    await Promise.all([anna.subscribe(doc), marco.subscribe(doc)])
    expect(hub.isLoaded(doc)).toBe(true)
    expect(await anna.write(doc, post('anna', 'kept across unloads'))).toEqual({ acked: true })
    expect(await r.store.persistence.logLength(doc)).toBeGreaterThan(0)

    anna.unsubscribe(doc)
    await marco.close()
    await waitFor(() => hub.loadedCount === 0, 5_000, 'the idle document to unload')
    // Unloading folds the update log into the snapshot.
    expect(await r.store.persistence.logLength(doc)).toBe(0)

    const { doc: replica } = await (await connectAs(r, 'diego')).subscribe(doc)
    expect(hub.isLoaded(doc)).toBe(true)
    expect(texts(replica)).toContain('kept across unloads')
    expect(texts(replica)).toHaveLength(SEEDED_SALES_MESSAGES + 1)
  })

  test('a document stays loaded while one subscriber remains', async () => {
    const r = await startRelay({ config: { docIdleMs: 50 } })
    onTestFinished(() => r.stop())
    const hub = r.server.hub
    await waitFor(() => hub.loadedCount === 0, 5_000, 'the seeded documents to unload')
    const anna = await connectAs(r, 'anna')
    const marco = await connectAs(r, 'marco')
    await Promise.all([anna.subscribe(doc), marco.subscribe(doc), marco.subscribe(demoDocs.announcements)])

    // Marco leaves the announcements too: once that document has unloaded, the idle delay has
    // passed for the segment as well, yet anna still holds it.
    marco.unsubscribe(doc)
    marco.unsubscribe(demoDocs.announcements)
    await waitFor(() => !hub.isLoaded(demoDocs.announcements), 5_000, 'the announcements to unload')
    expect(hub.isLoaded(doc)).toBe(true)
    expect(await marco.write(doc, post('marco', 'still delivered'))).toEqual({ acked: true })
    await anna.until(() => anna.syncFrames(doc, 'update').length === 1, 5_000, 'marco\'s update at anna')
  })
})
