import { describe, expect, it } from 'vitest'
import type { MessageId, StoredMessage, UserId } from '@waggle/schema'
import { summarize } from './reactions.ts'
import { mentionToShow, mentionsUnread } from './unread.ts'

const me = 'anna' as UserId
const marco = 'marco' as UserId
const id = (n: number) => `M${String(n).padStart(4, '0')}` as MessageId
const msg = (n: number, author: UserId, mentions?: UserId[]): StoredMessage => ({ id: id(n), author, time: n, text: 't', ...(mentions ? { mentions } : {}) })

describe('mentions among unread messages', () => {
  it('counts a mention of me after the read position and my own latest message', () => {
    expect(mentionsUnread([msg(1, marco, [me]), msg(2, marco)], undefined, me)).toBe(true)
    expect(mentionsUnread([msg(1, marco, [me]), msg(2, marco)], id(1), me)).toBe(false)
    expect(mentionsUnread([msg(1, marco, [me]), msg(2, me), msg(3, marco)], undefined, me)).toBe(false)
    expect(mentionsUnread([msg(1, marco, [marco])], undefined, me)).toBe(false)
  })

  it('the inbox shows the mark only while something is unread', () => {
    const last = { id: id(2), author: marco, time: 2, preview: 't' }
    const record = { unread: 1, last: id(2), read: null, mentioned: true }
    expect(mentionToShow(last, undefined, me, record)).toBe(true)
    expect(mentionToShow(last, id(2), me, record)).toBe(false)
    expect(mentionToShow(last, undefined, me, { ...record, mentioned: false })).toBe(false)
  })
})

describe('reaction summaries', () => {
  it('counts each emoji, marks mine and names "You" first', () => {
    const byEmoji = new Map([['👍', [marco, me]], ['🎉', [marco]], ['😮', []]])
    expect(summarize(byEmoji, me, () => 'Marco Bianchi')).toEqual([
      { emoji: '👍', count: 2, mine: true, users: [marco, me], names: ['You', 'Marco Bianchi'] },
      { emoji: '🎉', count: 1, mine: false, users: [marco], names: ['Marco Bianchi'] },
    ])
  })

  it('shows an external member of a read-only conversation counts, not who reacted', () => {
    const byEmoji = new Map([['👍', [marco, me]], ['🎉', [marco]]])
    expect(summarize(byEmoji, me, () => 'Marco Bianchi', true)).toEqual([
      { emoji: '👍', count: 2, mine: true, users: [me], names: ['You'] },
      { emoji: '🎉', count: 1, mine: false, users: [], names: [] },
    ])
  })
})
