import * as v from 'valibot'
import { EMAIL_PATTERN } from './api.ts'
import { ID_PATTERN, type CommandId, type ConvId, type UserId } from './ids.ts'
import { Limits } from './message.ts'

/**
 * Commands on an existing group conversation (issue 4). Who may send which is the relay's
 * decision (sync-server/README.md, "Group rules"); these schemas only bound the shape.
 */
const id = v.pipe(v.string(), v.regex(ID_PATTERN))

/** A conversation picture: made on the device (crop and scale to 256×256), at most 48 KB. */
export const PICTURE_MAX_BYTES = 48 * 1024
export const PICTURE_PREFIX = /^data:image\/(png|jpeg|webp);base64,[A-Za-z0-9+/]+=*$/
const picture = v.pipe(v.string(), v.maxLength(PICTURE_MAX_BYTES), v.regex(PICTURE_PREFIX))

/** A member's email address in a command: trimmed and lower-cased, as accounts store it. */
export const EmailAddress = v.pipe(v.string(), v.trim(), v.toLowerCase(), v.maxLength(254), v.regex(EMAIL_PATTERN))

export const AddMembersCommand = v.object({
  id,
  type: v.literal('addMembers'),
  conv: id,
  /** Colleagues to add. */
  members: v.pipe(v.array(id), v.maxLength(Limits.membersPerConversation)),
  /** Email addresses; one of nobody in the workspace becomes a guest (an external member). */
  emails: v.optional(v.pipe(v.array(EmailAddress), v.maxLength(Limits.membersPerConversation))),
  /** The new members read only the segment started now and later ones. */
  hideHistory: v.boolean(),
})

export const RemoveMemberCommand = v.object({ id, type: v.literal('removeMember'), conv: id, member: id })

export const LeaveConversationCommand = v.object({ id, type: v.literal('leaveConversation'), conv: id })

export const UpdateConversationCommand = v.object({
  id,
  type: v.literal('updateConversation'),
  conv: id,
  title: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(Limits.titleLength))),
  description: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(Limits.descriptionLength))),
  /** A data URL, or null to remove the picture. */
  picture: v.optional(v.nullable(picture)),
})

export const SetAvailableByLinkCommand = v.object({ id, type: v.literal('setAvailableByLink'), conv: id, on: v.boolean() })

/** Joins the conversation whose link carries `token`; the accepted result names the conversation. */
export const JoinByLinkCommand = v.object({ id, type: v.literal('joinByLink'), token: v.pipe(v.string(), v.regex(ID_PATTERN)) })

type Ids<T, K extends keyof T = never> = Omit<T, 'id' | 'conv' | K> & { id: CommandId; conv: ConvId }
export type AddMembersCommand = Ids<v.InferOutput<typeof AddMembersCommand>, 'members'> & { members: UserId[] }
export type RemoveMemberCommand = Ids<v.InferOutput<typeof RemoveMemberCommand>, 'member'> & { member: UserId }
export type LeaveConversationCommand = Ids<v.InferOutput<typeof LeaveConversationCommand>>
export type UpdateConversationCommand = Ids<v.InferOutput<typeof UpdateConversationCommand>>
export type SetAvailableByLinkCommand = Ids<v.InferOutput<typeof SetAvailableByLinkCommand>>
export type JoinByLinkCommand = Omit<v.InferOutput<typeof JoinByLinkCommand>, 'id'> & { id: CommandId }
