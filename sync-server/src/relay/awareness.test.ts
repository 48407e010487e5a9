import { describe, expect, onTestFinished, test } from 'vitest'
import { connectAs, demoDocs } from '../testing/fixtures.ts'
import { startRelay } from '../testing/relayHarness.ts'

const doc = demoDocs.salesTeam

describe('awareness', () => {
  test('a state set by one client reaches the other and is removed when the first disconnects', async () => {
    const r = await startRelay()
    onTestFinished(() => r.stop())
    const anna = await connectAs(r, 'anna')
    const marco = await connectAs(r, 'marco')
    await Promise.all([anna.subscribe(doc), marco.subscribe(doc)])
    const annaId = anna.awareness(doc).clientID

    anna.awareness(doc).setLocalState({ typing: true, name: 'Anna' })
    const seen = await marco.until(() => marco.peers(doc).get(annaId), 5_000, 'anna\'s state at marco')
    // The relay stamps `user` from the session (awarenessGuard.ts).
    expect(seen).toEqual({ typing: true, name: 'Anna', user: 'anna' })

    anna.awareness(doc).setLocalStateField('typing', false)
    await marco.until(() => marco.peers(doc).get(annaId)?.typing === false, 5_000, 'anna\'s updated state at marco')

    await anna.close()
    await marco.until(() => !marco.peers(doc).has(annaId), 5_000, 'anna\'s state to be removed at marco')
    expect(marco.peers(doc).size).toBe(0)
  })

  test('a late subscriber receives the states already present', async () => {
    const r = await startRelay()
    onTestFinished(() => r.stop())
    const anna = await connectAs(r, 'anna')
    await anna.subscribe(doc)
    const annaId = anna.awareness(doc).clientID
    anna.awareness(doc).setLocalState({ viewing: 'sales-team' })
    // The relay handles one connection's frames in order: once a later subscription is answered,
    // anna's awareness frame has been applied.
    await anna.subscribe(demoDocs.announcements)

    const marco = await connectAs(r, 'marco')
    await marco.subscribe(doc)
    const seen = await marco.until(() => marco.peers(doc).get(annaId), 5_000, 'anna\'s state at marco')
    expect(seen).toEqual({ viewing: 'sales-team', user: 'anna' })
  })
})
