import {
  Limits, Origin, Reason, docName, currentSegment, randomId, startSegment,
  type AddMembersCommand, type Principal, type UserId,
} from '@waggle/schema'
import type { ConversationMemberRecord, UserRecord } from '../storage/AccountStore.ts'
import { ConstraintError } from '../storage/ConstraintError.ts'
import { accepted, rejected, type CommandContext, type Outcome } from './CommandContext.ts'
import { infoOf, isManager, isOutcome, listMembers, loadGroup, notManager, writeSystemMessage } from './groupRules.ts'

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

  const resolved = await resolveUsers(ctx, who, cmd)
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
  const rows: ConversationMemberRecord[] = added.map((u) => ({
    conv: cmd.conv, user: u.id, role: u.role === 'guest' ? 'guest' : 'member', readOnly: info.readOnly && u.role === 'guest', firstSegment, addedAt: ctx.now(),
  }))
  for (const row of rows) await ctx.accounts.putConversationMember(row)
  await listMembers(ctx, cmd.conv, rows)
  await writeSystemMessage(ctx, cmd.conv, { event: 'added', actor: who.userId, users: rows.map((r) => r.user) })
  await ctx.projector.refresh(cmd.conv)
  return accepted
}

/** The users the command names, with guests made for unknown addresses; a rejection for a bad one. */
async function resolveUsers(ctx: CommandContext, who: Principal, cmd: AddMembersCommand): Promise<UserRecord[] | Outcome> {
  const out = new Map<UserId, UserRecord>()
  for (const id of new Set(cmd.members)) {
    const user = await ctx.accounts.userById(id)
    if (user === null || user.workspaceId !== who.workspaceId) return rejected(Reason.notFound, `There is no user ${id} in this workspace`)
    out.set(user.id, user)
  }
  for (const email of new Set(cmd.emails ?? [])) {
    const user = (await ctx.accounts.userByEmail(email)) ?? (await createGuest(ctx, who, email))
    if (user.workspaceId !== who.workspaceId) return rejected(Reason.forbidden, `${email} belongs to another workspace`)
    out.set(user.id, user)
  }
  for (const user of out.values()) {
    // The reference: a participant needs an email address.
    if (user.email.length === 0) return rejected(Reason.badRequest, `${user.name} has no email address`)
  }
  return [...out.values()]
}

async function createGuest(ctx: CommandContext, who: Principal, email: string): Promise<UserRecord> {
  const guest: UserRecord = {
    id: `g-${randomId()}` as UserId, workspaceId: who.workspaceId, email, name: email, role: 'guest', canModifyPresence: false, createdAt: ctx.now(),
  }
  try {
    await ctx.accounts.createUser(guest)
    return guest
  } catch (err) {
    // Created meanwhile (another command, another instance): use that one.
    const existing = err instanceof ConstraintError ? await ctx.accounts.userByEmail(email) : null
    if (existing === null) throw err
    return existing
  }
}
