import * as v from 'valibot'
import { ID_PATTERN, type CommandId, type ConvId, type UserId } from './ids.ts'
import { Limits } from './message.ts'
import {
  AddMembersCommand, EmailAddress, JoinByLinkCommand, LeaveConversationCommand, RemoveMemberCommand, SetAvailableByLinkCommand, UpdateConversationCommand,
} from './groupCommands.ts'
import type { Reason } from './errors.ts'

/**
 * Commands change server-authoritative state (ARCHITECTURE §2). A device makes the command id
 * and the ids of new things, keeps the command in its durable outbox while offline, and posts
 * it to `POST /api/commands`; the server applies each command id at most once and answers the
 * same result to every retry.
 */
const id = v.pipe(v.string(), v.regex(ID_PATTERN))

export const CreateConversationCommand = v.object({
  id,
  type: v.literal('createConversation'),
  /** Made on the device; for a direct conversation it must be {@link directConvId}. */
  conv: id,
  kind: v.picklist(['direct', 'group']),
  title: v.pipe(v.string(), v.trim(), v.maxLength(Limits.titleLength)),
  description: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(Limits.descriptionLength))),
  /** The other members (the sender is always a member and the owner). */
  members: v.pipe(v.array(id), v.maxLength(Limits.membersPerConversation - 1)),
  /**
   * Further members by email address, like addMembers: an existing account joins, an address of
   * nobody becomes a guest ({@link guestUserId}). A direct conversation names its one other
   * person either here or in `members`.
   */
  emails: v.optional(v.pipe(v.array(EmailAddress), v.maxLength(Limits.membersPerConversation - 1))),
  /** A group whose external (guest) members may read and react but not write. */
  readOnly: v.optional(v.boolean()),
  /** A group anyone with its link may join (always on for a group a guest creates). */
  byLink: v.optional(v.boolean()),
})
export type CreateConversationCommand = Omit<v.InferOutput<typeof CreateConversationCommand>, 'id' | 'conv' | 'members'> & {
  id: CommandId
  conv: ConvId
  members: UserId[]
}

export const Command = v.variant('type', [
  CreateConversationCommand, AddMembersCommand, RemoveMemberCommand, LeaveConversationCommand, UpdateConversationCommand,
  SetAvailableByLinkCommand, JoinByLinkCommand,
])
export type Command =
  | CreateConversationCommand | AddMembersCommand | RemoveMemberCommand | LeaveConversationCommand | UpdateConversationCommand
  | SetAvailableByLinkCommand | JoinByLinkCommand

/** Commands about one existing conversation (every command but joinByLink names it). */
export type ConversationCommand = Exclude<Command, JoinByLinkCommand>

export type CommandResult =
  /** `conv`: the conversation a joinByLink joined. */
  | { id: CommandId; status: 'accepted'; conv?: ConvId }
  | { id: CommandId; status: 'rejected'; reason: Reason; message: string }

/**
 * The id of the one direct conversation between two people, the same on every device, so two
 * people who start a chat with each other offline end up in one conversation.
 */
export function directConvId(a: UserId, b: UserId): ConvId {
  const [x, y] = a < b ? [a, b] : [b, a]
  const plain = `dm_${x}_${y}`
  if (plain.length <= 64 && !x.includes('_') && !y.includes('_')) return plain as ConvId
  return `dm-${fnv1a(`${x}\u0000${y}`)}` as ConvId
}

/**
 * The id of the guest account for an email address, the same on every device, so a device can
 * name the direct conversation with an external person ({@link directConvId}) before the relay
 * has created the guest. Accounts made before guest ids were derived keep their random ids.
 */
export function guestUserId(email: string): UserId {
  return `g-${fnv1a(email.trim().toLowerCase())}` as UserId
}

/** 2 x 32-bit FNV-1a as 16 hex digits: deterministic, dependency-free; the server checks members. */
function fnv1a(s: string): string {
  let h1 = 0x811c9dc5
  let h2 = 0x01000193 ^ 0x5bd1e995
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0
  }
  return h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0')
}
