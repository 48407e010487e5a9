import { guestUserId, type ConvId, type InboxEntry, type MessageId, type UserId } from '@waggle/schema'
import type { ConvIndexRow, CreationRow } from './LocalIndex.ts'
import type { InboxItem, Person } from './model.ts'
import { isHidden } from './organise.ts'
import { avatarOf, nameOf } from './people.ts'
import { mentionToShow, unreadToShow } from './unread.ts'

/** Everything the inbox is made of; none of it needs a segment document. */
export interface InboxSources {
  me: UserId
  /** The server's projection (`user/{me}/inbox`). */
  entries: ReadonlyMap<ConvId, InboxEntry>
  /** The command outbox: creations not yet in the projection are listed from here. */
  commands: readonly CreationRow[]
  /** From the private document. */
  pins: ReadonlyMap<ConvId, number>
  archived: ReadonlyMap<ConvId, number>
  /** When each conversation was hidden, muted; the drafts. Optional: none when left out. */
  hidden?: ReadonlyMap<ConvId, number>
  muted?: ReadonlyMap<ConvId, number>
  drafts?: ReadonlyMap<ConvId, { text: string }>
  readPositions: ReadonlyMap<ConvId, MessageId>
  /** Unread counts from the local index. */
  index: ReadonlyMap<ConvId, ConvIndexRow>
  people: ReadonlyMap<UserId, Person>
}

/** The other person of a direct conversation (null for a group or a malformed entry). */
export function peerOf(members: readonly UserId[] | undefined, me: UserId): UserId | null {
  return members?.find((m) => m !== me) ?? null
}

/** Hidden, muted and draft of one conversation; `activity` is its last message's time (or creation). */
function organised(conv: ConvId, s: InboxSources, activity: number): Pick<InboxItem, 'hidden' | 'muted' | 'draft'> {
  return {
    hidden: isHidden(s.hidden?.get(conv), activity),
    muted: s.muted?.has(conv) === true,
    draft: s.drafts?.get(conv)?.text ?? null,
  }
}

function fromEntry(conv: ConvId, entry: InboxEntry, s: InboxSources): InboxItem {
  const peer = entry.kind === 'direct' ? peerOf(entry.members, s.me) : null
  const title = peer !== null ? nameOf(s.people, peer) : entry.title
  const last = entry.last
  return {
    conv, kind: entry.kind, title, peer,
    avatar: avatarOf(peer ?? conv, title),
    last: last === undefined ? null : {
      id: last.id, authorName: nameOf(s.people, last.author), own: last.author === s.me,
      time: last.time, preview: last.deleted === true ? '' : last.preview, deleted: last.deleted === true,
    },
    activityAt: last?.time ?? entry.createdAt,
    unread: unreadToShow(last, s.readPositions.get(conv), s.me, s.index.get(conv)),
    mentioned: mentionToShow(last, s.readPositions.get(conv), s.me, s.index.get(conv)),
    pinned: s.pins.has(conv), archived: s.archived.has(conv), readOnly: entry.readOnly,
    ...organised(conv, s, last?.time ?? entry.createdAt),
    creation: null, creationError: null,
  }
}

function fromCommand(row: CreationRow, s: InboxSources): InboxItem {
  const { command } = row
  // A direct conversation with an external person names them by address until the relay lists them.
  const email = command.kind === 'direct' ? (command.emails?.[0] ?? null) : null
  const peer = command.kind !== 'direct' ? null : email !== null ? guestUserId(email) : (command.members[0] ?? null)
  const title = peer === null ? command.title : email !== null && !s.people.has(peer) ? email : nameOf(s.people, peer)
  return {
    conv: command.conv, kind: command.kind, title, peer,
    avatar: avatarOf(peer ?? command.conv, title),
    last: null, activityAt: row.createdAt, unread: 0, mentioned: false,
    pinned: s.pins.has(command.conv), archived: s.archived.has(command.conv), readOnly: false,
    ...organised(command.conv, s, row.createdAt),
    creation: row.state, creationError: row.state === 'rejected' ? (row.message ?? row.reason ?? 'The server refused to create it.') : null,
  }
}

/**
 * Pinned first, most recently pinned on top; then by last activity, newest first; ties by id
 * so the order never flickers.
 */
export function compareInbox(pins: ReadonlyMap<ConvId, number>): (a: InboxItem, b: InboxItem) => number {
  return (a, b) => {
    const pa = pins.get(a.conv)
    const pb = pins.get(b.conv)
    if (pa !== undefined || pb !== undefined) {
      if (pa === undefined) return 1
      if (pb === undefined) return -1
      if (pa !== pb) return pb - pa
    }
    if (a.activityAt !== b.activityAt) return b.activityAt - a.activityAt
    return a.conv < b.conv ? -1 : a.conv > b.conv ? 1 : 0
  }
}

/** The inbox list: the projection, plus creations still in the outbox that it does not list yet. */
export function composeInbox(s: InboxSources): InboxItem[] {
  const items: InboxItem[] = []
  for (const [conv, entry] of s.entries) items.push(fromEntry(conv, entry, s))
  const listed = new Set<ConvId>(s.entries.keys())
  for (const row of s.commands) {
    if (listed.has(row.command.conv)) continue
    listed.add(row.command.conv)
    items.push(fromCommand(row, s))
  }
  return items.sort(compareInbox(s.pins))
}
