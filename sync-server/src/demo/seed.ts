import {
  Origin, appendMessage, directConvId, docName, markRead, markSeen, newMessageId, startSegment, writeColleague, writeContact, writeConvInfo,
  writeMember, writeService,
  type ContactId, type ConvId, type NewMessage, type ServiceId, type UserId, type WorkspaceId,
} from '@waggle/schema'
import type { InboxProjector } from '../projection/InboxProjector.ts'
import type { DocHub } from '../relay/DocHub.ts'
import type { AccountStore, UserRecord } from '../storage/AccountStore.ts'
import { FIELD_REPORTS, fieldReport } from './fieldReports.ts'

export const DEMO_WORKSPACE = 'demo' as WorkspaceId

const people: [id: string, name: string, title: string, ext: string][] = [
  ['anna', 'Anna Rossi', 'Sales Manager', '201'],
  ['marco', 'Marco Bianchi', 'Account Executive', '202'],
  ['lena', 'Lena Fischer', 'Support Lead', '301'],
  ['tom', 'Tom Baker', 'Support Engineer', '302'],
  ['sofia', 'Sofia García', 'Support Engineer', '303'],
  ['luca', 'Luca Romano', 'Field Technician', '401'],
  ['claire', 'Claire Dubois', 'Office Manager', '100'],
  ['jonas', 'Jonas Weber', 'CTO', '500'],
  ['priya', 'Priya Shah', 'Product Manager', '501'],
  ['diego', 'Diego Martín', 'Sales Development', '203'],
  ['emma', 'Emma Wilson', 'Marketing', '601'],
  ['noah', 'Noah Keller', 'Field Technician', '402'],
]

export const demoEmail = (id: string): string => `${id}@example.com`

/** The relay to seed: its hub, and its projector, whose work seeding waits for. */
export interface SeedTarget {
  hub: DocHub
  projector: Pick<InboxProjector, 'flush'>
}

export interface SeedOptions {
  /**
   * Seed the 10,000-message "Field reports" conversation (default true). Relay tests that do
   * not need it leave it out: it is most of the seeding time.
   */
  fieldReports?: boolean
}

interface SeedConversation {
  id: string
  kind: 'direct' | 'group'
  title: string
  description?: string
  members: string[]
  readOnlyMembers?: string[]
  lines: [author: string, text: string][]
}

const conversations: SeedConversation[] = [
  {
    id: 'sales-team', kind: 'group', title: 'Sales team', description: 'Pipeline, deals and follow-ups',
    members: ['anna', 'marco', 'diego', 'emma', 'priya'],
    lines: [
      ['anna', 'Good morning! Pipeline review at 10:00 today.'],
      ['marco', 'I will bring the numbers for the Verona account.'],
      ['diego', 'Three new leads from the trade fair, adding them to the CRM now.'],
      ['emma', 'The new brochure is ready, link in the shared drive.'],
      ['anna', 'Great work everyone. Marco, can you call Müller GmbH back this afternoon?'],
      ['marco', 'Sure, I have them on my list for 15:00.'],
      ['priya', 'Reminder: the pricing change goes live on Monday.'],
      ['diego', 'Got it. Should we tell existing customers before then?'],
      ['anna', 'Yes, Emma is preparing the email.'],
    ],
  },
  {
    id: 'support', kind: 'group', title: 'Support escalations', description: 'Tickets that need a second pair of eyes',
    members: ['lena', 'tom', 'sofia', 'luca', 'noah', 'jonas'],
    lines: [
      ['lena', 'Ticket 4711: customer reports one-way audio after the firmware update.'],
      ['tom', 'Looks like a NAT issue. I will check the SIP trace.'],
      ['sofia', 'Same symptom at the Lyon office yesterday; it was the firewall ALG.'],
      ['luca', 'I am on site in Bergamo tomorrow, I can check their router.'],
      ['lena', 'Thanks Luca. Noah, can you take the new install in Munich?'],
      ['noah', 'Yes, I will be there at 9.'],
    ],
  },
  {
    id: 'announcements', kind: 'group', title: 'Company announcements', description: 'News for everyone',
    members: people.map(([id]) => id), readOnlyMembers: people.map(([id]) => id).filter((id) => id !== 'claire' && id !== 'jonas'),
    lines: [
      ['claire', 'Welcome to Waggle! This is where we share company news.'],
      ['jonas', 'The office network upgrade is planned for Saturday; expect a short outage.'],
      ['claire', 'Friday lunch is on us this week. 🍕'],
    ],
  },
  {
    id: directConvId('anna' as UserId, 'marco' as UserId), kind: 'direct', title: '', members: ['anna', 'marco'],
    lines: [
      ['marco', 'Hi Anna, do you have a minute for the Verona offer?'],
      ['anna', 'Sure, call me after lunch.'],
      ['marco', 'Perfect, thanks!'],
    ],
  },
]

/**
 * Demo users who start with the newest messages of a conversation unread; everyone else has
 * read every conversation to its latest message, so a fresh demo is not all unread. The newest
 * messages left unread are others' (the app counts nothing before a person's own message).
 */
export const DEMO_UNREAD: readonly { user: string; conv: string; messages: number }[] = [
  { user: 'anna', conv: directConvId('anna' as UserId, 'marco' as UserId), messages: 1 },
  { user: 'anna', conv: 'announcements', messages: 2 },
  { user: 'marco', conv: 'sales-team', messages: 2 },
  { user: 'lena', conv: FIELD_REPORTS.id, messages: 3 },
]

/** A seeded conversation's members and messages (in order), for the read state. */
interface SeededConversation {
  id: ConvId
  members: UserId[]
  messages: readonly NewMessage[]
}

/**
 * On an empty installation in demo mode: a workspace with a dozen colleagues, services, a
 * phonebook, a few conversations with history and one with 10,000 messages in two segments,
 * read by their members except for {@link DEMO_UNREAD}.
 * Resolves once every member's inbox lists their conversations. Returns false when there was
 * data already.
 */
export async function seedDemo(accounts: AccountStore, target: SeedTarget, now: number = Date.now(), options: SeedOptions = {}): Promise<boolean> {
  const { hub } = target
  if ((await accounts.workspaceCount()) > 0) return false
  await accounts.createWorkspace({ id: DEMO_WORKSPACE, name: 'Waggle Demo', createdAt: now })
  for (const [id, name] of people) {
    const user: UserRecord = {
      id: id as UserId, workspaceId: DEMO_WORKSPACE, email: demoEmail(id), name,
      role: id === 'claire' || id === 'jonas' ? 'admin' : 'member',
      canModifyPresence: id === 'claire', createdAt: now,
    }
    await accounts.createUser(user)
  }
  await hub.change(docName.directory(DEMO_WORKSPACE), (doc) => {
    for (const [id, name, title, ext] of people) {
      writeColleague(doc, id as UserId, { name, email: demoEmail(id), title, extension: ext, phone: `+39 045 555 0${ext}` }, Origin.seed)
    }
    writeService(doc, 'sales' as ServiceId, { name: 'Sales', number: '+39 045 555 0200', members: ['anna', 'marco', 'diego'] as UserId[] }, Origin.seed)
    writeService(doc, 'support' as ServiceId, { name: 'Support', number: '+39 045 555 0300', members: ['lena', 'tom', 'sofia'] as UserId[] }, Origin.seed)
    writeService(doc, 'reception' as ServiceId, { name: 'Reception', number: '+39 045 555 0100', members: ['claire'] as UserId[] }, Origin.seed)
    const contacts: [string, string, string, string][] = [
      ['mueller', 'Hans Müller', 'Müller GmbH', '+49 89 1234567'],
      ['verona', 'Giulia Conti', 'Verona Logistica', '+39 045 8001234'],
      ['lyon', 'Pierre Martin', 'Lyon Hôtels', '+33 4 72 00 11 22'],
      ['acme', 'John Smith', 'Acme Ltd', '+44 20 7946 0018'],
      ['madrid', 'Carmen López', 'Madrid Clínicas', '+34 91 123 45 67'],
      ['bergamo', 'Paolo Ferri', 'Ferri Costruzioni', '+39 035 221100'],
    ]
    for (const [id, name, company, phone] of contacts) {
      writeContact(doc, id as ContactId, { name, company, phones: [phone], email: `${id}@customer.example.com` }, Origin.seed)
    }
  }, Origin.seed)
  const seeded: SeededConversation[] = []
  if (options.fieldReports ?? true) seeded.push(await seedFieldReports(accounts, hub, now))
  for (const [index, conv] of conversations.entries()) seeded.push(await seedConversation(accounts, hub, conv, now - (conversations.length - index) * 3600_000))
  await seedReadState(hub, seeded)
  // The inboxes are written by the projector, reacting to the meta and segment writes above.
  await target.projector.flush()
  return true
}

/** Membership rows and the meta document of one seeded conversation. */
async function seedMeta(accounts: AccountStore, hub: DocHub, conv: SeedConversation, start: number, segmentStarts: number[]): Promise<void> {
  const id = conv.id as ConvId
  const createdBy = conv.members[0] as UserId
  await accounts.createConversation({ id, workspaceId: DEMO_WORKSPACE, kind: conv.kind, createdBy, createdAt: start })
  const readOnly = new Set(conv.readOnlyMembers ?? [])
  for (const [i, user] of conv.members.entries()) {
    const member = { role: i === 0 ? ('owner' as const) : ('member' as const), readOnly: readOnly.has(user), firstSegment: 0, addedAt: start }
    await accounts.putConversationMember({ conv: id, user: user as UserId, ...member })
  }
  await hub.change(docName.convMeta(id), (doc) => {
    writeConvInfo(doc, {
      id, kind: conv.kind, title: conv.title, createdBy, createdAt: start, readOnly: readOnly.size > 0, byLink: false,
      ...(conv.description === undefined ? {} : { description: conv.description }),
    }, Origin.seed)
    for (const [i, user] of conv.members.entries()) {
      writeMember(doc, user as UserId, { role: i === 0 ? 'owner' : 'member', readOnly: readOnly.has(user), firstSegment: 0, addedAt: start }, Origin.seed)
    }
    for (const [segment, startedAt] of segmentStarts.entries()) startSegment(doc, segment, startedAt, Origin.seed)
  }, Origin.seed)
}

/** One segment's messages in one write, so even thousands of them seed quickly. */
async function seedSegment(hub: DocHub, conv: ConvId, segment: number, messages: readonly NewMessage[]): Promise<void> {
  await hub.change(docName.segment(conv, segment), (doc) => {
    for (const message of messages) appendMessage(doc, message, Origin.seed)
  }, Origin.seed)
}

async function seedConversation(accounts: AccountStore, hub: DocHub, conv: SeedConversation, start: number): Promise<SeededConversation> {
  await seedMeta(accounts, hub, conv, start, [start])
  const messages = conv.lines.map(([author, text], i): NewMessage => {
    const time = start + i * 4 * 60_000
    return { id: newMessageId(time), author: author as UserId, time, text }
  })
  await seedSegment(hub, conv.id as ConvId, 0, messages)
  return { id: conv.id as ConvId, members: conv.members as UserId[], messages }
}

/**
 * Pure: the message `user` has read up to in `conv` at the start of the demo: the latest one,
 * or the one before the {@link DEMO_UNREAD} messages left unread; none when all are unread.
 */
function seededReadPosition(conv: SeededConversation, user: UserId): NewMessage | undefined {
  const unread = DEMO_UNREAD.find((u) => u.user === user && u.conv === conv.id)?.messages ?? 0
  return conv.messages[conv.messages.length - 1 - unread]
}

/**
 * Each member's read position (their private document, which decides what the app shows as
 * unread) and receipt (the conversation's receipts, "Seen by …"), both at the same message,
 * written once per document.
 */
async function seedReadState(hub: DocHub, seeded: readonly SeededConversation[]): Promise<void> {
  const positions = new Map<UserId, [ConvId, NewMessage][]>()
  for (const conv of seeded) {
    const read = conv.members.flatMap((user): [UserId, NewMessage][] => {
      const at = seededReadPosition(conv, user)
      return at === undefined ? [] : [[user, at]]
    })
    await hub.change(docName.receipts(conv.id), (doc) => {
      for (const [user, at] of read) markSeen(doc, user, at.id, at.time, Origin.seed)
    }, Origin.seed)
    for (const [user, at] of read) positions.set(user, [...(positions.get(user) ?? []), [conv.id, at]])
  }
  for (const [user, read] of positions) {
    await hub.change(docName.private(user), (doc) => {
      for (const [conv, at] of read) markRead(doc, conv, at.id, Origin.seed)
    }, Origin.seed)
  }
}

/** The long conversation: its last report five hours ago, one every five minutes before that. */
async function seedFieldReports(accounts: AccountStore, hub: DocHub, now: number): Promise<SeededConversation> {
  const { perSegment, segments, intervalMs } = FIELD_REPORTS
  const start = now - (perSegment * segments - 1) * intervalMs - 5 * 3600_000
  const { id, title, description, members } = FIELD_REPORTS
  const conv: SeedConversation = { id, kind: 'group', title, description, members: [...members], lines: [] }
  const firsts = Array.from({ length: segments }, (_, segment) => fieldReport(segment * perSegment, start))
  await seedMeta(accounts, hub, conv, start, firsts.map((m) => m.time))
  const all: NewMessage[] = []
  for (let segment = 0; segment < segments; segment++) {
    const messages = Array.from({ length: perSegment }, (_, i) => fieldReport(segment * perSegment + i, start))
    await seedSegment(hub, conv.id as ConvId, segment, messages)
    all.push(...messages)
  }
  return { id: conv.id as ConvId, members: conv.members as UserId[], messages: all }
}
