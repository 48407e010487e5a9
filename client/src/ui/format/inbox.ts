import type { InboxFilter, InboxItem } from '../../bind/model.ts'

/** The inbox as one filter shows it (the model's order is kept: pinned first, then newest). */
export function filterInbox(items: readonly InboxItem[], filter: InboxFilter): InboxItem[] {
  switch (filter) {
    case 'all': return items.filter((i) => !i.archived && !i.hidden)
    case 'unread': return items.filter((i) => !i.archived && !i.hidden && i.unread > 0)
    case 'archived': return items.filter((i) => i.archived)
  }
}

/** The second line of an inbox item. */
export function previewText(item: InboxItem): string {
  if (item.creation === 'pending') return 'Waiting to be created'
  if (item.creation === 'rejected') return `Could not be created: ${item.creationError ?? 'the server refused it'}`
  if (item.draft !== null) return `Draft: ${item.draft.replace(/\s+/g, ' ').trim()}`
  const last = item.last
  if (last === null) return 'No messages yet'
  const text = last.deleted ? 'Message deleted' : last.preview
  if (last.own) return `You: ${text}`
  if (item.kind === 'group') return `${firstName(last.authorName)}: ${text}`
  return text
}

export function firstName(name: string): string {
  return name.trim().split(/\s+/)[0] ?? name
}

export function unreadLabel(count: number): string {
  return count === 1 ? '1 unread message' : `${count} unread messages`
}

/** What an empty list says for each filter. */
export const emptyText: Record<InboxFilter, string> = {
  all: 'No conversations yet. Start one with “New conversation”.',
  unread: 'You’re all caught up: no unread messages.',
  archived: 'No archived conversations.',
}
