import type { ConvId, MessageId, UserId } from '@waggle/schema'
import { describe, expect, test } from 'vitest'
import { Notifier, type NoticeSink } from './Notifier.ts'
import { decideNotifications, lastIds, mentionsMe, noticeTag, parseNotifySetting, type NotifyConv, type NotifyState } from './notify.ts'

const me = 'anna' as UserId
const marco = 'marco' as UserId
const c1 = 'c1' as ConvId
const g1 = 'g1' as ConvId
const m = (n: number) => `m${String(n).padStart(4, '0')}` as MessageId

function conv(id: ConvId, last: { n: number; author?: UserId; text?: string; mentions?: UserId[] } | null, kind: 'direct' | 'group' = 'direct'): NotifyConv {
  return {
    conv: id, kind, title: kind === 'group' ? 'Sales team' : 'Marco Bianchi',
    last: last === null ? null : {
      id: m(last.n), author: last.author ?? marco, authorName: 'Marco Bianchi', preview: last.text ?? 'hello', deleted: false,
      ...(last.mentions ? { mentions: last.mentions } : {}),
    },
  }
}

function state(convs: NotifyConv[], over: Partial<NotifyState> = {}): NotifyState {
  return {
    me, myName: 'Anna Rossi', setting: 'all', focused: false,
    convs: new Map(convs.map((c) => [c.conv, c])), readPositions: new Map(), muted: new Map(), ...over,
  }
}

const before = (convs: NotifyConv[]) => lastIds(new Map(convs.map((c) => [c.conv, c])))

describe('deciding notifications', () => {
  test('a new message from someone else notifies, tagged by conversation', () => {
    const d = decideNotifications(before([conv(c1, { n: 1 })]), state([conv(c1, { n: 2, text: 'Lunch?' })]), new Map())
    expect(d.show).toEqual([{ tag: noticeTag(c1), conv: c1, message: m(2), title: 'Marco Bianchi', body: 'Lunch?', mention: false }])
    expect(d.close).toEqual([])
  })

  test('the first pass only takes stock: what is already there is not news', () => {
    expect(decideNotifications(null, state([conv(c1, { n: 2 })]), new Map()).show).toEqual([])
  })

  test('a group notification names the author', () => {
    const d = decideNotifications(before([]), state([conv(g1, { n: 1, text: 'Numbers are in' }, 'group')]), new Map())
    expect(d.show[0]?.body).toBe('Marco Bianchi: Numbers are in')
  })

  test('own messages, read messages and unchanged conversations do not notify', () => {
    const prev = before([conv(c1, { n: 1 }), conv(g1, { n: 1 }, 'group')])
    const s = state([conv(c1, { n: 2, author: me }), conv(g1, { n: 1 }, 'group')])
    expect(decideNotifications(prev, s, new Map()).show).toEqual([])
    const read = state([conv(c1, { n: 2 })], { readPositions: new Map([[c1, m(2)]]) })
    expect(decideNotifications(prev, read, new Map()).show).toEqual([])
  })

  test('nothing notifies while a tab of the account is in view, and the message stays not-news later', () => {
    const prev = before([conv(c1, { n: 1 })])
    const now = [conv(c1, { n: 2 })]
    expect(decideNotifications(prev, state(now, { focused: true }), new Map()).show).toEqual([])
    // The next pass compares with what was there while focused.
    expect(decideNotifications(before(now), state(now), new Map()).show).toEqual([])
  })

  test('muted conversations and the setting "off" never notify', () => {
    const prev = before([conv(c1, { n: 1 })])
    const now = [conv(c1, { n: 2, text: '@Anna Rossi look' })]
    expect(decideNotifications(prev, state(now, { muted: new Map([[c1, 1]]) }), new Map()).show).toEqual([])
    expect(decideNotifications(prev, state(now, { setting: 'off' }), new Map()).show).toEqual([])
  })

  test('"mentions" notifies only messages that mention me', () => {
    const prev = before([conv(c1, { n: 1 }), conv(g1, { n: 1 }, 'group')])
    const s = state([conv(c1, { n: 2, text: 'plain' }), conv(g1, { n: 2, text: 'ping @Anna' }, 'group')], { setting: 'mentions' })
    expect(decideNotifications(prev, s, new Map()).show.map((n) => [n.conv, n.mention])).toEqual([[g1, true]])
  })

  test('at most three at once, newest first', () => {
    const convs = [1, 2, 3, 4, 5].map((n) => conv(`c${n}` as ConvId, { n }))
    const d = decideNotifications(before([]), state(convs), new Map())
    expect(d.show.map((n) => n.message)).toEqual([m(5), m(4), m(3)])
  })

  test('a shown notification is withdrawn once the message is read on any device', () => {
    const now = [conv(c1, { n: 2 })]
    const shown = new Map([[c1, m(2)]])
    expect(decideNotifications(before(now), state(now), shown).close).toEqual([])
    expect(decideNotifications(before(now), state(now, { readPositions: new Map([[c1, m(2)]]) }), shown).close).toEqual([noticeTag(c1)])
    // Answering on another device counts as reading.
    const answered = [conv(c1, { n: 3, author: me })]
    expect(decideNotifications(before(now), state(answered), shown).close).toEqual([noticeTag(c1)])
  })

  test('muting a conversation or turning notifications off withdraws its notification', () => {
    const now = [conv(c1, { n: 2 })]
    const shown = new Map([[c1, m(2)]])
    expect(decideNotifications(before(now), state(now, { muted: new Map([[c1, 1]]) }), shown).close).toEqual([noticeTag(c1)])
    expect(decideNotifications(before(now), state(now, { setting: 'off' }), shown).close).toEqual([noticeTag(c1)])
  })
})

describe('mentions', () => {
  test('the message\'s mentions list decides when it has one', () => {
    expect(mentionsMe({ preview: 'no at sign', mentions: [me] }, me, 'Anna Rossi')).toBe(true)
    expect(mentionsMe({ preview: '@Anna Rossi', mentions: [marco] }, me, 'Anna Rossi')).toBe(false)
  })

  test('without one, @ and the full or first name in the text, case-insensitive', () => {
    expect(mentionsMe({ preview: 'hey @anna rossi' }, me, 'Anna Rossi')).toBe(true)
    expect(mentionsMe({ preview: '@Anna, see this' }, me, 'Anna Rossi')).toBe(true)
    expect(mentionsMe({ preview: '@Annabelle' }, me, 'Anna Rossi')).toBe(false)
    expect(mentionsMe({ preview: 'mail anna@example.com' }, me, 'Anna Rossi')).toBe(false)
  })

  test('the stored setting falls back to "all"', () => {
    expect(parseNotifySetting('mentions')).toBe('mentions')
    expect(parseNotifySetting(undefined)).toBe('all')
    expect(parseNotifySetting('loud')).toBe('all')
  })
})

describe('the notifier', () => {
  function sink(): NoticeSink & { log: string[] } {
    const log: string[] = []
    return { log, show: (n) => log.push(`show ${n.tag}`), close: (tag) => log.push(`close ${tag}`) }
  }

  test('shows a message once, replaces it with the next, withdraws it when read elsewhere', () => {
    const out = sink()
    const n = new Notifier(out)
    n.update(state([conv(c1, { n: 1 })]))
    n.update(state([conv(c1, { n: 2 })]))
    n.update(state([conv(c1, { n: 2 })]))
    expect(out.log).toEqual([`show ${noticeTag(c1)}`])
    n.update(state([conv(c1, { n: 2 })], { readPositions: new Map([[c1, m(2)]]) }))
    expect(out.log).toEqual([`show ${noticeTag(c1)}`, `close ${noticeTag(c1)}`])
    n.update(state([conv(c1, { n: 2 })], { readPositions: new Map([[c1, m(2)]]) }))
    expect(out.log).toHaveLength(2)
  })

  test('once per account: only the leader tab runs a notifier, and it stays quiet while any tab is focused', () => {
    // Two tabs see the same state; the follower runs none (see createAppModel's leader work).
    const leader = sink()
    const n = new Notifier(leader)
    n.update(state([conv(c1, { n: 1 })], { focused: false }))
    // The follower tab is the one in view: the leader knows through the tabs' focus messages.
    n.update(state([conv(c1, { n: 2 })], { focused: true }))
    n.update(state([conv(c1, { n: 3 })], { focused: false }))
    expect(leader.log).toEqual([`show ${noticeTag(c1)}`])
  })

  test('dispose withdraws what it showed', () => {
    const out = sink()
    const n = new Notifier(out)
    n.update(state([]))
    n.update(state([conv(c1, { n: 1 })]))
    n.dispose()
    expect(out.log).toEqual([`show ${noticeTag(c1)}`, `close ${noticeTag(c1)}`])
  })
})
