import {
  Limits, Origin, Reason, docName, currentSegment, startSegment,
  type AddMembersCommand, type Principal,
} from '@waggle/schema'
import type { ConversationMemberRecord } from '../storage/AccountStore.ts'
import { accepted, rejected, type CommandContext, type Outcome } from './CommandContext.ts'
import { infoOf, isManager, isOutcome, listMembers, loadGroup, memberRole, notManager, writeSystemMessage } from './groupRules.ts'
import { resolveUsers } from './resolveUsers.ts'

/**
 * Adds colleagues and email addresses to a group (issue 4). An address of nobody in the
 * installation becomes a guest user of the workspace (an external member); in a read-only
 * group external members read only. With `hideHistory` the relay starts a new segment and the
 * new members may read only from it (ARCHITECTURE §3, "Segments"). Writes the membership
 * rows, the meta list, an "added" system message and the inboxes, then answers.
 */
export async function addMembers(ctx: CommandContext, who: Principal, cmd: AddMembersCommand): Promise<Outcome> {
  const group = await loadGroup(ctx, who, cmd.conv)
  if (isOutcome(group)) return group
  if (!isManager(who, group)) return notManager()
  const info = await infoOf(ctx, cmd.conv)
  if (info === null) return rejected(Reason.notFound, `There is no conversation ${cmd.conv}`)

  const resolved = await resolveUsers(ctx, who, cmd.members, cmd.emails ?? [])
  if (!Array.isArray(resolved)) return resolved
  const have = new Set(group.members.map((m) => m.user))
  const added = resolved.filter((u) => !have.has(u.id))
  if (added.length === 0) return accepted
  if (group.members.length + added.length > Limits.membersPerConversation) {
    return rejected(Reason.tooManyMembers, `A conversation has at most ${Limits.membersPerConversation} members`)
  }

  let firstSegment = 0
  if (cmd.hideHistory) {
    await ctx.hub.change(docName.convMeta(cmd.conv), (doc) => {
      firstSegment = currentSegment(doc) + 1
      startSegment(doc, firstSegment, ctx.now(), Origin.server)
    })
  }
  const rows: ConversationMemberRecord[] = added.map((u) => ({ conv: cmd.conv, user: u.id, ...memberRole(u, info.readOnly), firstSegment, addedAt: ctx.now() }))
  for (const row of rows) await ctx.accounts.putConversationMember(row)
  // Every membership-row change is an access event (connections of these users re-check).
  ctx.access.changed(cmd.conv, rows.map((r) => r.user))
  await listMembers(ctx, cmd.conv, rows)
  await writeSystemMessage(ctx, cmd.conv, { event: 'added', actor: who.userId, users: rows.map((r) => r.user) })
  await ctx.projector.refresh(cmd.conv)
  return accepted
}
