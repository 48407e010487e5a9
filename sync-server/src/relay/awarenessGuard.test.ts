import { docName, type UserId } from '@waggle/schema'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { describe, expect, onTestFinished, test } from 'vitest'
import { Awareness, applyAwarenessUpdate, removeAwarenessStates } from 'y-protocols/awareness'
import * as Y from 'yjs'
import { connectAs, demoDocs, tokenFor } from '../testing/fixtures.ts'
import { PlainSocket } from '../testing/PlainSocket.ts'
import { startRelay, type Relay } from '../testing/relayHarness.ts'
import { awarenessUpdateOf } from '../testing/awarenessUpdates.ts'
import { waitFor } from '../testing/waitFor.ts'
import {
  MAX_AWARENESS_IDS_PER_CONNECTION, MAX_AWARENESS_STATES_PER_UPDATE, MAX_AWARENESS_STATE_CHARS, releaseAwareness, screenAwareness,
} from './awarenessGuard.ts'

const doc = demoDocs.salesTeam


/** The entries an update carries: client id → state (null: removal), decoded from y-protocols' encoding. */
function entriesOf(update: Uint8Array | null): Map<number, unknown> {
  if (update === null) throw new Error('dropped')
  const d = decoding.createDecoder(update)
  const seen = new Map<number, unknown>()
  for (let n = decoding.readVarUint(d); n > 0; n--) {
    const id = decoding.readVarUint(d)
    decoding.readVarUint(d)
    seen.set(id, JSON.parse(decoding.readVarString(d)))
  }
  return seen
}

/** A relay-side awareness of a loaded document, as the hub has it. */
function hubAwareness(): Awareness {
  const aw = new Awareness(new Y.Doc())
  aw.setLocalState(null)
  onTestFinished(() => aw.destroy())
  return aw
}

describe('screenAwareness on any document', () => {
  test('stamps `user` from the session over a spoofed one, and on a state without it', () => {
    const aw = hubAwareness()
    const conn = {}
    const out = screenAwareness(doc, awarenessUpdateOf([[7, { user: 'marco', typing: true }], [8, { typing: false }]]), 'anna', conn, aw)
    expect(entriesOf(out)).toEqual(new Map([[7, { user: 'anna', typing: true }], [8, { user: 'anna', typing: false }]]))
  })

  test('a client id belongs to the connection that introduced it: another connection (even of the same user) cannot set or remove it', () => {
    const aw = hubAwareness()
    const anna = {}
    const marco = {}
    const annaPhone = {}
    expect(screenAwareness(doc, awarenessUpdateOf([[7, { typing: true }]]), 'anna', anna, aw)).not.toBeNull()
    expect(screenAwareness(doc, awarenessUpdateOf([[7, { typing: false }]], 2), 'marco', marco, aw)).toBeNull()
    expect(screenAwareness(doc, awarenessUpdateOf([[7, null]], 2), 'marco', marco, aw)).toBeNull()
    expect(screenAwareness(doc, awarenessUpdateOf([[7, null]], 2), 'anna', annaPhone, aw)).toBeNull()
    // Mixed: only marco's own entry survives.
    expect(entriesOf(screenAwareness(doc, awarenessUpdateOf([[7, { x: 1 }], [9, { x: 2 }]], 3), 'marco', marco, aw))).toEqual(new Map([[9, { x: 2, user: 'marco' }]]))
    // The owner may change and remove its own.
    expect(entriesOf(screenAwareness(doc, awarenessUpdateOf([[7, null]], 2), 'anna', anna, aw))).toEqual(new Map([[7, null]]))
    // Once the owner is gone (unsubscribed), the id is free again.
    releaseAwareness(aw, anna)
    expect(screenAwareness(doc, awarenessUpdateOf([[7, { typing: true }]], 5), 'marco', marco, aw)).not.toBeNull()
  })

  test('a connection of the same user takes over an id only once its state is gone (a stock client reconnecting); another user never', () => {
    const aw = hubAwareness()
    const old = {}
    const update = screenAwareness(doc, awarenessUpdateOf([[7, { typing: true }]]), 'anna', old, aw)
    if (update === null) throw new Error('dropped')
    applyAwarenessUpdate(aw, update, old)
    expect(screenAwareness(doc, awarenessUpdateOf([[7, { typing: false }]], 2), 'anna', {}, aw)).toBeNull()
    removeAwarenessStates(aw, [7], 'timeout')
    expect(screenAwareness(doc, awarenessUpdateOf([[7, { typing: false }]], 3), 'marco', {}, aw)).toBeNull()
    const reconnected = {}
    expect(entriesOf(screenAwareness(doc, awarenessUpdateOf([[7, { typing: false }]], 3), 'anna', reconnected, aw))).toEqual(new Map([[7, { typing: false, user: 'anna' }]]))
    // Now the new connection owns it: the old one may no longer touch it.
    expect(screenAwareness(doc, awarenessUpdateOf([[7, null]], 4), 'anna', old, aw)).toBeNull()
  })

  test('nobody sets or removes the relay’s own client id, nor removes an id nobody introduced', () => {
    const aw = hubAwareness()
    expect(screenAwareness(doc, awarenessUpdateOf([[aw.clientID, { user: 'relay' }]], 9), 'marco', {}, aw)).toBeNull()
    expect(screenAwareness(doc, awarenessUpdateOf([[12345, null]], 9), 'marco', {}, aw)).toBeNull()
  })

  test('drops an update with too many states, an oversized state, a state that is not an object, or past the ids one connection may introduce', () => {
    const aw = hubAwareness()
    const many = Array.from({ length: MAX_AWARENESS_STATES_PER_UPDATE + 1 }, (_, i): [number, unknown] => [i + 1, { n: i }])
    expect(screenAwareness(doc, awarenessUpdateOf(many), 'anna', {}, aw)).toBeNull()
    expect(screenAwareness(doc, awarenessUpdateOf([[1, { note: 'x'.repeat(MAX_AWARENESS_STATE_CHARS) }]]), 'anna', {}, aw)).toBeNull()
    expect(screenAwareness(doc, awarenessUpdateOf([[1, [1, 2]]]), 'anna', {}, aw)).toBeNull()
    expect(screenAwareness(doc, awarenessUpdateOf([[1, 'online']]), 'anna', {}, aw)).toBeNull()
    const conn = {}
    for (let i = 0; i < MAX_AWARENESS_IDS_PER_CONNECTION; i++) {
      expect(screenAwareness(doc, awarenessUpdateOf([[100 + i, { i }]]), 'anna', conn, aw)).not.toBeNull()
    }
    expect(screenAwareness(doc, awarenessUpdateOf([[999, { i: 999 }]]), 'anna', conn, aw)).toBeNull()
  })

  test('a huge entry count is refused before anything is decoded; a malformed update is a malformed frame', () => {
    const aw = hubAwareness()
    const e = encoding.createEncoder()
    encoding.writeVarUint(e, 1_000_000_000)
    expect(screenAwareness(doc, encoding.toUint8Array(e), 'anna', {}, aw)).toBeNull()
    expect(() => screenAwareness(doc, new Uint8Array([1, 7, 1, 3, 0x7b, 0x7b, 0x7b]), 'anna', {}, aw)).toThrow(/Malformed awareness/)
  })

  test('presence documents keep the owner-only rule', () => {
    const aw = hubAwareness()
    const presence = docName.presence('anna' as UserId)
    expect(screenAwareness(presence, awarenessUpdateOf([[7, { lastActive: 1 }]]), 'marco', {}, aw)).toBeNull()
    expect(entriesOf(screenAwareness(presence, awarenessUpdateOf([[7, { user: 'marco', lastActive: 1 }]]), 'anna', {}, aw))).toEqual(new Map([[7, { user: 'anna', lastActive: 1 }]]))
  })
})

describe('awareness screening through the relay', () => {
  async function relay(): Promise<Relay> {
    const r = await startRelay()
    onTestFinished(() => r.stop())
    return r
  }

  test('on a conversation document: a spoofed user is overwritten, another connection’s client id and oversized states never reach anyone; the honest client is unaffected', async () => {
    const r = await relay()
    const [anna, marco, lena] = [await connectAs(r, 'anna'), await connectAs(r, 'marco'), await connectAs(r, 'diego')]
    onTestFinished(async () => {
      for (const c of [anna, marco, lena]) await c.close()
    })
    await Promise.all([anna.subscribe(doc), marco.subscribe(doc), lena.subscribe(doc)])

    anna.awareness(doc).setLocalState({ user: 'marco', typing: true })
    const annaId = anna.awareness(doc).clientID
    expect(await lena.until(() => lena.peers(doc).get(annaId), 5_000, 'anna’s state at diego')).toEqual({ user: 'anna', typing: true })

    // Marco overwrites anna's id (higher clock), removes it, and sends an oversized state of his own.
    marco.send({ type: 'awareness', doc, update: awarenessUpdateOf([[annaId, { user: 'anna', typing: false, text: 'forged' }]], 50) })
    marco.send({ type: 'awareness', doc, update: awarenessUpdateOf([[annaId, null]], 60) })
    const marcoId = marco.awareness(doc).clientID
    marco.send({ type: 'awareness', doc, update: awarenessUpdateOf([[marcoId, { note: 'x'.repeat(MAX_AWARENESS_STATE_CHARS + 1) }]], 1) })
    // Marco's frames are handled in order: once his next subscription is answered, they were.
    await marco.subscribe(demoDocs.announcements)
    anna.awareness(doc).setLocalStateField('typing', false)
    await lena.until(() => lena.peers(doc).get(annaId)?.typing === false, 5_000, 'anna’s second state at diego')

    expect([...lena.peers(doc).entries()]).toEqual([[annaId, { user: 'anna', typing: false }]])
    const forwarded = lena.frames.filter((f) => f.type === 'awareness').flatMap((f) => [...entriesOf(f.update).values()])
    expect(JSON.stringify(forwarded)).not.toContain('forged')
    expect(JSON.stringify(forwarded)).not.toContain('xxxx')
    expect(marco.closeInfo).toBeNull()
    expect(marco.errors).toEqual([])
  })

  test('a plain /sync/ socket’s awareness is stamped and screened too', async () => {
    const r = await relay()
    const anna = await connectAs(r, 'anna')
    onTestFinished(() => anna.close())
    await anna.subscribe(doc)
    anna.awareness(doc).setLocalState({ typing: true })
    const annaId = anna.awareness(doc).clientID
    // Anna's frame is applied before her next subscription is answered.
    await anna.subscribe(demoDocs.announcements)

    const plain = new PlainSocket(`${r.wsBase}/sync/${doc}?token=${encodeURIComponent(await tokenFor(r.url, 'marco'))}`)
    onTestFinished(() => plain.close())
    await plain.opened()
    const awarenessMessage = (update: Uint8Array): Uint8Array => {
      const e = encoding.createEncoder()
      encoding.writeVarUint(e, 1)
      encoding.writeVarUint8Array(e, update)
      return encoding.toUint8Array(e)
    }
    plain.sendRaw(awarenessMessage(awarenessUpdateOf([[annaId, null]], 99)))
    plain.sendRaw(awarenessMessage(awarenessUpdateOf([[4242, { user: 'anna', typing: true }]], 1)))
    await anna.until(() => anna.peers(doc).get(4242), 5_000, 'the plain socket’s state at anna')
    expect(anna.peers(doc).get(4242)).toEqual({ user: 'marco', typing: true })
    // Anna's own state was not removed by the plain socket.
    const marco = await connectAs(r, 'marco')
    onTestFinished(() => marco.close())
    await marco.subscribe(doc)
    await waitFor(() => marco.peers(doc).size === 2, 5_000, 'both states at a late subscriber')
    expect(marco.peers(doc).get(annaId)).toEqual({ typing: true, user: 'anna' })
    expect(plain.closeInfo).toBeNull()
  })
})
