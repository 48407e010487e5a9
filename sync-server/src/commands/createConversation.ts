import {
  Limits, Origin, Reason, directConvId, docName, readConvInfo, readMembers, readSegments, startSegment, writeConvInfo, writeMember,
  type ConvInfo, type CreateConversationCommand, type Principal, type UserId,
} from '@waggle/schema'
import { ConstraintError } from '../storage/ConstraintError.ts'
import type { ConversationMemberRecord, ConversationRecord } from '../storage/AccountStore.ts'
import { accepted, rejected, type CommandContext, type Outcome } from './CommandContext.ts'
import { memberRole, writeSystemMessage } from './groupRules.ts'
import { createNamed, findNamed, isNamed, namedIds } from './resolveUsers.ts'
import { applyLink } from './setAvailableByLink.ts'

/**
 * Creates a direct or group conversation (ARCHITECTURE §2): the membership rows first, then
 * the meta document, whose write makes the projector put the conversation in every member's
 * inbox; resolves once those inboxes are written.
 *
 * Members are named by id (`members`) or by address (`emails`, like addMembers: an address of
 * nobody becomes a guest); guests are 'guest' members, read-only in a read-only group.
 * A direct conversation has one id per pair of people ({@link directConvId}), so when both
 * start it (offline, say) the second command finds it and is accepted too. A group whose id
 * exists is refused, unless the sender created it and this command was never answered: that
 * is the same command retried after the relay stopped between steps, and it finishes them.
 */
export async function createConversation(ctx: CommandContext, who: Principal, cmd: CreateConversationCommand): Promise<Outcome> {
  // External members start groups only; such a group is available by link (the reference).
  if (who.role === 'guest' && cmd.kind !== 'group') return rejected(Reason.forbidden, 'Guests cannot start direct conversations')
  const ids = [...new Set(cmd.members)].filter((u) => u !== who.userId)
  const emails = [...new Set(cmd.emails ?? [])]
  if (ids.length + emails.length + 1 > Limits.membersPerConversation) {
    return rejected(Reason.tooManyMembers, `A conversation has at most ${Limits.membersPerConversation} members`)
  }
  if (cmd.kind === 'group' && cmd.title.length === 0) return rejected(Reason.badRequest, 'A group needs a title')
  const named = await findNamed(ctx, who, ids, emails)
  if (!isNamed(named)) return named
  // The sender may name themselves by address too; they are a member anyway.
  const others = { users: named.users.filter((u) => u.id !== who.userId), newEmails: named.newEmails }
  if (cmd.kind === 'direct') {
    const shape = checkDirect(who.userId, cmd, namedIds(others))
    if (shape !== null) return shape
  }
  // Guests are made only after the checks that need no writes, so a malformed command makes none.
  const accounts = await createNamed(ctx, who, others)

  let conv = await ctx.accounts.conversation(cmd.conv)
  if (conv === null) {
    const created: ConversationRecord = { id: cmd.conv, workspaceId: who.workspaceId, kind: cmd.kind, createdBy: who.userId, createdAt: ctx.now() }
    try {
      await ctx.accounts.createConversation(created)
    } catch (err) {
      // Another relay instance created it a moment ago.
      if (err instanceof ConstraintError && err.constraint === 'duplicate') return exists(cmd)
      throw err
    }
    conv = created
  }
  const wanted = [who.userId, ...accounts.map((u) => u.id)]
  const members = await ctx.accounts.conversationMembers(conv.id)
  if (!canFinish(conv, members, who, cmd, wanted)) return exists(cmd)

  const readOnlyGroup = conv.kind === 'group' && cmd.readOnly === true
  const roles = new Map<UserId, Pick<ConversationMemberRecord, 'role' | 'readOnly'>>(accounts.map((u) => [u.id, memberRole(u, readOnlyGroup)]))
  const have = new Set(members.map((m) => m.user))
  const added = wanted.filter((u) => !have.has(u))
  for (const user of added) {
    const role = user === conv.createdBy ? { role: 'owner' as const, readOnly: false } : (roles.get(user) ?? memberRole(who, readOnlyGroup))
    const member: ConversationMemberRecord = { conv: conv.id, user, ...role, firstSegment: 0, addedAt: ctx.now() }
    await ctx.accounts.putConversationMember(member)
    members.push(member)
  }
  // Every membership-row change is an access event (connections of these users re-check).
  ctx.access.changed(conv.id, added)
  const byLink = conv.kind === 'group' && (cmd.byLink === true || who.role === 'guest')
  const created = await writeMeta(ctx, conv, members, cmd)
  if (created && conv.kind === 'group') {
    if (byLink) await applyLink(ctx, conv.id, true)
    await writeSystemMessage(ctx, conv.id, { event: 'created', actor: conv.createdBy, users: [] })
  }
  await ctx.projector.refresh(conv.id)
  return accepted
}

/**
 * A direct conversation has exactly one other person, and its id is the one {@link directConvId}
 * gives for the pair. A device names an external person by address and computes their id with
 * {@link guestUserId}; when the address turns out to be a colleague's (or an older guest's with
 * a random id), the id differs and the device must start the conversation that id names.
 */
function checkDirect(sender: UserId, cmd: CreateConversationCommand, others: UserId[]): Outcome | null {
  const [other] = others
  if (other === undefined || others.length !== 1) return rejected(Reason.badRequest, 'A direct conversation has exactly one other member')
  const expected = directConvId(sender, other)
  if (cmd.conv !== expected) {
    return rejected(Reason.conflict, `The direct conversation with ${other} has the id ${expected}, not ${cmd.conv}; start that one instead`)
  }
  return null
}

const exists = (cmd: CreateConversationCommand): Outcome => rejected(Reason.conflict, `A conversation with the id ${cmd.conv} already exists`)

/**
 * Whether an existing conversation is this command's to finish (or, for a direct one, to
 * accept as it is): same workspace and kind, nobody in it the command does not name, and for
 * a group, created by the sender.
 */
function canFinish(conv: ConversationRecord, members: ConversationMemberRecord[], who: Principal, cmd: CreateConversationCommand, wanted: UserId[]): boolean {
  if (conv.workspaceId !== who.workspaceId || conv.kind !== cmd.kind) return false
  if (cmd.kind === 'group' && conv.createdBy !== who.userId) return false
  const named = new Set(wanted)
  return members.every((m) => named.has(m.user))
}

/**
 * Writes whatever the meta document lacks: info, members, segment 0. Writes nothing when
 * complete. Resolves true when it wrote the info (the first time, not on a retry that finds it).
 */
async function writeMeta(ctx: CommandContext, conv: ConversationRecord, members: ConversationMemberRecord[], cmd: CreateConversationCommand): Promise<boolean> {
  const info: ConvInfo = {
    id: conv.id, kind: conv.kind, title: conv.kind === 'direct' ? '' : cmd.title, createdBy: conv.createdBy, createdAt: conv.createdAt,
    readOnly: conv.kind === 'group' && cmd.readOnly === true, byLink: false,
  }
  let wrote = false
  if (cmd.description !== undefined && cmd.description.length > 0) info.description = cmd.description
  await ctx.hub.change(docName.convMeta(conv.id), (doc) => {
    if (readConvInfo(doc) === null) {
      writeConvInfo(doc, info, Origin.server)
      wrote = true
    }
    const listed = readMembers(doc)
    for (const m of members) {
      if (!listed.has(m.user)) writeMember(doc, m.user, { role: m.role, readOnly: m.readOnly, firstSegment: m.firstSegment, addedAt: m.addedAt }, Origin.server)
    }
    if (readSegments(doc).length === 0) startSegment(doc, 0, conv.createdAt, Origin.server)
  })
  return wrote
}
