import * as v from 'valibot'
import type * as Y from 'yjs'
import { ID_PATTERN, type UserId } from '../ids.ts'
import { Limits } from '../message.ts'
import type { TxOrigin } from '../origins.ts'
import { kvGet, kvWrite } from './kv.ts'

/** A user's presence document (`user/{user}/presence`): the chosen status and its message. */
const PRESENCE = 'presence'
const STATUS = 'status'

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

export const StatusSchema = v.object({
  availability: v.picklist(Availability),
  message: v.optional(v.pipe(v.string(), v.check((s) => visibleLength(s) <= Limits.statusMessageLength, `A status message is at most ${Limits.statusMessageLength} characters`))),
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
