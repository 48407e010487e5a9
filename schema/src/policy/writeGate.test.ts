import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import type { ParsedDocName } from '../docNames.ts'
import { Reason } from '../errors.ts'
import type { ConvId, MessageId, UserId, WorkspaceId } from '../ids.ts'
import { Limits } from '../message.ts'
import { Origin } from '../origins.ts'
import { writeColleague, writeService } from '../doc/directory.ts'
import { kvWrite } from '../doc/kv.ts'
import { reactionKey, toggleReaction } from '../doc/reactions.ts'
import { markSeen } from '../doc/receipts.ts'
import { appendMessage, deleteMessage, editMessage, forgetMessages } from '../doc/segment.ts'
import { appendSystemMessage } from '../doc/systemMessage.ts'
import {
  clearRecentSearches, markRead, rememberSearch, removeSavedStatus, saveStatus, setArchived, setDraft, setHidden, setMuted,
  setPinned, setSetting,
} from '../doc/userPrivate.ts'
import { writeConvInfo } from '../doc/convMeta.ts'
import { DEFAULT_UPDATE_LIMITS, validateUpdate } from '../update.ts'
import { collectChanges } from './changes.ts'
import { clientChange } from './clientChange.testing.ts'
import { contentChecks, type ContentRefusal, type Writer } from './content.ts'
import { checkMessageChange } from './segmentContent.ts'

const anna = 'anna' as UserId
const marco = 'marco' as UserId
const lena = 'lena' as UserId
const as = (userId: UserId): Writer => ({ userId, canModifyPresence: false })
const conv = 'sales' as ConvId

const docs = {
  segment: { kind: 'segment', conv, segment: 0 },
  reactions: { kind: 'reactions', conv, segment: 0 },
  receipts: { kind: 'receipts', conv },
  directory: { kind: 'directory', workspace: 'acme' as WorkspaceId },
  convMeta: { kind: 'convMeta', conv },
  private: { kind: 'private', user: anna },
  presence: { kind: 'presence', user: anna },
  inbox: { kind: 'inbox', user: anna },
} satisfies Record<string, ParsedDocName>

/**
 * Judges `change`, made on a client's replica of a document that `setup` wrote (as the relay
 * would), the way the relay does: the update applied to a copy, its changes collected.
 */
function judge(doc: ParsedDocName, writer: Writer, change: (d: Y.Doc) => void, setup?: (d: Y.Doc) => void): ContentRefusal | null {
  const { before, after, changes } = clientChange(change, setup)
  return contentChecks[doc.kind](doc, before, after, writer, changes)
}

const reasonOf = (r: ContentRefusal | null): string | null => r?.reason ?? null

let clock = 1_700_000_000_000
const msgId = (): MessageId => `m${(clock++).toString(36)}` as MessageId
function post(author: UserId, text = 'hello', id: MessageId = msgId()) {
  return (d: Y.Doc) => appendMessage(d, { id, author, time: 1000, text }, Origin.local)
}
const messages = (d: Y.Doc) => d.getMap<unknown>('messages')

describe('segment content', () => {
  const m1 = 'm1' as MessageId
  const seeded = (d: Y.Doc) => {
    post(anna, 'mine', m1)(d)
    post(marco, 'his', 'm2' as MessageId)(d)
  }

  test('a member posts as themselves', () => {
    expect(judge(docs.segment, as(anna), post(anna))).toBeNull()
  })

  test('nobody posts under another author', () => {
    expect(judge(docs.segment, as(anna), post(marco))).toEqual({ reason: Reason.forbidden, message: 'You may only write messages as yourself' })
  })

  test('a client never writes a system line; the relay does', () => {
    const system = (d: Y.Doc) => appendSystemMessage(d, { id: msgId(), time: 1, text: 'Anna added Lena', system: { event: 'added', actor: anna, users: [lena] } }, Origin.local)
    expect(judge(docs.segment, as(anna), system)).toEqual({ reason: Reason.forbidden, message: 'Only the relay writes system messages' })
    expect(judge(docs.segment, 'server', system)).toBeNull()
  })

  test('text over the limit, a wrong shape and a key other than the id are invalid', () => {
    const long = (d: Y.Doc) => {
      const id = msgId()
      messages(d).set(id, { id, author: anna, time: 1, text: 'x'.repeat(Limits.messageTextLength + 1) })
    }
    expect(reasonOf(judge(docs.segment, as(anna), long))).toBe(Reason.invalidContent)
    expect(reasonOf(judge(docs.segment, as(anna), (d) => messages(d).set(msgId(), 'hi')))).toBe(Reason.invalidContent)
    expect(judge(docs.segment, as(anna), (d) => messages(d).set('other', { id: msgId(), author: anna, time: 1, text: 'x' }))).toEqual({
      reason: Reason.invalidContent, message: 'A message is stored under its own id',
    })
  })

  test('the author edits, deletes and forgets their own message', () => {
    expect(judge(docs.segment, as(anna), (d) => editMessage(d, m1, 'edited', 2000, Origin.local), seeded)).toBeNull()
    expect(judge(docs.segment, as(anna), (d) => deleteMessage(d, m1, 2000, Origin.local), seeded)).toBeNull()
    expect(judge(docs.segment, as(anna), (d) => forgetMessages(d, [m1], Origin.local), seeded)).toBeNull()
  })

  test('nobody edits, deletes or removes another’s message', () => {
    const his = 'm2' as MessageId
    const forbidden = { reason: Reason.forbidden, message: 'You may only change or delete your own messages' }
    expect(judge(docs.segment, as(anna), (d) => editMessage(d, his, 'mine now', 2000, Origin.local), seeded)).toEqual(forbidden)
    expect(judge(docs.segment, as(anna), (d) => deleteMessage(d, his, 2000, Origin.local), seeded)).toEqual(forbidden)
    expect(judge(docs.segment, as(anna), (d) => forgetMessages(d, [his], Origin.local), seeded)).toEqual(forbidden)
    // Not even by taking it over under one's own name.
    expect(judge(docs.segment, as(anna), (d) => messages(d).set(his, { id: his, author: anna, time: 1000, text: 'x' }), seeded)).toEqual(forbidden)
  })

  test('an edit keeps author and time; a deleted message stays deleted; system lines are the relay’s', () => {
    const moved = (d: Y.Doc) => messages(d).set(m1, { id: m1, author: anna, time: 5, text: 'x' })
    expect(reasonOf(judge(docs.segment, as(anna), moved, seeded))).toBe(Reason.invalidContent)
    const revive = (d: Y.Doc) => messages(d).set(m1, { id: m1, author: anna, time: 1000, text: 'back' })
    expect(judge(docs.segment, as(anna), revive, (d) => {
      seeded(d)
      deleteMessage(d, m1, 1500, Origin.local)
    })).toEqual({ reason: Reason.forbidden, message: 'A deleted message stays deleted' })
    const sysId = 'sys1' as MessageId
    const withSystem = (d: Y.Doc) => appendSystemMessage(d, { id: sysId, time: 1, text: 'Anna added Lena', system: { event: 'added', actor: anna, users: [lena] } }, Origin.server)
    expect(judge(docs.segment, as(anna), (d) => deleteMessage(d, sysId, 2, Origin.local), withSystem)).toEqual({
      reason: Reason.forbidden, message: 'Only the relay changes system messages',
    })
  })

  test('root types outside the layout, list content on the map and nested types are refused', () => {
    expect(judge(docs.segment, as(anna), (d) => d.getMap('other').set('k', 1))).toEqual({ reason: Reason.invalidContent, message: 'A segment has no "other"' })
    expect(reasonOf(judge(docs.segment, as(anna), (d) => d.getArray('messages').push([1])))).toBe(Reason.invalidContent)
    expect(judge(docs.segment, as(anna), (d) => messages(d).set(msgId(), new Y.Map()))).toEqual({
      reason: Reason.invalidContent, message: 'A segment holds plain values only, no nested shared types',
    })
    expect(reasonOf(judge(docs.segment, as(anna), (d) => d.getText('messages').insert(0, 'x')))).toBe(Reason.invalidContent)
  })

  test('a change nested inside an existing shared type is refused', () => {
    const setup = (d: Y.Doc) => messages(d).set('nested', new Y.Map())
    expect(reasonOf(judge(docs.segment, as(anna), (d) => (messages(d).get('nested') as Y.Map<unknown>).set('x', 1), setup))).toBe(Reason.invalidContent)
  })
})

describe('own messages, as a property', () => {
  const seed = Number(process.env.SEED ?? Date.now() % 2 ** 31)
  console.log('writeGate property seed', seed)
  const users = [anna, marco, lena]
  const text = fc.string({ maxLength: 40 })
  const op = fc.oneof(
    fc.record({ kind: fc.constant('post' as const), text }),
    fc.record({ kind: fc.constantFrom('edit' as const, 'delete' as const, 'forget' as const), target: fc.nat(), text }),
  )
  const seeded = fc.array(fc.record({ author: fc.constantFrom(...users), text }), { minLength: 1, maxLength: 8 })

  test('random operations on one’s own messages are accepted; on others’ refused', () => {
    fc.assert(
      fc.property(seeded, fc.constantFrom(...users), op, (initial, writer, o) => {
        const ids = initial.map((_, i) => `s${i}` as MessageId)
        const setup = (d: Y.Doc) => initial.forEach((m, i) => post(m.author, m.text, ids[i])(d))
        if (o.kind === 'post') {
          expect(judge(docs.segment, as(writer), post(writer, o.text), setup)).toBeNull()
          const other = users.find((u) => u !== writer) as UserId
          expect(reasonOf(judge(docs.segment, as(writer), post(other, o.text), setup))).toBe(Reason.forbidden)
          return
        }
        const i = o.target % initial.length
        const id = ids[i] as MessageId
        const change = (d: Y.Doc) => {
          if (o.kind === 'edit') editMessage(d, id, o.text, 5000, Origin.local)
          else if (o.kind === 'delete') deleteMessage(d, id, 5000, Origin.local)
          else forgetMessages(d, [id], Origin.local)
        }
        const verdict = judge(docs.segment, as(writer), change, setup)
        if (initial[i]?.author === writer) expect(verdict).toBeNull()
        else expect(reasonOf(verdict)).toBe(Reason.forbidden)
      }),
      { seed, numRuns: 200 },
    )
  })

  test('checkMessageChange: others’ messages are never the writer’s to change', () => {
    fc.assert(
      fc.property(fc.constantFrom(marco, lena), fc.option(text, { nil: undefined }), (owner, next) => {
        const old = { id: 'k', author: owner, time: 1, text: 'old' }
        const value = next === undefined ? undefined : { ...old, text: next, editedAt: 2 }
        expect(reasonOf(checkMessageChange('k', old, value, as(anna)))).toBe(Reason.forbidden)
      }),
      { seed, numRuns: 100 },
    )
  })
})

describe('reactions content', () => {
  const msg = 'm1' as MessageId
  test('everyone adds and removes their own reactions only', () => {
    expect(judge(docs.reactions, as(anna), (d) => toggleReaction(d, msg, '👍', anna, 1, Origin.local))).toBeNull()
    const marcos = (d: Y.Doc) => toggleReaction(d, msg, '👍', marco, 1, Origin.server)
    expect(judge(docs.reactions, as(marco), (d) => toggleReaction(d, msg, '👍', marco, 2, Origin.local), marcos)).toBeNull()
    expect(judge(docs.reactions, as(anna), (d) => toggleReaction(d, msg, '🎉', marco, 1, Origin.local))).toEqual({
      reason: Reason.forbidden, message: 'You may only add or remove your own reactions',
    })
    expect(reasonOf(judge(docs.reactions, as(anna), (d) => d.getMap('reactions').delete(reactionKey(msg, '👍', marco)), marcos))).toBe(Reason.forbidden)
  })

  test('keys and values must be well-formed', () => {
    expect(reasonOf(judge(docs.reactions, as(anna), (d) => d.getMap('reactions').set('junk', 1)))).toBe(Reason.invalidContent)
    expect(reasonOf(judge(docs.reactions, as(anna), (d) => d.getMap('reactions').set(reactionKey(msg, '👍', anna), 'now')))).toBe(Reason.invalidContent)
    expect(reasonOf(judge(docs.reactions, as(anna), (d) => d.getMap('likes').set('x', 1)))).toBe(Reason.invalidContent)
  })
})

describe('receipts content', () => {
  const seen = (d: Y.Doc) => d.getArray<unknown>('seen')
  test('each member moves only their own receipt', () => {
    expect(judge(docs.receipts, as(anna), (d) => markSeen(d, anna, 'm5' as MessageId, 1, Origin.local))).toBeNull()
    expect(judge(docs.receipts, as(anna), (d) => markSeen(d, marco, 'm5' as MessageId, 1, Origin.local))).toEqual({
      reason: Reason.forbidden, message: 'You may only mark what you have read yourself',
    })
    expect(reasonOf(judge(docs.receipts, as(anna), (d) => kvWrite(d, 'seen', Origin.local, (set) => set(anna, { message: '!', at: 1 }))))).toBe(Reason.invalidContent)
  })

  test('deleting another’s receipt is refused; removing a hidden duplicate of it is not', () => {
    const two = (d: Y.Doc) => seen(d).push([{ key: marco, val: { message: 'm1', at: 1 } }, { key: marco, val: { message: 'm2', at: 2 } }])
    expect(judge(docs.receipts, as(anna), (d) => seen(d).delete(0, 1), two)).toBeNull()
    expect(reasonOf(judge(docs.receipts, as(anna), (d) => seen(d).delete(1, 1), two))).toBe(Reason.forbidden)
    expect(reasonOf(judge(docs.receipts, as(anna), (d) => seen(d).push(['junk'])))).toBe(Reason.invalidContent)
  })
})

describe('directory, conversation metadata, private and relay-only documents', () => {
  const colleague = { name: 'Lena', email: 'lena@example.com' }
  test('an admin writes valid directory entries of the layout, nothing else', () => {
    expect(judge(docs.directory, as(anna), (d) => writeColleague(d, lena, colleague, Origin.local))).toBeNull()
    expect(judge(docs.directory, as(anna), (d) => writeService(d, 'sales-line' as never, { name: 'Sales', members: [anna] }, Origin.local))).toBeNull()
    expect(reasonOf(judge(docs.directory, as(anna), (d) => d.getMap('colleagues').set(lena, { name: 42 })))).toBe(Reason.invalidContent)
    expect(reasonOf(judge(docs.directory, as(anna), (d) => d.getMap('colleagues').set('not an id', colleague)))).toBe(Reason.invalidContent)
    expect(reasonOf(judge(docs.directory, as(anna), (d) => d.getMap('secrets').set('k', 1)))).toBe(Reason.invalidContent)
  })

  test('conversation metadata is the relay’s', () => {
    const info = (d: Y.Doc) => writeConvInfo(d, { id: conv, kind: 'group', title: 'T', createdBy: anna, createdAt: 1, readOnly: false, byLink: false }, Origin.local)
    expect(reasonOf(judge(docs.convMeta, as(anna), info))).toBe(Reason.forbidden)
    expect(judge(docs.convMeta, 'server', info)).toBeNull()
  })

  test('every private-document accessor fits its layout; other roots and shapes do not', () => {
    const writes: ((d: Y.Doc) => void)[] = [
      (d) => markRead(d, conv, 'm1' as MessageId, Origin.local),
      (d) => setPinned(d, conv, true, 1, Origin.local),
      (d) => setArchived(d, conv, true, 1, Origin.local),
      (d) => setHidden(d, conv, true, 1, Origin.local),
      (d) => setMuted(d, conv, true, 1, Origin.local),
      (d) => setDraft(d, conv, 'draft', 1, Origin.local),
      (d) => setSetting(d, 'theme', 'dark', Origin.local),
      (d) => saveStatus(d, { id: 's1', availability: 'busy', message: 'Out', emoji: null, clearAfter: { kind: 'never' } }, Origin.local),
      (d) => removeSavedStatus(d, 's1', Origin.local),
      (d) => rememberSearch(d, { category: 'colleagues', user: lena, name: 'Lena', at: 1 }, Origin.local),
      (d) => clearRecentSearches(d, null, Origin.local),
    ]
    for (const write of writes) expect(judge(docs.private, as(anna), write)).toBeNull()
    expect(reasonOf(judge(docs.private, as(anna), (d) => d.getMap('favourites').set('k', 1)))).toBe(Reason.invalidContent)
    expect(reasonOf(judge(docs.private, as(anna), (d) => d.getArray('pins').push(['junk'])))).toBe(Reason.invalidContent)
    expect(reasonOf(judge(docs.private, as(anna), (d) => d.getArray('pins').push([new Y.Array()])))).toBe(Reason.invalidContent)
  })

  test('inboxes are written by the relay only; presence keeps to its layout', () => {
    expect(reasonOf(judge(docs.inbox, as(anna), (d) => d.getMap('conversations').set('k', 1)))).toBe(Reason.forbidden)
    expect(reasonOf(judge(docs.presence, as(anna), (d) => d.getMap('extra').set('k', 1)))).toBe(Reason.invalidContent)
  })
})

describe('collectChanges', () => {
  test('names the changed roots and keys, the values inserted and removed', () => {
    const doc = new Y.Doc()
    doc.getMap('m').set('a', 1)
    const replica = new Y.Doc()
    Y.applyUpdate(replica, Y.encodeStateAsUpdate(doc))
    const updates: Uint8Array[] = []
    replica.on('update', (u: Uint8Array) => updates.push(u))
    replica.transact(() => {
      replica.getMap('m').set('a', 2)
      replica.getMap('m').set('b', 3)
      replica.getArray('l').push(['x'])
    })
    const changes = collectChanges(doc, () => Y.applyUpdate(doc, Y.mergeUpdates(updates)))
    expect(changes.roots).toEqual(new Map<string, Set<string | null>>([['m', new Set(['a', 'b'])], ['l', new Set([null])]]))
    expect(changes.inserted).toEqual(expect.arrayContaining([{ root: 'm', key: 'a', value: 2 }, { root: 'm', key: 'b', value: 3 }, { root: 'l', key: null, value: 'x' }]))
    expect(changes.removed).toEqual([{ root: 'm', key: 'a', value: 1 }])
    expect(changes.nonPlain).toBe(false)
  })
})

describe('bounded decoding of plain values', () => {
  const updateWith = (value: unknown): Uint8Array => {
    const d = new Y.Doc()
    d.getMap('messages').set('k', value)
    return Y.encodeStateAsUpdate(d)
  }
  const nested = (depth: number): unknown => {
    let v: unknown = 'leaf'
    for (let i = 0; i < depth; i++) v = i % 2 === 0 ? [v] : { v }
    return v
  }

  test('values nested deeper than the limit are refused', () => {
    expect(() => validateUpdate(updateWith(nested(DEFAULT_UPDATE_LIMITS.maxValueDepth)))).not.toThrow()
    expect(() => validateUpdate(updateWith(nested(DEFAULT_UPDATE_LIMITS.maxValueDepth + 1)))).toThrow(expect.objectContaining({ reason: Reason.valueTooDeep }))
  })

  test('values over the size limit are refused; a message at its own limits is not', () => {
    expect(() => validateUpdate(updateWith({ text: 'x'.repeat(DEFAULT_UPDATE_LIMITS.maxValueSize) }))).toThrow(expect.objectContaining({ reason: Reason.valueTooLarge }))
    const biggest = {
      id: 'm1', author: anna, time: 1, text: 'x'.repeat(Limits.messageTextLength),
      mentions: Array.from({ length: Limits.membersPerConversation }, (_, i) => `user-${i.toString().padStart(16, '0')}`),
      attachments: Array.from({ length: Limits.attachmentsPerMessage }, (_, i) => ({ id: `file-${i}`, name: 'n'.repeat(Limits.attachmentNameLength), size: 1, type: 'image/png' })),
    }
    expect(() => validateUpdate(updateWith(biggest))).not.toThrow()
  })
})
