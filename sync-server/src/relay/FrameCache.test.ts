import { decodeServerFrame, docName, type ConvId } from '@waggle/schema'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { FrameCache } from './FrameCache.ts'

const seg = docName.segment('sales-team' as ConvId, 0)

describe('FrameCache', () => {
  it('encodes a forwarded update once for every subscriber', () => {
    const cache = new FrameCache()
    const update = new Uint8Array([0, 0])
    const a = cache.forwarded({ type: 'sync', doc: seg, step: 'update', data: update }, update)
    const b = cache.forwarded({ type: 'sync', doc: seg, step: 'update', data: update }, update)
    expect(b).toBe(a)
    expect(decodeServerFrame(a)).toMatchObject({ type: 'sync', doc: seg, step: 'update' })
  })

  it('gives the whole state until the document changes, then the new whole state', () => {
    const cache = new FrameCache()
    const doc = new Y.Doc()
    doc.getMap('messages').set('a', 1)
    const first = cache.wholeState(seg, doc)
    expect(cache.wholeState(seg, doc)).toBe(first)
    doc.getMap('messages').set('b', 2)
    const second = cache.wholeState(seg, doc)
    expect(second).not.toBe(first)
    const frame = decodeServerFrame(second)
    const copy = new Y.Doc()
    if (frame.type !== 'sync') throw new Error(`not a sync frame: ${frame.type}`)
    Y.applyUpdate(copy, frame.data)
    expect(copy.getMap('messages').toJSON()).toEqual({ a: 1, b: 2 })
  })
})
