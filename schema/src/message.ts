import * as v from 'valibot'
import { SystemEventSchema } from './systemEvent.ts'
import { ID_PATTERN, type ConvId, type MessageId, type UserId } from './ids.ts'

/** Product limits that both the form and the relay enforce. */
export const Limits = {
  messageTextLength: 10_000,
  attachmentsPerMessage: 20,
  /** Largest attachment (bytes); the relay's default `maxFileBytes`. */
  fileBytes: 25 * 1024 * 1024,
  attachmentNameLength: 255,
  statusMessageLength: 100,
  membersPerConversation: 1000,
  titleLength: 200,
  descriptionLength: 2000,
} as const

const id = v.pipe(v.string(), v.regex(ID_PATTERN))
const time = v.pipe(v.number(), v.integer(), v.minValue(0))

export const AttachmentRefSchema = v.object({
  id,
  name: v.pipe(v.string(), v.minLength(1), v.maxLength(Limits.attachmentNameLength)),
  size: v.pipe(v.number(), v.integer(), v.minValue(0)),
  type: v.pipe(v.string(), v.maxLength(255)),
})
export type AttachmentRef = v.InferOutput<typeof AttachmentRefSchema>

/** A message as stored in a segment document (one plain JSON value per message id). */
export const LiveMessageSchema = v.object({
  id,
  author: id,
  time,
  text: v.pipe(v.string(), v.maxLength(Limits.messageTextLength)),
  replyTo: v.optional(id),
  editedAt: v.optional(time),
  attachments: v.optional(v.pipe(v.array(AttachmentRefSchema), v.maxLength(Limits.attachmentsPerMessage))),
  /** Members mentioned with `@` (their inbox marks the unread conversation). */
  mentions: v.optional(v.pipe(v.array(id), v.maxLength(Limits.membersPerConversation))),
  /** Set on a forwarded copy: who wrote the original, where and when. */
  forwarded: v.optional(v.object({ author: id, conv: v.optional(id), time })),
  /** Set on a message the relay wrote about a membership change (see systemEvent.ts). */
  system: v.optional(SystemEventSchema),
})

/**
 * A deleted message keeps author and time (so the list can say "deleted" in place) but drops
 * the content, so Yjs garbage-collects the text.
 */
export const DeletedMessageSchema = v.object({
  id,
  author: id,
  time,
  deleted: v.literal(true),
  deletedAt: time,
})

export const StoredMessageSchema = v.union([DeletedMessageSchema, LiveMessageSchema])

type Branded<T> = Omit<T, 'id' | 'author' | 'replyTo' | 'mentions' | 'forwarded'> & { id: MessageId; author: UserId }
/** Where a forwarded copy came from. */
export interface ForwardedFrom { author: UserId; conv?: ConvId; time: number }
export type LiveMessage = Branded<v.InferOutput<typeof LiveMessageSchema>> & { replyTo?: MessageId; mentions?: UserId[]; forwarded?: ForwardedFrom }
export type DeletedMessage = Branded<v.InferOutput<typeof DeletedMessageSchema>>
export type StoredMessage = LiveMessage | DeletedMessage

export function isDeleted(m: StoredMessage): m is DeletedMessage {
  return 'deleted' in m
}

/** Validates a value read from a document; `null` when it is not a well-formed message. */
export function parseStoredMessage(value: unknown): StoredMessage | null {
  const r = v.safeParse(StoredMessageSchema, value)
  return r.success ? (r.output as StoredMessage) : null
}
