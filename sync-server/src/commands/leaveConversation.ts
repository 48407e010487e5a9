import type { LeaveConversationCommand, Principal } from '@waggle/schema'
import { accepted, type CommandContext, type Outcome } from './CommandContext.ts'
import { dropMember, isOutcome, loadGroup, writeSystemMessage } from './groupRules.ts'

/**
 * The sender leaves a group: a "left" system message for the others, then the membership,
 * the inbox entry and the open subscriptions go. An owner may leave too: ownership passes to
 * the longest-standing remaining non-guest member (groupRules.ts, `dropMember`).
 */
export async function leaveConversation(ctx: CommandContext, who: Principal, cmd: LeaveConversationCommand): Promise<Outcome> {
  const group = await loadGroup(ctx, who, cmd.conv)
  if (isOutcome(group)) return group
  await writeSystemMessage(ctx, cmd.conv, { event: 'left', actor: who.userId, users: [] })
  await dropMember(ctx, cmd.conv, who.userId)
  return accepted
}
