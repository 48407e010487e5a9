import {
  Origin, PICTURE_MAX_BYTES, PICTURE_PREFIX, Reason, docName, updateConvInfo,
  type ConvInfo, type Principal, type UpdateConversationCommand,
} from '@waggle/schema'
import { accepted, rejected, type CommandContext, type Outcome } from './CommandContext.ts'
import { isManager, isOutcome, loadGroup, notManager } from './groupRules.ts'

/** Changes a group's title, description or picture (managers only); an empty description removes it. */
export async function updateConversation(ctx: CommandContext, who: Principal, cmd: UpdateConversationCommand): Promise<Outcome> {
  const group = await loadGroup(ctx, who, cmd.conv)
  if (isOutcome(group)) return group
  if (!isManager(who, group)) return notManager()
  if (typeof cmd.picture === 'string' && (cmd.picture.length > PICTURE_MAX_BYTES || !PICTURE_PREFIX.test(cmd.picture))) {
    return rejected(Reason.badRequest, 'A picture is a PNG, JPEG or WebP data URL of at most 48 KB')
  }
  const patch: Partial<ConvInfo> = {}
  if (cmd.title !== undefined) patch.title = cmd.title
  if (cmd.description !== undefined) Object.assign(patch, { description: cmd.description === '' ? undefined : cmd.description })
  if (cmd.picture !== undefined) Object.assign(patch, { picture: cmd.picture ?? undefined })
  if (Object.keys(patch).length === 0) return accepted
  await ctx.hub.change(docName.convMeta(cmd.conv), (doc) => updateConvInfo(doc, patch, Origin.server))
  await ctx.projector.refresh(cmd.conv)
  return accepted
}
