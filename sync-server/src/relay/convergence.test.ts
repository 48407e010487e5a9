import { listMessages } from '@waggle/schema'
import { describe, expect, onTestFinished, test } from 'vitest'
import * as Y from 'yjs'
import { SEEDED_SALES_MESSAGES, connectAs, demoDocs, post, texts } from '../testing/fixtures.ts'
import { startRelay } from '../testing/relayHarness.ts'

const doc = demoDocs.salesTeam

describe('mux sync between two members', () => {
  test('a message written by one member reaches the other, in both directions, and the replicas converge', async () => {
    const relay = await startRelay()
    onTestFinished(() => relay.stop())
    const anna = await connectAs(relay, 'anna')
    const marco = await connectAs(relay, 'marco')

    const [a, m] = await Promise.all([anna.subscribe(doc), marco.subscribe(doc)])
    expect(a.access).toBe('write')
    expect(m.access).toBe('write')
    expect(texts(a.doc)).toHaveLength(SEEDED_SALES_MESSAGES)

    expect(await anna.write(doc, post('anna', 'Numbers are in'))).toEqual({ acked: true })
    await marco.until(() => texts(m.doc).includes('Numbers are in'), 5_000, 'anna\'s message at marco')

    expect(await marco.write(doc, post('marco', 'Thanks, looking now'))).toEqual({ acked: true })
    await anna.until(() => texts(a.doc).includes('Thanks, looking now'), 5_000, 'marco\'s message at anna')

    expect(listMessages(a.doc)).toEqual(listMessages(m.doc))
    expect(Y.encodeStateVector(a.doc)).toEqual(Y.encodeStateVector(m.doc))
    expect(texts(a.doc)).toHaveLength(SEEDED_SALES_MESSAGES + 2)
    // The writer gets an ack, not its own update echoed back.
    expect(anna.syncFrames(doc, 'update')).toHaveLength(1)
    expect(marco.syncFrames(doc, 'update')).toHaveLength(1)
  })

  test('concurrent writes from both members all arrive and both replicas end up identical', async () => {
    const relay = await startRelay()
    onTestFinished(() => relay.stop())
    const anna = await connectAs(relay, 'anna')
    const marco = await connectAs(relay, 'marco')
    const [{ doc: a }, { doc: m }] = await Promise.all([anna.subscribe(doc), marco.subscribe(doc)])

    const results = await Promise.all([
      ...Array.from({ length: 5 }, (_, i) => anna.write(doc, post('anna', `anna ${i}`))),
      ...Array.from({ length: 5 }, (_, i) => marco.write(doc, post('marco', `marco ${i}`))),
    ])
    expect(results.every((r) => 'acked' in r)).toBe(true)

    const expected = SEEDED_SALES_MESSAGES + 10
    await anna.until(() => texts(a).length === expected, 5_000, 'all messages at anna')
    await marco.until(() => texts(m).length === expected, 5_000, 'all messages at marco')
    expect(listMessages(a)).toEqual(listMessages(m))
    expect(Y.encodeStateVector(a)).toEqual(Y.encodeStateVector(m))
  })
})
