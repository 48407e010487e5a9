import * as v from 'valibot'
import type * as Y from 'yjs'
import { ID_PATTERN, type ConvId, type UserId } from '../ids.ts'
import { Limits } from '../message.ts'
import { PICTURE_MAX_BYTES } from '../groupCommands.ts'
import type { TxOrigin } from '../origins.ts'
import { mapKeysDeletedBy } from './integrated.ts'

/**
 * Conversation metadata (`conv/{conv}/meta`). Written by the server from commands; members
 * are a read-only projection of the server's membership table (ARCHITECTURE §2, §3).
 */
const INFO = 'info'
const MEMBERS = 'members'
const SEGMENTS = 'segments'

const ConvInfoSchema = v.object({
  id: v.pipe(v.string(), v.regex(ID_PATTERN)),
  kind: v.picklist(['direct', 'group']),
  title: v.pipe(v.string(), v.maxLength(Limits.titleLength)),
  description: v.optional(v.pipe(v.string(), v.maxLength(Limits.descriptionLength))),
  createdBy: v.pipe(v.string(), v.regex(ID_PATTERN)),
  createdAt: v.number(),
  readOnly: v.boolean(),
  byLink: v.boolean(),
  /** A small data URL image (groupCommands.ts bounds it). */
  picture: v.optional(v.pipe(v.string(), v.maxLength(PICTURE_MAX_BYTES))),
  /** The join link's token while `byLink` is on; members only read this document. */
  linkToken: v.optional(v.pipe(v.string(), v.regex(ID_PATTERN))),
})
export type ConvInfo = Omit<v.InferOutput<typeof ConvInfoSchema>, 'id' | 'createdBy'> & { id: ConvId; createdBy: UserId }

const MemberSchema = v.object({
  role: v.picklist(['owner', 'member', 'guest']),
  readOnly: v.boolean(),
  /** The first segment this member may read ("hide history" starts a new segment). */
  firstSegment: v.pipe(v.number(), v.integer(), v.minValue(0)),
  addedAt: v.number(),
})
export type ConvMember = v.InferOutput<typeof MemberSchema>

const SegmentInfoSchema = v.object({ startedAt: v.number() })
export type SegmentInfo = v.InferOutput<typeof SegmentInfoSchema>

function parse<T>(schema: v.GenericSchema<unknown, T>, value: unknown): T | null {
  const r = v.safeParse(schema, value)
  return r.success ? r.output : null
}

export function writeConvInfo(doc: Y.Doc, info: ConvInfo, origin: TxOrigin): void {
  doc.transact(() => {
    const map = doc.getMap<unknown>(INFO)
    for (const [key, value] of Object.entries(info)) map.set(key, value)
  }, origin)
}

/** Changes some fields of the info; `undefined` removes an optional one (description, picture, link). */
export function updateConvInfo(doc: Y.Doc, patch: Partial<Omit<ConvInfo, 'id' | 'kind' | 'createdBy' | 'createdAt'>>, origin: TxOrigin): void {
  doc.transact(() => {
    const map = doc.getMap<unknown>(INFO)
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) map.delete(key)
      else map.set(key, value)
    }
  }, origin)
}

export function readConvInfo(doc: Y.Doc): ConvInfo | null {
  return parse(ConvInfoSchema, doc.getMap<unknown>(INFO).toJSON()) as ConvInfo | null
}

export function writeMember(doc: Y.Doc, user: UserId, member: ConvMember | null, origin: TxOrigin): void {
  doc.transact(() => {
    const map = doc.getMap<unknown>(MEMBERS)
    if (member === null) map.delete(user)
    else map.set(user, member)
  }, origin)
}

export function readMembers(doc: Y.Doc): Map<UserId, ConvMember> {
  const out = new Map<UserId, ConvMember>()
  for (const [user, value] of doc.getMap<unknown>(MEMBERS).entries()) {
    const m = parse(MemberSchema, value)
    if (m !== null) out.set(user as UserId, m)
  }
  return out
}

/**
 * Users whose membership `update` removed from the member list (and not re-added), given a
 * replica it has been applied to: how the relay learns whose inbox entry to drop.
 */
export function membersRemovedBy(update: Uint8Array, doc: Y.Doc): UserId[] {
  const members = doc.getMap<unknown>(MEMBERS)
  return mapKeysDeletedBy(update, doc, members).filter((user) => !members.has(user)) as UserId[]
}

export function startSegment(doc: Y.Doc, segment: number, startedAt: number, origin: TxOrigin): void {
  doc.transact(() => doc.getMap<unknown>(SEGMENTS).set(String(segment), { startedAt }), origin)
}

/** Segment numbers in ascending order. */
export function readSegments(doc: Y.Doc): number[] {
  const out: number[] = []
  for (const [key, value] of doc.getMap<unknown>(SEGMENTS).entries()) {
    if (/^\d+$/.test(key) && parse(SegmentInfoSchema, value) !== null) out.push(Number(key))
  }
  return out.sort((a, b) => a - b)
}

export function currentSegment(doc: Y.Doc): number {
  return readSegments(doc).at(-1) ?? 0
}
