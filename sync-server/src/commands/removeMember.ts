import { Reason, type Principal, type RemoveMemberCommand } from '@waggle/schema'
import { accepted, rejected, type CommandContext, type Outcome } from './CommandContext.ts'
import { dropMember, isManager, isOutcome, loadGroup, notManager, writeSystemMessage } from './groupRules.ts'

/**
 * Removes a member (managers only; leaving is `leaveConversation`). The "removed" system
 * message is written first, so the removed member's open subscription may still see it;
 * then their rows go, their inbox entry goes and their subscriptions are re-checked.
 */
export async function removeMember(ctx: CommandContext, who: Principal, cmd: RemoveMemberCommand): Promise<Outcome> {
  const group = await loadGroup(ctx, who, cmd.conv)
  if (isOutcome(group)) return group
  if (!isManager(who, group)) return notManager()
  if (cmd.member === who.userId) return rejected(Reason.badRequest, 'To leave the conversation, use Leave')
  if (!group.members.some((m) => m.user === cmd.member)) return accepted
  await writeSystemMessage(ctx, cmd.conv, { event: 'removed', actor: who.userId, users: [cmd.member] })
  await dropMember(ctx, cmd.conv, cmd.member)
  return accepted
}
