import * as v from 'valibot'
import type * as Y from 'yjs'
import { ID_PATTERN, type UserId } from '../ids.ts'
import { Limits } from '../message.ts'
import type { TxOrigin } from '../origins.ts'
import { kvGet, kvWrite } from './kv.ts'

/**
 * A user's presence document (`user/{user}/presence`): the chosen status and its message, the
 * automatic status (conference, calendar event) that overrides it while it lasts, and when the
 * user was last seen (written by the relay when the user's last device goes away). Online-ness
 * itself is not stored: it is the awareness of this document (one state per device, see
 * {@link PresenceAwarenessSchema}).
 */
export const PresenceLayout = { array: 'presence', status: 'status', auto: 'auto', lastSeen: 'lastSeen' } as const
const { array: PRESENCE, status: STATUS, auto: AUTO, lastSeen: LAST_SEEN } = PresenceLayout

export const Availability = ['available', 'away', 'busy'] as const
export type Availability = (typeof Availability)[number]

/** Characters as a person sees them (grapheme clusters), so an emoji counts as one. */
export function visibleLength(text: string): number {
  const Segmenter = (Intl as { Segmenter?: typeof Intl.Segmenter }).Segmenter
  if (Segmenter === undefined) return [...text].length
  let n = 0
  for (const _ of new Segmenter(undefined, { granularity: 'grapheme' }).segment(text)) n++
  return n
}

/** A status message: at most 100 characters as a person counts them. */
export const StatusMessageSchema = v.pipe(
  v.string(),
  v.maxLength(Limits.statusMessageLength * 16),
  v.check((s) => visibleLength(s) <= Limits.statusMessageLength, `A status message is at most ${Limits.statusMessageLength} characters`),
)

export const StatusSchema = v.object({
  availability: v.picklist(Availability),
  message: v.optional(StatusMessageSchema),
  emoji: v.optional(v.pipe(v.string(), v.maxLength(32))),
  clearAt: v.optional(v.number()),
  updatedAt: v.number(),
  updatedBy: v.pipe(v.string(), v.regex(ID_PATTERN)),
})
export type Status = Omit<v.InferOutput<typeof StatusSchema>, 'updatedBy'> & { updatedBy: UserId }

const parseStatus = (x: unknown): Status | null => {
  const r = v.safeParse(StatusSchema, x)
  return r.success ? (r.output as Status) : null
}

export function readStatus(doc: Y.Doc): Status | undefined {
  return kvGet(doc, PRESENCE, STATUS, parseStatus)
}

export function writeStatus(doc: Y.Doc, status: Status, origin: TxOrigin): void {
  const checked = v.parse(StatusSchema, status)
  kvWrite<Status>(doc, PRESENCE, origin, (set) => set(STATUS, checked as Status))
}

/**
 * A status the app sets by itself while something lasts: a conference ("in conference | until
 * 14:00") or a calendar event. It overrides the chosen status from `startedAt` until `until`
 * (or until it is cleared); the chosen status is not changed by it.
 */
export const AutoStatusSchema = v.object({
  kind: v.picklist(['conference', 'calendar']),
  label: StatusMessageSchema,
  availability: v.picklist(Availability),
  startedAt: v.number(),
  until: v.optional(v.number()),
})
export type AutoStatus = v.InferOutput<typeof AutoStatusSchema>

const parseAuto = (x: unknown): AutoStatus | null => {
  const r = v.safeParse(AutoStatusSchema, x)
  return r.success ? r.output : null
}

export function readAutoStatus(doc: Y.Doc): AutoStatus | undefined {
  return kvGet(doc, PRESENCE, AUTO, parseAuto)
}

/** Sets (or, with null, ends) the automatic status. */
export function writeAutoStatus(doc: Y.Doc, auto: AutoStatus | null, origin: TxOrigin): void {
  const checked = auto === null ? null : v.parse(AutoStatusSchema, auto)
  kvWrite<AutoStatus>(doc, PRESENCE, origin, (set, del) => (checked === null ? del(AUTO) : set(AUTO, checked)))
}

const parseTime = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) && x >= 0 ? x : null)

/** When the user was last active on a device that has since gone away (written by the relay). */
export function readLastSeen(doc: Y.Doc): number | undefined {
  return kvGet(doc, PRESENCE, LAST_SEEN, parseTime)
}

export function writeLastSeen(doc: Y.Doc, time: number, origin: TxOrigin): void {
  kvWrite<number>(doc, PRESENCE, origin, (set) => set(LAST_SEEN, time))
}

/**
 * One device's awareness state in its user's presence document: whose device it is (set by
 * the relay from the session) and when the user last used it (pointer, keys, focus; ms epoch).
 */
export const PresenceAwarenessSchema = v.object({
  user: v.pipe(v.string(), v.regex(ID_PATTERN)),
  lastActive: v.number(),
})
export type PresenceAwareness = Omit<v.InferOutput<typeof PresenceAwarenessSchema>, 'user'> & { user: UserId }
