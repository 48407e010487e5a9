import {
  Origin, Reason, appendSystemMessage, currentSegment, docName, newMessageId, readConvInfo, readMembers, writeMember,
  type ConvId, type ConvInfo, type Principal, type Role, type SystemEvent, type UserId,
} from '@waggle/schema'
import type { ConversationMemberRecord, ConversationRecord } from '../storage/AccountStore.ts'
import { rejected, type CommandContext, type Outcome } from './CommandContext.ts'

/**
 * Group rules (sync-server/README.md, "Group rules"), shared by the group commands:
 * - only members change a conversation, and only groups change (a direct one has two people);
 * - managers (the group's owner, or a workspace admin who is a member) add and remove members,
 *   change title, description and picture, and turn the link on and off;
 * - any member leaves; external members (guests) manage nothing;
 * - when the owner leaves or is removed, the longest-standing remaining non-guest member
 *   becomes the owner (none if only guests remain).
 */
export interface Group {
  conv: ConversationRecord
  members: ConversationMemberRecord[]
  /** The sender's membership. */
  me: ConversationMemberRecord
}

/** The group `conv` with the sender's membership, or the rejection to answer. */
export async function loadGroup(ctx: CommandContext, who: Principal, conv: ConvId): Promise<Group | Outcome> {
  const record = await ctx.accounts.conversation(conv)
  if (record === null || record.workspaceId !== who.workspaceId) return rejected(Reason.notFound, `There is no conversation ${conv}`)
  const members = await ctx.accounts.conversationMembers(conv)
  const me = members.find((m) => m.user === who.userId)
  if (me === undefined) return rejected(Reason.forbidden, 'Only members change a conversation')
  if (record.kind !== 'group') return rejected(Reason.badRequest, 'A direct conversation cannot be changed')
  return { conv: record, members, me }
}

export const isOutcome = (x: Group | Outcome): x is Outcome => 'status' in x

export function isManager(who: Principal, group: Group): boolean {
  return who.role !== 'guest' && (group.me.role === 'owner' || who.role === 'admin')
}

export const notManager = (): Outcome => rejected(Reason.forbidden, 'Only the owner of the conversation or an admin may do this')

/** The conversation's info from its meta document (null if it was never written). */
export function infoOf(ctx: CommandContext, conv: ConvId): Promise<ConvInfo | null> {
  return ctx.hub.read(docName.convMeta(conv), readConvInfo)
}

/** Display names for a system message's text. */
async function nameOf(ctx: CommandContext, user: UserId): Promise<string> {
  return (await ctx.accounts.userById(user))?.name ?? user
}

async function sentence(ctx: CommandContext, e: SystemEvent): Promise<string> {
  const actor = await nameOf(ctx, e.actor)
  const users = (await Promise.all(e.users.map((u) => nameOf(ctx, u)))).join(', ')
  switch (e.event) {
    case 'created': return `${actor} created the conversation`
    case 'added': return `${actor} added ${users}`
    case 'joined': return `${actor} joined by link`
    case 'left': return `${actor} left`
    case 'removed': return `${actor} removed ${users}`
  }
}

/** Writes a system message into the conversation's current segment (read from meta). */
export async function writeSystemMessage(ctx: CommandContext, conv: ConvId, event: SystemEvent): Promise<void> {
  const segment = await ctx.hub.read(docName.convMeta(conv), currentSegment)
  const text = await sentence(ctx, event)
  const time = ctx.now()
  await ctx.hub.change(docName.segment(conv, segment), (doc) => {
    appendSystemMessage(doc, { id: newMessageId(time), time, text, system: event }, Origin.server)
  })
}

/** Puts the membership rows into the meta document's member list (adds and replaces). */
export async function listMembers(ctx: CommandContext, conv: ConvId, members: readonly ConversationMemberRecord[]): Promise<void> {
  await ctx.hub.change(docName.convMeta(conv), (doc) => {
    const listed = readMembers(doc)
    for (const m of members) {
      const value = { role: m.role, readOnly: m.readOnly, firstSegment: m.firstSegment, addedAt: m.addedAt }
      const old = listed.get(m.user)
      if (old === undefined || JSON.stringify(old) !== JSON.stringify(value)) writeMember(doc, m.user, value, Origin.server)
    }
  })
}

/**
 * Takes `user` off the table and the meta list, passes ownership on if they owned the group,
 * re-projects inboxes and re-checks their subscriptions.
 */
export async function dropMember(ctx: CommandContext, conv: ConvId, user: UserId): Promise<void> {
  const dropped = await ctx.accounts.conversationMember(conv, user)
  await ctx.accounts.removeConversationMember(conv, user)
  ctx.access.changed(conv, [user])
  await ctx.hub.change(docName.convMeta(conv), (doc) => {
    if (readMembers(doc).has(user)) writeMember(doc, user, null, Origin.server)
  })
  if (dropped?.role === 'owner') await passOwnership(ctx, conv)
  await ctx.projector.refresh(conv)
}

/** Makes the {@link successor} among the remaining members the owner, in the table and in meta. */
async function passOwnership(ctx: CommandContext, conv: ConvId): Promise<void> {
  const remaining = await ctx.accounts.conversationMembers(conv)
  const guests = new Set<UserId>()
  for (const m of remaining) {
    // The account decides too: memberships made before guests got the 'guest' role say 'member'.
    if (m.role === 'guest' || (await ctx.accounts.userById(m.user))?.role === 'guest') guests.add(m.user)
  }
  const next = successor(remaining, guests)
  if (next === null) return
  const promoted: ConversationMemberRecord = { ...next, role: 'owner' }
  await ctx.accounts.putConversationMember(promoted)
  ctx.access.changed(conv, [promoted.user])
  await listMembers(ctx, conv, [promoted])
}

/**
 * Pure: who owns a group after its owner went: the longest-standing member who is not a guest
 * (earliest `addedAt`, ties by user id so every relay picks the same), or nobody.
 */
export function successor(remaining: readonly ConversationMemberRecord[], guests: ReadonlySet<UserId>): ConversationMemberRecord | null {
  let best: ConversationMemberRecord | null = null
  for (const m of remaining) {
    if (m.role === 'guest' || guests.has(m.user)) continue
    if (best === null || m.addedAt < best.addedAt || (m.addedAt === best.addedAt && m.user < best.user)) best = m
  }
  return best
}

/**
 * The membership role and read-only flag of a new (non-owner) member: guests are 'guest' members
 * and, in a read-only group, read only; everyone else is a 'member' who writes.
 */
export function memberRole(account: { role: Role }, readOnlyGroup: boolean): Pick<ConversationMemberRecord, 'role' | 'readOnly'> {
  const guest = account.role === 'guest'
  return { role: guest ? 'guest' : 'member', readOnly: guest && readOnlyGroup }
}

/** A fresh, unguessable link token (matches ID_PATTERN). */
export function newLinkToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(18))
  return Buffer.from(bytes).toString('base64url')
}

