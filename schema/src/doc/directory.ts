import * as v from 'valibot'
import type * as Y from 'yjs'
import type { ContactId, ServiceId, UserId } from '../ids.ts'
import { ID_PATTERN } from '../ids.ts'
import type { TxOrigin } from '../origins.ts'

/**
 * The workspace directory (`ws/{ws}/directory`): colleagues, services, the shared phonebook,
 * and the external people (guests) who were added to a conversation, so every member can show
 * their names. Written by the server and admins only.
 */
const COLLEAGUES = 'colleagues'
const GUESTS = 'guests'
const SERVICES = 'services'
const PHONEBOOK = 'phonebook'

const text = (max: number) => v.pipe(v.string(), v.maxLength(max))

const ColleagueSchema = v.object({
  name: text(200),
  email: text(320),
  title: v.optional(text(200)),
  phone: v.optional(text(40)),
  extension: v.optional(text(20)),
})
export type Colleague = v.InferOutput<typeof ColleagueSchema>

const ServiceSchema = v.object({
  name: text(200),
  number: v.optional(text(40)),
  members: v.array(v.pipe(v.string(), v.regex(ID_PATTERN))),
})
export type Service = Omit<v.InferOutput<typeof ServiceSchema>, 'members'> & { members: UserId[] }

const ContactSchema = v.object({
  name: text(200),
  company: v.optional(text(200)),
  email: v.optional(text(320)),
  phones: v.array(text(40)),
})
export type Contact = v.InferOutput<typeof ContactSchema>

const GuestSchema = v.object({
  name: text(200),
  email: text(320),
  company: v.optional(text(200)),
})
export type Guest = v.InferOutput<typeof GuestSchema>

function readAll<K extends string, T>(doc: Y.Doc, name: string, schema: v.GenericSchema<unknown, T>): Map<K, T> {
  const out = new Map<K, T>()
  for (const [key, value] of doc.getMap<unknown>(name).entries()) {
    const r = v.safeParse(schema, value)
    if (r.success) out.set(key as K, r.output)
  }
  return out
}

export const readColleagues = (doc: Y.Doc) => readAll<UserId, Colleague>(doc, COLLEAGUES, ColleagueSchema)
export const readServices = (doc: Y.Doc) => readAll<ServiceId, v.InferOutput<typeof ServiceSchema>>(doc, SERVICES, ServiceSchema) as Map<ServiceId, Service>
export const readPhonebook = (doc: Y.Doc) => readAll<ContactId, Contact>(doc, PHONEBOOK, ContactSchema)
export const readGuests = (doc: Y.Doc) => readAll<UserId, Guest>(doc, GUESTS, GuestSchema)

export function writeColleague(doc: Y.Doc, id: UserId, colleague: Colleague, origin: TxOrigin): void {
  doc.transact(() => doc.getMap<unknown>(COLLEAGUES).set(id, colleague), origin)
}
export function writeService(doc: Y.Doc, id: ServiceId, service: Service, origin: TxOrigin): void {
  doc.transact(() => doc.getMap<unknown>(SERVICES).set(id, service), origin)
}
export function writeContact(doc: Y.Doc, id: ContactId, contact: Contact, origin: TxOrigin): void {
  doc.transact(() => doc.getMap<unknown>(PHONEBOOK).set(id, contact), origin)
}
export function writeGuest(doc: Y.Doc, id: UserId, guest: Guest, origin: TxOrigin): void {
  doc.transact(() => doc.getMap<unknown>(GUESTS).set(id, guest), origin)
}
