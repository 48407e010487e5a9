import type { ConvId, MessageId } from '@waggle/schema'
import { describe, expect, it } from 'vitest'
import type { InboxItem } from '../../bind/model.ts'
import { filterInbox, previewText, unreadLabel } from './inbox.ts'

function item(over: Partial<InboxItem> = {}): InboxItem {
  return {
    conv: 'c1' as ConvId, kind: 'direct', title: 'Ana Ruiz', peer: null, avatar: { initials: 'AR', hue: 10 },
    last: { id: 'm1' as MessageId, authorName: 'Ana Ruiz', own: false, time: 0, preview: 'Hello', deleted: false },
    activityAt: 0, unread: 0, mentioned: false, pinned: false, archived: false, hidden: false, muted: false, draft: null, readOnly: false, creation: null, creationError: null,
    ...over,
  }
}

describe('inbox filters', () => {
  const items = [item({ conv: 'a' as ConvId }), item({ conv: 'b' as ConvId, unread: 2 }), item({ conv: 'c' as ConvId, archived: true, unread: 1 })]

  it('All hides archived conversations', () => {
    expect(filterInbox(items, 'all').map((i) => i.conv)).toEqual(['a', 'b'])
  })

  it('Unread shows unarchived conversations with unread messages', () => {
    expect(filterInbox(items, 'unread').map((i) => i.conv)).toEqual(['b'])
  })

  it('Archived shows only archived ones', () => {
    expect(filterInbox(items, 'archived').map((i) => i.conv)).toEqual(['c'])
  })

  it('hidden conversations are left out of All and Unread', () => {
    const withHidden = [...items, item({ conv: 'h' as ConvId, hidden: true, unread: 1 })]
    expect(filterInbox(withHidden, 'all').map((i) => i.conv)).toEqual(['a', 'b'])
    expect(filterInbox(withHidden, 'unread').map((i) => i.conv)).toEqual(['b'])
  })
})

describe('inbox preview', () => {
  it('prefixes own messages with You and group messages with the first name', () => {
    expect(previewText(item({ last: { id: 'm' as MessageId, authorName: 'Me', own: true, time: 0, preview: 'Done', deleted: false } }))).toBe('You: Done')
    expect(previewText(item({ kind: 'group' }))).toBe('Ana: Hello')
    expect(previewText(item())).toBe('Hello')
  })

  it('shows an unsent draft instead of the last message', () => {
    expect(previewText(item({ draft: 'See you at 3' }))).toBe('Draft: See you at 3')
  })

  it('says a deleted message was deleted', () => {
    expect(previewText(item({ last: { id: 'm' as MessageId, authorName: 'Ana', own: false, time: 0, preview: '', deleted: true } }))).toBe('Message deleted')
  })

  it('explains a pending or refused creation', () => {
    expect(previewText(item({ creation: 'pending' }))).toBe('Waiting to be created')
    expect(previewText(item({ creation: 'rejected', creationError: 'Too many members' }))).toBe('Could not be created: Too many members')
  })

  it('labels unread counts for screen readers', () => {
    expect(unreadLabel(1)).toBe('1 unread message')
    expect(unreadLabel(3)).toBe('3 unread messages')
  })
})
