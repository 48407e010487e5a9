import * as v from 'valibot'
import { ID_PATTERN, type UserId } from './ids.ts'

/**
 * What a system message records (issue 4): written by the relay into the conversation's
 * current segment when the membership changes. `actor` did it; `users` are who it happened to
 * (for `created`, `joined` and `left`: empty or the actor).
 */
export const SystemEventKind = ['created', 'added', 'joined', 'left', 'removed'] as const
export type SystemEventKind = (typeof SystemEventKind)[number]

const id = v.pipe(v.string(), v.regex(ID_PATTERN))

export const SystemEventSchema = v.object({
  event: v.picklist(SystemEventKind),
  actor: id,
  // Limits.membersPerConversation; not imported, as message.ts imports this module.
  users: v.pipe(v.array(id), v.maxLength(1000)),
})

export interface SystemEvent {
  event: SystemEventKind
  actor: UserId
  users: UserId[]
}
