import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { docName, parseDocName } from '../docNames.ts'
import type { ConvId, MessageId, UserId } from '../ids.ts'
import { newMessageId } from '../ids.ts'
import { Origin } from '../origins.ts'
import { directConvId } from '../commands.ts'
import { appendMessage, deleteMessage, editMessage, forgetMessages, listMessages, messageIdsIn } from './segment.ts'
import { inboxEntries, previewOf, writeInboxEntry } from './inbox.ts'
import { markSeen, receipts } from './receipts.ts'
import { membersRemovedBy, writeMember } from './convMeta.ts'

const conv = 'c1' as ConvId
const anna = 'anna' as UserId
const marco = 'marco' as UserId

describe('inbox, receipts and segment helpers', () => {
  it('parses the inbox and receipts document names', () => {
    expect(parseDocName(docName.inbox(anna))).toEqual({ kind: 'inbox', user: anna })
    expect(parseDocName(docName.receipts(conv))).toEqual({ kind: 'receipts', conv })
    expect(parseDocName('conv/c1/receipts/x')).toBeNull()
  })

  it('keeps one summary per conversation and drops malformed ones', () => {
    const doc = new Y.Doc()
    const base = { kind: 'group', title: 'T', memberCount: 2, readOnly: false, firstSegment: 0, segment: 0, joinedAt: 1, createdAt: 1 } as const
    writeInboxEntry(doc, conv, base, Origin.server)
    writeInboxEntry(doc, conv, { ...base, last: { id: 'm1' as MessageId, author: anna, time: 2, preview: 'hi' } }, Origin.server)
    writeInboxEntry(doc, 'bad' as ConvId, { ...base, memberCount: -1 }, Origin.server)
    const entries = inboxEntries(doc)
    expect([...entries.keys()]).toEqual([conv])
    expect(entries.get(conv)?.last?.preview).toBe('hi')
  })

  it('folds whitespace and cuts long previews', () => {
    expect(previewOf('a\n\n b ')).toBe('a b')
    expect(previewOf('x'.repeat(500))).toHaveLength(160)
  })

  it('moves a receipt only forward', () => {
    const doc = new Y.Doc()
    expect(markSeen(doc, anna, 'B' as MessageId, 1, Origin.local)).toBe(true)
    expect(markSeen(doc, anna, 'A' as MessageId, 2, Origin.local)).toBe(false)
    expect(receipts(doc).get(anna)).toEqual({ message: 'B', at: 1 })
  })

  it('names the messages an update writes, and forgets them locally', () => {
    const doc = new Y.Doc()
    const updates: Uint8Array[] = []
    doc.on('update', (u: Uint8Array) => updates.push(u))
    const id = newMessageId()
    appendMessage(doc, { id, author: anna, time: 1, text: 'hello' }, Origin.local)
    expect(messageIdsIn(updates[0] as Uint8Array)).toEqual([id])
    forgetMessages(doc, [id], Origin.localOnly)
    expect(listMessages(doc)).toEqual([])
  })

  it('names the messages an edit or a delete overwrites, given a replica the update was applied to', () => {
    const sender = new Y.Doc()
    const receiver = new Y.Doc()
    const updates: Uint8Array[] = []
    sender.on('update', (u: Uint8Array) => updates.push(u))
    const [a, b] = [newMessageId(1), newMessageId(2)]
    appendMessage(sender, { id: a, author: anna, time: 1, text: 'one' }, Origin.local)
    appendMessage(sender, { id: b, author: anna, time: 2, text: 'two' }, Origin.local)
    editMessage(sender, a, 'one, edited', 3, Origin.local)
    deleteMessage(sender, b, 4, Origin.local)
    for (const u of updates) Y.applyUpdate(receiver, u)
    const [, , edit, del] = updates as [Uint8Array, Uint8Array, Uint8Array, Uint8Array]
    expect(messageIdsIn(edit, receiver)).toEqual([a])
    expect(messageIdsIn(del, receiver)).toEqual([b])
    expect(messageIdsIn(edit, sender)).toEqual([a])
    expect(messageIdsIn(Y.mergeUpdates(updates), receiver).sort()).toEqual([a, b].sort())
  })

  it('gives two people one direct conversation id whichever starts it', () => {
    expect(directConvId(anna, marco)).toBe(directConvId(marco, anna))
    expect(directConvId(anna, marco)).toBe('dm_anna_marco')
    const long = 'x'.repeat(64) as UserId
    expect(directConvId(long, marco)).toMatch(/^dm-[0-9a-f]{16}$/)
    expect(directConvId('a_b' as UserId, 'c' as UserId)).not.toBe(directConvId('a' as UserId, 'b_c' as UserId))
  })
  it('names the members an update took off a conversation’s member list', () => {
    const sender = new Y.Doc()
    const receiver = new Y.Doc()
    const updates: Uint8Array[] = []
    sender.on('update', (u: Uint8Array) => updates.push(u))
    const member = { role: 'member', readOnly: false, firstSegment: 0, addedAt: 1 } as const
    writeMember(sender, anna, member, Origin.server)
    writeMember(sender, marco, member, Origin.server)
    writeMember(sender, marco, null, Origin.server)
    writeMember(sender, anna, { ...member, readOnly: true }, Origin.server)
    for (const u of updates) Y.applyUpdate(receiver, u)
    const [, , removal, change] = updates as [Uint8Array, Uint8Array, Uint8Array, Uint8Array]
    expect(membersRemovedBy(removal, receiver)).toEqual([marco])
    // A changed membership deletes the old value too, but the member stays.
    expect(membersRemovedBy(change, receiver)).toEqual([])
  })
})
