import { afterEach, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { Origin, appendMessage, docName, type ConvId, type DocName, type InboxEntry, type MessageId, type UserId } from '@waggle/schema'
import type { DocHandle } from '../sync/index.ts'
import { Indexer } from './Indexer.ts'
import type { ConvIndexRow } from './LocalIndex.ts'

const me = 'anna' as UserId
const marco = 'marco' as UserId
const conv = (n: number) => `c${n}` as ConvId
const id = (n: number) => `M${String(n).padStart(4, '0')}` as MessageId

/** Documents opened by the indexer, with a count of how many are open at once. */
class FakeDocs {
  readonly docs = new Map<DocName, Y.Doc>()
  open = 0
  maxOpen = 0
  readonly gate: { promise: Promise<void>; release: () => void }

  constructor(blockLoads = false) {
    let release = () => {}
    const promise = blockLoads ? new Promise<void>((r) => (release = r)) : Promise.resolve()
    this.gate = { promise, release }
  }

  doc(name: DocName): Y.Doc {
    let doc = this.docs.get(name)
    if (doc === undefined) this.docs.set(name, (doc = new Y.Doc()))
    return doc
  }

  readonly opened: DocName[] = []

  handle = (name: DocName): DocHandle => {
    this.opened.push(name)
    this.open++
    this.maxOpen = Math.max(this.maxOpen, this.open)
    let released = false
    return {
      name, doc: this.doc(name), loaded: this.gate.promise,
      release: () => {
        if (!released) this.open--
        released = true
      },
    }
  }
}

class FakeIndex {
  readonly rows = new Map<ConvId, ConvIndexRow>()
  convRows = () => Promise.resolve([...this.rows.values()])
  putConvRows = (rows: readonly ConvIndexRow[]) => {
    for (const row of rows) this.rows.set(row.conv, row)
    return Promise.resolve()
  }
  readonly fetchedRevisions = new Map<string, number>()
  revisions = () => Promise.resolve(new Map(this.fetchedRevisions))
  putRevision = (key: string, at: number) => {
    this.fetchedRevisions.set(key, at)
    return Promise.resolve()
  }
}

function write(doc: Y.Doc, n: number, author: UserId): void {
  appendMessage(doc, { id: id(n), author, time: n, text: `m${n}` }, Origin.remote)
}

const entry = (n: number, author: UserId): InboxEntry => ({
  kind: 'group', title: 'G', memberCount: 2, readOnly: false, firstSegment: 0, segment: 0, joinedAt: 0, createdAt: 0,
  last: { id: id(n), author, time: n, preview: '' },
})

let indexer: Indexer | null = null
afterEach(() => indexer?.dispose())

function start(docs: FakeDocs, entries: Map<ConvId, InboxEntry>, reads: Map<ConvId, MessageId>, concurrency?: number) {
  const index = new FakeIndex()
  const errors: unknown[] = []
  indexer = new Indexer({
    me, index, open: docs.handle, entries: () => entries, readPosition: (c) => reads.get(c),
    stored: (name) => Promise.resolve(docs.docs.has(name)), whenSynced: () => Promise.resolve(),
    onError: (err) => errors.push(err), ...(concurrency === undefined ? {} : { concurrency }),
  })
  indexer.schedule()
  return { index, errors, indexer }
}

describe('Indexer', () => {
  it('fetches a segment on the device again after an edit or delete in it (inbox `revised`), once per revision', async () => {
    const docs = new FakeDocs()
    const c = conv(1)
    const seg0 = docName.segment(c, 0)
    const seg1 = docName.segment(c, 1)
    write(docs.doc(seg1), 1, marco)
    docs.doc(seg0)
    const entries = new Map<ConvId, InboxEntry>([[c, { ...entry(1, marco), segment: 1, revised: { '0': 50 } }]])
    const { index, indexer: ix } = start(docs, entries, new Map([[c, id(1)]]))
    await vi.waitFor(() => expect(index.fetchedRevisions.get(`${c}/0`)).toBe(50))
    expect(docs.opened.filter((n) => n === seg0)).toHaveLength(1)
    // Seen already: not fetched again; a newer revision is; a segment not on the device is only marked.
    entries.set(c, { ...entry(1, marco), segment: 1, revised: { '0': 50, '7': 60 } })
    ix.schedule()
    await vi.waitFor(() => expect(index.fetchedRevisions.get(`${c}/7`)).toBe(60))
    expect(docs.opened.filter((n) => n === seg0)).toHaveLength(1)
    expect(docs.opened).not.toContain(docName.segment(c, 7))
    entries.set(c, { ...entry(1, marco), segment: 1, revised: { '0': 70, '7': 60 } })
    ix.schedule()
    await vi.waitFor(() => expect(index.fetchedRevisions.get(`${c}/0`)).toBe(70))
    expect(docs.opened.filter((n) => n === seg0)).toHaveLength(2)
  })

  it('counts unread messages of others after the read position, from the current segment', async () => {
    const docs = new FakeDocs()
    const seg = docs.doc(docName.segment(conv(1), 0))
    for (const [n, author] of [[1, marco], [2, me], [3, marco], [4, marco]] as const) write(seg, n, author)
    const entries = new Map([[conv(1), entry(4, marco)]])
    const { index, errors } = start(docs, entries, new Map([[conv(1), id(2)]]))
    await expect.poll(() => index.rows.get(conv(1))).toMatchObject({ unread: 2, fetched: id(4) })
    await expect.poll(() => docs.open).toBe(0)
    expect(errors).toEqual([])
  })

  it('shows 0 at once when the last message is own, and still fetches the segment for offline reading', async () => {
    const docs = new FakeDocs()
    const seg = docs.doc(docName.segment(conv(2), 0))
    const { index } = start(docs, new Map([[conv(2), entry(9, me)]]), new Map())
    await expect.poll(() => index.rows.get(conv(2))).toMatchObject({ unread: 0, last: id(9), fetched: null })
    // The fetch waits (holding the segment open) until the message arrives from the relay.
    await expect.poll(() => docs.open).toBe(1)
    write(seg, 9, me)
    await expect.poll(() => index.rows.get(conv(2))).toMatchObject({ unread: 0, fetched: id(9) })
    await expect.poll(() => docs.open).toBe(0)
  })

  it('waits for the segment to receive the inbox’s last message before counting', async () => {
    const docs = new FakeDocs()
    const seg = docs.doc(docName.segment(conv(1), 0))
    write(seg, 1, marco)
    const { index, indexer: ix } = start(docs, new Map([[conv(1), entry(2, marco)]]), new Map())
    await expect.poll(() => docs.open).toBe(1)
    expect(index.rows.has(conv(1))).toBe(false)
    write(seg, 2, marco)
    await expect.poll(() => index.rows.get(conv(1))).toMatchObject({ unread: 2, last: id(2), read: null })
    ix.schedule()
    await expect.poll(() => docs.open).toBe(0)
  })

  it('recounts when the read position moves, and needs no segment once everything is read', async () => {
    const docs = new FakeDocs()
    const seg = docs.doc(docName.segment(conv(1), 0))
    for (const n of [1, 2, 3]) write(seg, n, marco)
    const reads = new Map<ConvId, MessageId>()
    const { index, indexer: ix } = start(docs, new Map([[conv(1), entry(3, marco)]]), reads)
    await expect.poll(() => index.rows.get(conv(1))?.unread).toBe(3)
    reads.set(conv(1), id(1))
    ix.schedule()
    await expect.poll(() => index.rows.get(conv(1))?.unread).toBe(2)
    reads.set(conv(1), id(3))
    ix.schedule()
    await expect.poll(() => index.rows.get(conv(1))).toMatchObject({ unread: 0, read: id(3) })
  })

  it('opens at most `concurrency` segments at once', async () => {
    const docs = new FakeDocs(true)
    const entries = new Map<ConvId, InboxEntry>()
    for (let n = 1; n <= 10; n++) {
      write(docs.doc(docName.segment(conv(n), 0)), 1, marco)
      entries.set(conv(n), entry(1, marco))
    }
    const { index } = start(docs, entries, new Map(), 3)
    await expect.poll(() => docs.open).toBe(3)
    docs.gate.release()
    await expect.poll(() => index.rows.size).toBe(10)
    expect(docs.maxOpen).toBe(3)
    expect([...index.rows.values()].every((r) => r.unread === 1)).toBe(true)
  })
})
