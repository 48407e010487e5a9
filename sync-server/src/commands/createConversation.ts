import {
  Limits, Origin, Reason, directConvId, docName, readConvInfo, readMembers, readSegments, startSegment, writeConvInfo, writeMember,
  type ConvInfo, type CreateConversationCommand, type Principal, type UserId,
} from '@waggle/schema'
import { ConstraintError } from '../storage/ConstraintError.ts'
import type { ConversationMemberRecord, ConversationRecord } from '../storage/AccountStore.ts'
import { accepted, rejected, type CommandContext, type Outcome } from './CommandContext.ts'
import { writeSystemMessage } from './groupRules.ts'
import { applyLink } from './setAvailableByLink.ts'

/**
 * Creates a direct or group conversation (ARCHITECTURE §2): the membership rows first, then
 * the meta document, whose write makes the projector put the conversation in every member's
 * inbox; resolves once those inboxes are written.
 *
 * A direct conversation has one id per pair of people ({@link directConvId}), so when both
 * start it (offline, say) the second command finds it and is accepted too. A group whose id
 * exists is refused, unless the sender created it and this command was never answered: that
 * is the same command retried after the relay stopped between steps, and it finishes them.
 */
export async function createConversation(ctx: CommandContext, who: Principal, cmd: CreateConversationCommand): Promise<Outcome> {
  // External members start groups only; such a group is available by link (the reference).
  if (who.role === 'guest' && cmd.kind !== 'group') return rejected(Reason.forbidden, 'Guests cannot start direct conversations')
  const others = [...new Set(cmd.members)].filter((u) => u !== who.userId)
  if (others.length + 1 > Limits.membersPerConversation) {
    return rejected(Reason.tooManyMembers, `A conversation has at most ${Limits.membersPerConversation} members`)
  }
  const shape = cmd.kind === 'direct' ? checkDirect(who.userId, cmd, others) : checkGroup(cmd)
  if (shape !== null) return shape
  for (const id of others) {
    const user = await ctx.accounts.userById(id)
    if (user === null || user.workspaceId !== who.workspaceId) return rejected(Reason.notFound, `There is no user ${id} in this workspace`)
  }

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
  const wanted = [who.userId, ...others]
  const members = await ctx.accounts.conversationMembers(conv.id)
  if (!canFinish(conv, members, who, cmd, wanted)) return exists(cmd)

  const have = new Set(members.map((m) => m.user))
  for (const user of wanted.filter((u) => !have.has(u))) {
    const member: ConversationMemberRecord = {
      conv: conv.id, user, role: user === conv.createdBy ? 'owner' : 'member', readOnly: false, firstSegment: 0, addedAt: ctx.now(),
    }
    await ctx.accounts.putConversationMember(member)
    members.push(member)
  }
  const byLink = conv.kind === 'group' && (cmd.byLink === true || who.role === 'guest')
  const created = await writeMeta(ctx, conv, members, cmd)
  if (created && conv.kind === 'group') {
    if (byLink) await applyLink(ctx, conv.id, true)
    await writeSystemMessage(ctx, conv.id, { event: 'created', actor: conv.createdBy, users: [] })
  }
  await ctx.projector.refresh(conv.id)
  return accepted
}

function checkDirect(sender: UserId, cmd: CreateConversationCommand, others: UserId[]): Outcome | null {
  const [other] = others
  if (other === undefined || others.length !== 1) return rejected(Reason.badRequest, 'A direct conversation has exactly one other member')
  const expected = directConvId(sender, other)
  if (cmd.conv !== expected) return rejected(Reason.badRequest, `A direct conversation with ${other} has the id ${expected}`)
  return null
}

function checkGroup(cmd: CreateConversationCommand): Outcome | null {
  return cmd.title.length === 0 ? rejected(Reason.badRequest, 'A group needs a title') : null
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
