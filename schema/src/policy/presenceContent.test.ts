import { describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import { Reason } from '../errors.ts'
import type { UserId } from '../ids.ts'
import { Origin } from '../origins.ts'
import { readStatus, writeAutoStatus, writeLastSeen, writeStatus, type Status } from '../doc/presence.ts'
import { kvWrite } from '../doc/kv.ts'
import { conferenceStatus } from '../presenceRules.ts'
import { contentCheckFor, type Writer } from './content.ts'
import { checkPresenceContent } from './presenceContent.ts'
import { clientChange } from './clientChange.testing.ts'

const anna = 'anna' as UserId
const annaW: Writer = { userId: anna, canModifyPresence: false }
const marcoW: Writer = { userId: 'marco' as UserId, canModifyPresence: false }
const claireW: Writer = { userId: 'claire' as UserId, canModifyPresence: true }

const status = (over: Partial<Status> = {}): Status => ({ availability: 'busy', message: 'Lunch', updatedAt: 1, updatedBy: anna, ...over })

const check = (writer: Writer, change: (doc: Y.Doc) => void, setup?: (doc: Y.Doc) => void) => {
  const { before, after } = clientChange(change, setup)
  return checkPresenceContent(anna, before, after, writer)
}

/** Writes a raw value under `key`, bypassing the accessors' validation (a crafted update). */
const raw = (key: string, val: unknown) => (doc: Y.Doc) => kvWrite<unknown>(doc, 'presence', Origin.local, (set) => set(key, val))

describe('presence content check', () => {
  test('is the check for presence documents; other kinds have their own', () => {
    expect(contentCheckFor({ kind: 'presence', user: anna })).toBeTypeOf('function')
    expect(contentCheckFor({ kind: 'private', user: anna })).not.toBe(contentCheckFor({ kind: 'presence', user: anna }))
  })

  test('the owner sets a valid status marked as theirs; an emoji counts as one character', () => {
    expect(check(annaW, (d) => writeStatus(d, status({ message: `${'x'.repeat(99)}🎉`, emoji: '🎉' }), Origin.local))).toBeNull()
  })

  test('a 101-character message is invalid content', () => {
    expect(check(annaW, raw('status', status({ message: 'x'.repeat(101) })))).toEqual({ reason: Reason.invalidContent, message: 'A status message is at most 100 characters' })
    expect(check(annaW, raw('status', { availability: 'sleeping', updatedAt: 1, updatedBy: 'anna' }))?.reason).toBe(Reason.invalidContent)
    expect(check(annaW, raw('status', null))?.reason).toBe(Reason.invalidContent)
  })

  test('updatedBy must be the writer', () => {
    expect(check(annaW, raw('status', status({ updatedBy: 'marco' as UserId })))?.reason).toBe(Reason.invalidContent)
    expect(check(claireW, raw('status', status({ updatedBy: 'claire' as UserId })))).toBeNull()
    expect(check(claireW, raw('status', status({ updatedBy: anna })))?.reason).toBe(Reason.invalidContent)
  })

  test('only the owner or a can-modify-presence holder changes the status', () => {
    expect(check(marcoW, raw('status', status({ updatedBy: 'marco' as UserId })))?.reason).toBe(Reason.forbidden)
    expect(check(marcoW, raw('status', status()))?.reason).toBe(Reason.forbidden)
  })

  test('only the owner or the server changes the automatic status', () => {
    expect(check(annaW, (d) => writeAutoStatus(d, conferenceStatus(1, 2), Origin.local))).toBeNull()
    expect(check('server', (d) => writeAutoStatus(d, conferenceStatus(1, 2), Origin.local))).toBeNull()
    expect(check(claireW, (d) => writeAutoStatus(d, conferenceStatus(1, 2), Origin.local))?.reason).toBe(Reason.forbidden)
    expect(check(annaW, raw('auto', { kind: 'party', label: 'x', availability: 'busy', startedAt: 1 }))?.reason).toBe(Reason.invalidContent)
    // Ending it is a change too.
    const withAuto = (d: Y.Doc) => writeAutoStatus(d, conferenceStatus(1, 2), Origin.server)
    expect(check(annaW, (d) => writeAutoStatus(d, null, Origin.local), withAuto)).toBeNull()
    expect(check(claireW, (d) => writeAutoStatus(d, null, Origin.local), withAuto)?.reason).toBe(Reason.forbidden)
  })

  test('nobody but the server writes lastSeen', () => {
    expect(check(annaW, (d) => writeLastSeen(d, 5, Origin.local))?.reason).toBe(Reason.forbidden)
    expect(check(claireW, (d) => writeLastSeen(d, 5, Origin.local))?.reason).toBe(Reason.forbidden)
    expect(check('server', (d) => writeLastSeen(d, 5, Origin.server))).toBeNull()
    expect(check('server', raw('lastSeen', 'yesterday'))?.reason).toBe(Reason.invalidContent)
  })

  test('changing the status leaves lastSeen and auto alone, which is fine', () => {
    const setup = (d: Y.Doc) => {
      writeLastSeen(d, 5, Origin.server)
      writeAutoStatus(d, conferenceStatus(1, 2), Origin.server)
      writeStatus(d, status(), Origin.server)
    }
    expect(check(claireW, (d) => writeStatus(d, status({ availability: 'away', updatedBy: 'claire' as UserId }), Origin.local), setup)).toBeNull()
  })

  test('no other keys or shared types', () => {
    expect(check(annaW, raw('mood', 'happy'))?.reason).toBe(Reason.invalidContent)
    expect(check(annaW, (d) => d.getMap('other').set('x', 1))?.reason).toBe(Reason.invalidContent)
    expect(check(annaW, (d) => d.getArray('presence').push(['junk']))?.reason).toBe(Reason.invalidContent)
  })

  test('a replica cleaning up concurrent duplicates may show an older value it did not write', () => {
    // Claire and Anna set the status concurrently: the merged document holds both entries.
    const base = new Y.Doc()
    writeStatus(base, status(), Origin.server)
    const a = new Y.Doc()
    const c = new Y.Doc()
    Y.applyUpdate(a, Y.encodeStateAsUpdate(base))
    Y.applyUpdate(c, Y.encodeStateAsUpdate(base))
    writeStatus(a, status({ message: 'Anna’s' }), Origin.local)
    writeStatus(c, status({ message: 'Claire’s', updatedBy: 'claire' as UserId }), Origin.local)
    const merged = new Y.Doc()
    Y.applyUpdate(merged, Y.encodeStateAsUpdate(a))
    Y.applyUpdate(merged, Y.encodeStateAsUpdate(c))
    const shown = readStatus(merged)?.message
    const hidden = shown === 'Anna’s' ? 'Claire’s' : 'Anna’s'
    // Anna's replica deletes the right-most duplicate; the other (maybe Claire's) shows.
    const { before, after } = clientChange((d) => {
      const arr = d.getArray<{ key: string; val: Status }>('presence')
      const i = arr.toArray().findLastIndex((e) => e.key === 'status')
      d.transact(() => arr.delete(i), Origin.local)
    }, (d) => Y.applyUpdate(d, Y.encodeStateAsUpdate(merged)))
    expect(readStatus(after)?.message).toBe(hidden)
    expect(checkPresenceContent(anna, before, after, annaW)).toBeNull()
  })
})
