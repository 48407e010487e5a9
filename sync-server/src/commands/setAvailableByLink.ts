import { Origin, docName, updateConvInfo, type Principal, type SetAvailableByLinkCommand } from '@waggle/schema'
import { accepted, type CommandContext, type Outcome } from './CommandContext.ts'
import { isManager, isOutcome, loadGroup, newLinkToken, notManager } from './groupRules.ts'

/**
 * Turns a group's join link on (a new random token, stored in SQL and shown to members in
 * meta) or off (the token is deleted: old links stop working). Managers only.
 * Turning it off cuts only the link: nobody new joins with it, and a join command that arrives
 * afterwards is refused. Everyone who already joined (by link or otherwise) stays a member with
 * their access; membership does not change, so no access event is emitted (removing someone is
 * `removeMember`).
 */
export async function setAvailableByLink(ctx: CommandContext, who: Principal, cmd: SetAvailableByLinkCommand): Promise<Outcome> {
  const group = await loadGroup(ctx, who, cmd.conv)
  if (isOutcome(group)) return group
  if (!isManager(who, group)) return notManager()
  await applyLink(ctx, cmd.conv, cmd.on)
  return accepted
}

/** Sets the link state in SQL and meta; keeps an existing token when turning on again. */
export async function applyLink(ctx: CommandContext, conv: SetAvailableByLinkCommand['conv'], on: boolean): Promise<void> {
  let token: string | null = null
  if (on) {
    token = (await ctx.accounts.conversationLink(conv)) ?? newLinkToken()
    await ctx.accounts.setConversationLink(conv, token)
  } else {
    await ctx.accounts.setConversationLink(conv, null)
  }
  const linkToken = token ?? undefined
  await ctx.hub.change(docName.convMeta(conv), (doc) => updateConvInfo(doc, { byLink: on, linkToken }, Origin.server))
}
