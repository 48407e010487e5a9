import {
  Origin, Reason, appendMessage, docName, editMessage, listMessages, newMessageId,
  type ConvId, type MessageId, type UserId, type Writer,
} from '@waggle/schema'
import { describe, expect, onTestFinished, test } from 'vitest'
import * as Y from 'yjs'
import { silentLogger } from '../../config.ts'
import type { Persistence } from '../../storage/Persistence.ts'
import { MemoryPersistence } from '../../storage/MemoryPersistence.ts'
import { ControlledPersistence } from '../../testing/ControlledPersistence.ts'
import { DocHub, type DocHubOptions } from '../DocHub.ts'
import { EXPENSIVE_MIN_BYTES } from './DocGate.ts'

const seg = docName.segment('c1' as ConvId, 0)
const anna: Writer = { userId: 'anna' as UserId, canModifyPresence: false }
const marco: Writer = { userId: 'marco' as UserId, canModifyPresence: false }

function hub(persistence: Persistence = new MemoryPersistence(), opts: Partial<DocHubOptions> = {}): DocHub {
  const h = new DocHub({ persistence, logger: silentLogger, idleMs: 30_000, compactThreshold: 500, ...opts })
  onTestFinished(() => h.close())
  return h
}

/** A client replica: each call returns the update of `change` after the earlier ones. */
function replica(): { doc: Y.Doc; change: (fn: (d: Y.Doc) => void) => Uint8Array } {
  const doc = new Y.Doc()
  return {
    doc,
    change(fn) {
      const before = Y.encodeStateVector(doc)
      doc.transact(() => fn(doc), Origin.local)
      return Y.encodeStateAsUpdate(doc, before)
    },
  }
}

const post = (author: string, text: string, id: MessageId = newMessageId()) => (d: Y.Doc) =>
  appendMessage(d, { id, author: author as UserId, time: Date.now(), text }, Origin.local)

describe('the write gate in DocHub', () => {
  test('records the time of every decision, accepted and refused', async () => {
    const h = hub()
    const a = replica()
    await h.write(seg, a.change(post('anna', 'hi')), null, anna)
    await expect(h.write(seg, replica().change(post('marco', 'forged')), null, anna)).rejects.toMatchObject({ reason: Reason.forbidden })
    const stats = h.gateStats()
    expect(stats).toMatchObject({ count: 2, refused: 1 })
    expect(stats.maxMs).toBeGreaterThan(0)
    expect(stats.buckets.reduce((n, [, c]) => n + c, 0)).toBe(2)
  })

  test('gate: false turns the content gate off (for benchmarks)', async () => {
    const h = hub(new MemoryPersistence(), { gate: false })
    await h.write(seg, replica().change(post('marco', 'not checked')), null, anna)
    expect(await h.read(seg, (d) => listMessages(d).map((m) => m.author))).toEqual(['marco'])
    expect(h.gateStats().count).toBe(0)
  })

  test('a write over the time budget is refused too-expensive and not stored', async () => {
    const persistence = new MemoryPersistence()
    const warnings: string[] = []
    const h = hub(persistence, { gateTimeBudgetMs: -1, logger: { ...silentLogger, warn: (m) => warnings.push(m) } })
    await expect(h.write(seg, replica().change(post('anna', 'slow '.repeat(1_000))), null, anna)).rejects.toMatchObject({ reason: Reason.tooExpensive })
    expect(warnings).toEqual(['write gate over its time budget'])
    expect((await persistence.load(seg)).updates).toEqual([])
  })

  test('a small write over the time budget is accepted: the relay was busy, not the write costly', async () => {
    const persistence = new MemoryPersistence()
    const warnings: string[] = []
    const h = hub(persistence, { gateTimeBudgetMs: -1, logger: { ...silentLogger, warn: (m) => warnings.push(m) } })
    const update = replica().change(post('anna', 'slow machine'))
    expect(update.byteLength).toBeLessThan(EXPENSIVE_MIN_BYTES)
    await h.write(seg, update, null, anna)
    expect(warnings).toEqual(['write gate over its time budget on a small update (accepted)'])
    expect((await persistence.load(seg)).updates).toHaveLength(1)
  })

  test('the shadow follows the relay’s own changes, so a client may edit a message the relay wrote', async () => {
    const h = hub()
    const id = newMessageId()
    const a = replica()
    // A first write builds the shadow; the relay's change afterwards must reach it too.
    await h.write(seg, a.change(post('anna', 'first')), null, anna)
    await h.change(seg, post('anna', 'written by the relay for anna', id))
    Y.applyUpdate(a.doc, await h.read(seg, (d) => Y.encodeStateAsUpdate(d)))
    await h.write(seg, a.change((d) => editMessage(d, id, 'edited', Date.now(), Origin.local)), null, anna)
    expect(await h.read(seg, (d) => listMessages(d).find((m) => m.id === id))).toMatchObject({ text: 'edited' })
    // And Marco may not, on the same shadow.
    const m = replica()
    Y.applyUpdate(m.doc, await h.read(seg, (d) => Y.encodeStateAsUpdate(d)))
    await expect(h.write(seg, m.change((d) => editMessage(d, id, 'marco’s', Date.now(), Origin.local)), null, marco)).rejects.toMatchObject({ reason: Reason.forbidden })
  })

  test('a failed commit drops the shadow: what builds on the lost write is missing-dependency, the resend is accepted', async () => {
    const persistence = new ControlledPersistence()
    const h = hub(persistence)
    const a = replica()
    await h.write(seg, a.change(post('anna', 'one')), null, anna)
    persistence.failAppends(new Error('disk full'))
    const lost = a.change(post('anna', 'two'))
    await expect(h.write(seg, lost, null, anna)).rejects.toThrow('disk full')
    persistence.failAppends(null)
    const next = a.change(post('anna', 'three'))
    await expect(h.write(seg, next, null, anna)).rejects.toMatchObject({ reason: Reason.missingDependency })
    await h.write(seg, lost, null, anna)
    await h.write(seg, next, null, anna)
    expect(await h.read(seg, (d) => listMessages(d).map((m) => ('text' in m ? m.text : '')))).toEqual(['one', 'two', 'three'])
  })

  test('client id bindings survive a new hub on the same storage; the relay’s id is bound to it', async () => {
    const persistence = new MemoryPersistence()
    const first = hub(persistence)
    const a = replica()
    await first.write(seg, a.change(post('anna', 'mine')), null, anna)
    await first.change(seg, post('anna', 'by the relay'))
    await first.close()
    expect(await persistence.clientIds.load(seg)).toEqual(new Map([[a.doc.clientID, 'anna'], [first.clientId, '@server']]))

    const second = hub(persistence)
    const forged = new Y.Doc()
    Y.applyUpdate(forged, await second.read(seg, (d) => Y.encodeStateAsUpdate(d)))
    forged.clientID = a.doc.clientID
    const before = Y.encodeStateVector(forged)
    post('marco', 'with anna’s id')(forged)
    await expect(second.write(seg, Y.encodeStateAsUpdate(forged, before), null, marco)).rejects.toMatchObject({
      reason: Reason.forbidden, message: 'This client id belongs to another session',
    })
    await second.write(seg, a.change(post('anna', 'still mine')), null, anna)
  })

  test('a resent update is acknowledged without judging or storing it again', async () => {
    const persistence = new MemoryPersistence()
    const h = hub(persistence)
    const update = replica().change(post('anna', 'once'))
    await h.write(seg, update, null, anna)
    await h.write(seg, update, null, anna)
    expect((await persistence.load(seg)).updates).toHaveLength(1)
    expect(h.gateStats().count).toBe(1)
  })
})
