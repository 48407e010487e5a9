import { Limits, Reason, type JoinByLinkCommand, type Principal } from '@waggle/schema'
import type { ConversationMemberRecord } from '../storage/AccountStore.ts'
import { rejected, type CommandContext, type Outcome } from './CommandContext.ts'
import { infoOf, listMembers, memberRole, writeSystemMessage } from './groupRules.ts'

/**
 * Joins the group whose link carries `token`. History is never hidden from someone who joins
 * by link (the reference), so the new member reads from segment 0. Answers with the
 * conversation's id, so the device can open it.
 */
export async function joinByLink(ctx: CommandContext, who: Principal, cmd: JoinByLinkCommand): Promise<Outcome> {
  const conv = await ctx.accounts.conversationByLink(cmd.token)
  const record = conv === null ? null : await ctx.accounts.conversation(conv)
  if (conv === null || record === null || record.workspaceId !== who.workspaceId) return rejected(Reason.notFound, 'This link does not work any more')
  if ((await ctx.accounts.conversationMember(conv, who.userId)) !== null) return { status: 'accepted', conv }
  const members = await ctx.accounts.conversationMembers(conv)
  if (members.length + 1 > Limits.membersPerConversation) {
    return rejected(Reason.tooManyMembers, `A conversation has at most ${Limits.membersPerConversation} members`)
  }
  const info = await infoOf(ctx, conv)
  const row: ConversationMemberRecord = { conv, user: who.userId, ...memberRole(who, info?.readOnly === true), firstSegment: 0, addedAt: ctx.now() }
  await ctx.accounts.putConversationMember(row)
  ctx.access.changed(conv, [who.userId])
  await listMembers(ctx, conv, [row])
  await writeSystemMessage(ctx, conv, { event: 'joined', actor: who.userId, users: [] })
  await ctx.projector.refresh(conv)
  return { status: 'accepted', conv }
}
