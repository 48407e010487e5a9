import { describe, expect, it } from 'vitest'
import type { CommandId, ConvId, InboxEntry, MessageId, UserId } from '@waggle/schema'
import { composeInbox, type InboxSources } from './inbox.ts'
import type { CommandRow, ConvIndexRow, CreationRow } from './LocalIndex.ts'
import { toPerson } from './people.ts'

const me = 'anna' as UserId
const c = (s: string) => s as ConvId
const m = (s: string) => s as MessageId

const group = (title: string, createdAt: number, last?: InboxEntry['last']): InboxEntry => ({
  kind: 'group', title, memberCount: 3, readOnly: false, firstSegment: 0, segment: 0, joinedAt: createdAt, createdAt,
  ...(last === undefined ? {} : { last }),
})

function sources(over: Partial<InboxSources> = {}): InboxSources {
  const people = new Map([
    ['anna', 'Anna Rossi'], ['marco', 'Marco Bianchi'], ['lena', 'Lena Fischer'],
  ].map(([id, name]) => [id as UserId, toPerson(id as UserId, { name: name ?? '', email: `${id}@example.com` })]))
  return {
    me, entries: new Map(), commands: [], pins: new Map(), archived: new Map(), readPositions: new Map(), index: new Map(), people, ...over,
  }
}

const command = (conv: string, kind: 'direct' | 'group', title: string, members: string[], state: CommandRow['state'], createdAt: number, message?: string): CreationRow => ({
  seq: createdAt, id: `cmd-${conv}` as CommandId, conv: c(conv), createdAt, state,
  command: { id: `cmd-${conv}` as CommandId, type: 'createConversation', conv: c(conv), kind, title, members: members as UserId[] },
  ...(message === undefined ? {} : { reason: 'forbidden' as const, message }),
})

describe('inbox composition', () => {
  it('marks hidden (until a newer message), muted and drafted conversations from the private document', () => {
    const entries = new Map([
      [c('quiet'), group('Quiet', 1, { id: m('M1'), author: 'marco' as UserId, time: 10, preview: '' })],
      [c('woke'), group('Woke', 1, { id: m('M2'), author: 'marco' as UserId, time: 30, preview: '' })],
    ])
    const items = composeInbox(sources({
      entries, hidden: new Map([[c('quiet'), 20], [c('woke'), 20]]), muted: new Map([[c('quiet'), 5]]),
      drafts: new Map([[c('woke'), { text: 'half a thought' }]]),
    }))
    expect(items.map((i) => [i.conv, i.hidden, i.muted, i.draft])).toEqual([
      ['woke', false, false, 'half a thought'],
      ['quiet', true, true, null],
    ])
  })

  it('titles a direct conversation with the other person and names the last author', () => {
    const entries = new Map([[c('dm_anna_marco'), {
      kind: 'direct' as const, title: '', members: [me, 'marco' as UserId], memberCount: 2, readOnly: false, firstSegment: 0, segment: 0, joinedAt: 1, createdAt: 1,
      last: { id: m('M5'), author: 'marco' as UserId, time: 50, preview: 'Perfect, thanks!' },
    }]])
    const [item] = composeInbox(sources({ entries }))
    expect(item).toMatchObject({
      title: 'Marco Bianchi', peer: 'marco', kind: 'direct', activityAt: 50, unread: 1, creation: null,
      last: { authorName: 'Marco Bianchi', own: false, preview: 'Perfect, thanks!', deleted: false },
      avatar: { initials: 'MB' },
    })
  })

  it('takes unread counts from the index, and none for own or read last messages', () => {
    const entries = new Map([
      [c('a'), group('A', 1, { id: m('M9'), author: 'marco' as UserId, time: 9, preview: '' })],
      [c('b'), group('B', 1, { id: m('M8'), author: me, time: 8, preview: '' })],
      [c('d'), group('D', 1, { id: m('M7'), author: 'lena' as UserId, time: 7, preview: '' })],
    ])
    const index = new Map<ConvId, ConvIndexRow>([[c('a'), { conv: c('a'), unread: 4, last: m('M9'), read: m('M1'), segment: 0 }]])
    const readPositions = new Map([[c('a'), m('M1')], [c('d'), m('M7')]])
    const unread = Object.fromEntries(composeInbox(sources({ entries, index, readPositions })).map((i) => [i.conv, i.unread]))
    expect(unread).toEqual({ a: 4, b: 0, d: 0 })
  })

  it('sorts pinned first, most recently pinned on top, then by activity, newest first', () => {
    const entries = new Map([
      [c('old'), group('Old', 10)],
      [c('new'), group('New', 20, { id: m('M1'), author: me, time: 90, preview: 'x' })],
      [c('mid'), group('Mid', 50)],
      [c('pinA'), group('Pinned early', 1)],
      [c('pinB'), group('Pinned late', 2)],
    ])
    const pins = new Map([[c('pinA'), 100], [c('pinB'), 200]])
    const archived = new Map([[c('old'), 5]])
    const items = composeInbox(sources({ entries, pins, archived }))
    expect(items.map((i) => i.conv)).toEqual(['pinB', 'pinA', 'new', 'mid', 'old'])
    expect(items.find((i) => i.conv === c('old'))?.archived).toBe(true)
    expect(items[0]?.pinned).toBe(true)
  })

  it('lists queued creations at once, pending or rejected, until the projection has them', () => {
    const entries = new Map([[c('existing'), group('Existing', 10)]])
    const commands = [
      command('g1', 'group', 'Launch plan', ['marco'], 'pending', 30),
      command('dm_anna_lena', 'direct', '', ['lena'], 'rejected', 20, 'Lena is not in this workspace'),
      command('existing', 'group', 'Existing', [], 'pending', 40),
    ]
    const items = composeInbox(sources({ entries, commands }))
    expect(items.map((i) => [i.conv, i.title, i.creation, i.creationError])).toEqual([
      ['g1', 'Launch plan', 'pending', null],
      ['dm_anna_lena', 'Lena Fischer', 'rejected', 'Lena is not in this workspace'],
      ['existing', 'Existing', null, null],
    ])
  })
})
