import { Origin, docName, setSetting, setting, type DocName, type UserId } from '@waggle/schema'
import { describe, expect, onTestFinished, test } from 'vitest'
import * as Y from 'yjs'
import { silentLogger } from '../config.ts'
import { MemoryPersistence } from '../storage/MemoryPersistence.ts'
import { waitFor } from '../testing/waitFor.ts'
import { DocHub, type DocSubscriber } from './DocHub.ts'

const doc = docName.private('anna' as UserId)

function hub(persistence = new MemoryPersistence(), idleMs = 30_000): DocHub {
  const h = new DocHub({ persistence, logger: silentLogger, idleMs, compactThreshold: 500 })
  onTestFinished(() => h.close())
  return h
}

/** One client's replica: each call returns the update that sets `key` to `value` after the earlier ones. */
function client(): (key: string, value: string) => Uint8Array {
  const replica = new Y.Doc()
  return (key, value) => {
    const before = Y.encodeStateVector(replica)
    setSetting(replica, key, value, Origin.local)
    return Y.encodeStateAsUpdate(replica, before)
  }
}

type Applied = { name: DocName; update: Uint8Array; theme: unknown }

function record(h: DocHub): Applied[] {
  const seen: Applied[] = []
  h.onApplied((name, update, d) => seen.push({ name, update, theme: setting(d, 'theme') }))
  return seen
}

const idle: DocSubscriber = { onUpdate: () => {}, onAwareness: () => {} }

describe('DocHub hooks', () => {
  test('onApplied hears every stored write, from clients and from change(), with the document already updated', async () => {
    const h = hub()
    const seen = record(h)
    const update = client()('theme', 'dark')
    await h.write(doc, update, null)
    await h.change(doc, (d) => setSetting(d, 'theme', 'light', Origin.server))
    expect(seen.map((s) => [s.name, s.theme])).toEqual([[doc, 'dark'], [doc, 'light']])
    expect(seen[0]?.update).toEqual(update)
  })

  test('onApplied is not told about loads from storage, resent updates or changes that change nothing, nor after unsubscribing', async () => {
    const persistence = new MemoryPersistence()
    const settingUpdate = client()
    const update = settingUpdate('theme', 'dark')
    await persistence.append(doc, update)
    const h = hub(persistence)
    const seen = record(h)
    await h.subscribe(doc, idle)
    await h.write(doc, update, null)
    await h.change(doc, () => {})
    expect(seen).toEqual([])

    const stop = h.onApplied(() => {
      throw new Error('a broken listener')
    })
    await h.write(doc, settingUpdate('theme', 'light'), null)
    stop()
    await h.write(doc, settingUpdate('font', 'large'), null)
    // The broken listener neither failed the writes nor kept the others from hearing them.
    expect(seen.map((s) => s.theme)).toEqual(['light', 'light'])
  })

  test('read loads a document, runs the reader on it and lets it unload once idle', async () => {
    const persistence = new MemoryPersistence()
    await persistence.append(doc, client()('theme', 'dark'))
    const h = hub(persistence, 20)
    expect(await h.read(doc, (d) => setting(d, 'theme'))).toBe('dark')
    expect(h.isLoaded(doc)).toBe(true)
    await waitFor(() => !h.isLoaded(doc), 5_000, 'the read document to unload')
  })

  test('changes made by the relay share one Yjs client id, so the state vector does not grow with each', async () => {
    const h = hub()
    for (let i = 0; i < 20; i++) await h.change(doc, (d) => setSetting(d, 'counter', String(i), Origin.server))
    const state = await h.read(doc, (d) => Y.decodeStateVector(Y.encodeStateVector(d)))
    expect(state.size).toBe(1)
    expect(await h.read(doc, (d) => setting(d, 'counter'))).toBe('19')
  })
})
