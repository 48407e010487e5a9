import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { MessageId, UserId } from '../ids.ts'
import { Origin } from '../origins.ts'
import { allReactions, observeReactions, toggleReaction } from './reactions.ts'
import { appendMessage, deleteMessage, editMessage, getMessage, messageIdsIn } from './segment.ts'

const anna = 'anna' as UserId
const marco = 'marco' as UserId
const m1 = 'M0001' as MessageId

/** Two replicas that exchange updates only when `sync()` is called (a device offline until then). */
function pair(): { a: Y.Doc; b: Y.Doc; sync: () => void } {
  const a = new Y.Doc()
  const b = new Y.Doc()
  const sync = () => {
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)), Origin.remote)
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)), Origin.remote)
  }
  return { a, b, sync }
}

describe('message operations', () => {
  it('stores reply, mentions and forwarded origin with the message', () => {
    const doc = new Y.Doc()
    appendMessage(doc, { id: m1, author: anna, time: 1, text: 'hi @Marco', replyTo: 'M0000' as MessageId, mentions: [marco, marco], forwarded: { author: marco, time: 0 } }, Origin.local)
    expect(getMessage(doc, m1)).toEqual({ id: m1, author: anna, time: 1, text: 'hi @Marco', replyTo: 'M0000', mentions: [marco], forwarded: { author: marco, time: 0 } })
  })

  it('an edit replaces text and mentions; a later delete wins over it on every replica', () => {
    const { a, b, sync } = pair()
    appendMessage(a, { id: m1, author: anna, time: 1, text: 'first @Marco', mentions: [marco] }, Origin.local)
    sync()
    const edited = editMessage(a, m1, 'second', 5, Origin.local, [])
    expect(edited).toMatchObject({ text: 'second', editedAt: 5 })
    expect(edited.mentions).toBeUndefined()
    deleteMessage(a, m1, 6, Origin.local)
    sync()
    expect(getMessage(b, m1)).toEqual({ id: m1, author: anna, time: 1, deleted: true, deletedAt: 6 })
  })

  it('names the message an edit or delete overwrites when given the replica', () => {
    const doc = new Y.Doc()
    appendMessage(doc, { id: m1, author: anna, time: 1, text: 'x' }, Origin.local)
    let update: Uint8Array | null = null
    doc.once('update', (u: Uint8Array) => (update = u))
    editMessage(doc, m1, 'y', 2, Origin.local)
    if (update === null) throw new Error('no update')
    expect(messageIdsIn(update, doc)).toEqual([m1])
  })

  it('reactions toggle per user and converge between replicas', () => {
    const { a, b, sync } = pair()
    const changed: MessageId[][] = []
    observeReactions(b, (ids) => changed.push(ids))
    expect(toggleReaction(a, m1, '👍', anna, 1, Origin.local)).toBe(true)
    toggleReaction(b, m1, '👍', marco, 1, Origin.local)
    toggleReaction(b, m1, '🎉', marco, 1, Origin.local)
    sync()
    expect(toggleReaction(b, m1, '🎉', marco, 2, Origin.local)).toBe(false)
    sync()
    for (const doc of [a, b]) {
      const users = allReactions(doc).get(m1)?.get('👍') ?? []
      expect([...users].sort()).toEqual([anna, marco])
      expect(allReactions(doc).get(m1)?.has('🎉')).toBe(false)
    }
    expect(changed.flat()).toContain(m1)
  })
})
