import {
  directConvId, docName, inboxEntries, isDeleted, listMessages, readColleagues, readConvInfo, readMembers, readPhonebook, readPositions,
  readSegments, readServices, receipts, timeOfId,
  type ConvId, type DemoAccount, type DocName, type MessageId, type StoredMessage, type UserId,
} from '@waggle/schema'
import { afterEach, describe, expect, it } from 'vitest'
import { silentLogger } from '../config.ts'
import type { DocSubscriber, LoadedDoc } from '../relay/DocHub.ts'
import { createServer, type WaggleServer } from '../server.ts'
import { MemoryAccountStore } from '../storage/MemoryAccountStore.ts'
import { MemoryPersistence } from '../storage/MemoryPersistence.ts'
import { FIELD_REPORTS, fieldReport } from './fieldReports.ts'
import { DEMO_WORKSPACE, demoEmail, seedDemo } from './seed.ts'

const NOW = Date.parse('2025-03-03T08:00:00Z')
const SALES = 'sales-team' as ConvId
const FIELD = FIELD_REPORTS.id as ConvId

const servers: WaggleServer[] = []
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close()
})

function relay(persistence: MemoryPersistence, accounts: MemoryAccountStore): WaggleServer {
  const server = createServer({ persistence, accounts, config: { demo: true }, logger: silentLogger })
  servers.push(server)
  return server
}

type Stores = { persistence: MemoryPersistence; accounts: MemoryAccountStore }

/** Seeds on one relay, then closes it, so reads come from storage rather than its memory. */
async function seed(): Promise<Stores> {
  const stores = { persistence: new MemoryPersistence(), accounts: new MemoryAccountStore() }
  const seeder = createServer({ ...stores, config: { demo: true }, logger: silentLogger })
  expect(await seedDemo(stores.accounts, seeder, NOW)).toBe(true)
  await seeder.close()
  return stores
}

let shared: Promise<Stores> | null = null
/** One seeded installation for the tests that only read it (seeding 10,000 messages takes a while). */
const seededStorage = (): Promise<Stores> => (shared ??= seed())

const idle: DocSubscriber = { onUpdate: () => {}, onAwareness: () => {} }

/** Loads `name` the way a connection would; the subscription ends with the server. */
const open = (server: WaggleServer, name: DocName): Promise<LoadedDoc> => server.hub.subscribe(name, idle)

describe('seedDemo', () => {
  it('creates the twelve demo users, listed with names and emails on /api/demo', async () => {
    const { persistence, accounts } = await seededStorage()
    const users = await accounts.usersOf(DEMO_WORKSPACE)
    expect(users).toHaveLength(12)

    const res = await relay(persistence, accounts).app.request('/api/demo')
    expect(res.status).toBe(200)
    const listed = (await res.json()) as DemoAccount[]
    expect(listed).toHaveLength(12)
    expect(listed).toContainEqual({ name: 'Anna Rossi', email: 'anna@example.com' })
    for (const account of listed) {
      expect(account.name.length).toBeGreaterThan(0)
      expect(account.email).toMatch(/^[a-z]+@example\.com$/)
    }
    expect(new Set(listed.map((a) => a.email)).size).toBe(12)
  })

  it('gives admin rights to Claire and Jonas only', async () => {
    const { accounts } = await seededStorage()
    const admins = (await accounts.usersOf(DEMO_WORKSPACE)).filter((u) => u.role === 'admin').map((u) => u.id)
    expect(admins.sort()).toEqual(['claire', 'jonas'])
  })

  it('does nothing when the installation already has data', async () => {
    const { persistence, accounts } = await seededStorage()
    const server = relay(persistence, accounts)
    const directory = docName.directory(DEMO_WORKSPACE)
    const logBefore = await persistence.logLength(directory)

    expect(await seedDemo(accounts, server, NOW + 1000)).toBe(false)
    expect(await accounts.usersOf(DEMO_WORKSPACE)).toHaveLength(12)
    expect(await accounts.workspaceCount()).toBe(1)
    expect(await persistence.logLength(directory)).toBe(logBefore)
  })

  it('stores a directory of 12 colleagues, 3 services and a phonebook', async () => {
    const { persistence, accounts } = await seededStorage()
    const { doc } = await open(relay(persistence, accounts), docName.directory(DEMO_WORKSPACE))

    const colleagues = readColleagues(doc)
    expect(colleagues.size).toBe(12)
    expect(colleagues.get('anna' as UserId)).toMatchObject({ name: 'Anna Rossi', email: 'anna@example.com', extension: '201' })
    // The directory agrees with the accounts it describes.
    for (const user of await accounts.usersOf(DEMO_WORKSPACE)) {
      expect(colleagues.get(user.id)).toMatchObject({ name: user.name, email: demoEmail(user.id) })
    }

    const services = readServices(doc)
    expect([...services.keys()].sort()).toEqual(['reception', 'sales', 'support'])
    for (const service of services.values()) {
      expect(service.members.length).toBeGreaterThan(0)
      for (const member of service.members) expect(colleagues.has(member)).toBe(true)
    }

    const phonebook = readPhonebook(doc)
    expect(phonebook.size).toBeGreaterThan(0)
    for (const contact of phonebook.values()) {
      expect(contact.name.length).toBeGreaterThan(0)
      expect(contact.phones.length).toBeGreaterThan(0)
    }
  })

  it('stores the sales team conversation with its members and a history in time order', async () => {
    const { persistence, accounts } = await seededStorage()
    const server = relay(persistence, accounts)
    const meta = (await open(server, docName.convMeta(SALES))).doc
    const segment = (await open(server, docName.segment(SALES, 0))).doc

    expect(readConvInfo(meta)).toMatchObject({ id: SALES, kind: 'group', title: 'Sales team', createdBy: 'anna' })
    const members = readMembers(meta)
    expect([...members.keys()].sort()).toEqual(['anna', 'diego', 'emma', 'marco', 'priya'])
    expect(members.get('anna' as UserId)?.role).toBe('owner')
    // The document's member list is a projection of the server's membership table.
    const stored = await accounts.conversationMembers(SALES)
    expect(stored.map((m) => m.user).sort()).toEqual([...members.keys()].sort())

    const messages = listMessages(segment)
    expect(messages.length).toBeGreaterThan(1)
    expect(messages[0]).toMatchObject({ author: 'anna', text: 'Good morning! Pipeline review at 10:00 today.' })
    for (const [i, m] of messages.entries()) {
      expect(members.has(m.author)).toBe(true)
      expect(isDeleted(m)).toBe(false)
      expect(m.time).toBeLessThan(NOW)
      const previous = messages[i - 1]
      if (previous !== undefined) expect(m.time).toBeGreaterThan(previous.time)
    }
  })

  it('makes company announcements read-only for everyone but Claire and Jonas', async () => {
    const { accounts } = await seededStorage()
    const members = await accounts.conversationMembers('announcements' as ConvId)
    expect(members).toHaveLength(12)
    const writers = members.filter((m) => !m.readOnly).map((m) => m.user)
    expect(writers.sort()).toEqual(['claire', 'jonas'])
  })
  it('gives Anna and Marco the direct conversation that directConvId names, so a command from either finds it', async () => {
    const { accounts } = await seededStorage()
    const direct = await accounts.conversation(directConvId('marco' as UserId, 'anna' as UserId))
    expect(direct).toMatchObject({ kind: 'direct', createdBy: 'anna' })
    const members = await accounts.conversationMembers(directConvId('anna' as UserId, 'marco' as UserId))
    expect(members.map((m) => m.user).sort()).toEqual(['anna', 'marco'])
  })

  it('stores "Field reports" with 10,000 messages in two segments of 5,000, the same on every run', async () => {
    const { persistence, accounts } = await seededStorage()
    const server = relay(persistence, accounts)
    const meta = (await open(server, docName.convMeta(FIELD))).doc
    expect(readConvInfo(meta)).toMatchObject({ kind: 'group', title: 'Field reports', createdBy: 'luca' })
    expect([...readMembers(meta).keys()].sort()).toEqual(['lena', 'luca', 'noah', 'tom'])
    expect(readSegments(meta)).toEqual([0, 1])

    const first = listMessages((await open(server, docName.segment(FIELD, 0))).doc)
    const second = listMessages((await open(server, docName.segment(FIELD, 1))).doc)
    expect(first).toHaveLength(5_000)
    expect(second).toHaveLength(5_000)
    const all = [...first, ...second]
    for (const [i, m] of all.entries()) {
      const previous = all[i - 1]
      if (previous !== undefined) expect(m.id > previous.id && m.time > previous.time).toBe(true)
      expect(timeOfId(m.id)).toBe(m.time)
    }
    // Deterministic: every message follows from its index and the seeding time.
    const start = NOW - 9_999 * FIELD_REPORTS.intervalMs - 5 * 3600_000
    expect(first[0]).toEqual(fieldReport(0, start))
    expect(second[0]).toEqual(fieldReport(5_000, start))
    expect(second.at(-1)).toEqual(fieldReport(9_999, start))
  })

  it('lists every conversation in each member’s inbox with its last message as soon as seedDemo resolves', async () => {
    const stores = { persistence: new MemoryPersistence(), accounts: new MemoryAccountStore() }
    const server = relay(stores.persistence, stores.accounts)
    await seedDemo(stores.accounts, server, NOW)
    const hub = server.hub

    for (const user of await stores.accounts.usersOf(DEMO_WORKSPACE)) {
      const inbox = await hub.read(docName.inbox(user.id), inboxEntries)
      const convs = await stores.accounts.conversationsOf(user.id)
      expect([...inbox.keys()].sort()).toEqual([...convs].sort())
      for (const conv of convs) {
        const entry = inbox.get(conv)
        const info = await hub.read(docName.convMeta(conv), readConvInfo)
        const member = await stores.accounts.conversationMember(conv, user.id)
        const last = (await hub.read(docName.segment(conv, entry?.segment ?? 0), listMessages)).at(-1)
        expect(entry).toMatchObject({
          kind: info?.kind, title: info?.title, createdAt: info?.createdAt, readOnly: member?.readOnly, joinedAt: member?.addedAt,
          memberCount: (await stores.accounts.conversationMembers(conv)).length,
          last: { id: last?.id, author: last?.author, time: last?.time },
        })
      }
    }
    const luca = await hub.read(docName.inbox('luca' as UserId), inboxEntries)
    expect(luca.get(FIELD)).toMatchObject({ segment: 1, memberCount: 4, last: { preview: fieldReport(9_999, 0).text } })
    const anna = await hub.read(docName.inbox('anna' as UserId), inboxEntries)
    expect(anna.get(directConvId('anna' as UserId, 'marco' as UserId))).toMatchObject({
      kind: 'direct', title: '', members: ['anna', 'marco'], last: { author: 'marco', preview: 'Perfect, thanks!' },
    })
    expect(anna.get('announcements' as ConvId)).toMatchObject({ readOnly: true, memberCount: 12 })
  })

  it('starts every member read up to the latest message, but for the few newest messages the demo leaves unread', async () => {
    const { persistence, accounts } = await seededStorage()
    const server = relay(persistence, accounts)
    const direct = directConvId('anna' as UserId, 'marco' as UserId)
    /** Every message of `conv`, all segments, in order. */
    const messagesOf = async (conv: ConvId): Promise<StoredMessage[]> => {
      const segments = readSegments((await open(server, docName.convMeta(conv))).doc)
      const parts = await Promise.all(segments.map(async (n) => listMessages((await open(server, docName.segment(conv, n))).doc)))
      return parts.flat()
    }
    const leftUnread: Record<string, number> = { [`anna:${direct}`]: 1, 'anna:announcements': 2, [`marco:${SALES}`]: 2, [`lena:${FIELD}`]: 3 }
    const expectedUnread = (user: UserId, conv: ConvId): number => leftUnread[`${user}:${conv}`] ?? 0

    const checked: string[] = []
    for (const user of await accounts.usersOf(DEMO_WORKSPACE)) {
      const positions = readPositions((await open(server, docName.private(user.id))).doc)
      const convs = await accounts.conversationsOf(user.id)
      expect([...positions.keys()].sort()).toEqual([...convs].sort())
      for (const conv of convs) {
        const messages = await messagesOf(conv)
        const unread = expectedUnread(user.id, conv)
        const readUpTo = messages.at(-1 - unread)?.id
        expect(positions.get(conv), `${user.id} in ${conv}`).toBe(readUpTo)
        // What is after the position is exactly the messages left unread.
        expect(messages.filter((m) => m.id > (positions.get(conv) ?? ('' as MessageId)))).toHaveLength(unread)
        // The receipts, which others see as "Seen by …", agree with the read position.
        const seen = receipts((await open(server, docName.receipts(conv))).doc).get(user.id)
        expect(seen?.message, `${user.id}'s receipt in ${conv}`).toBe(readUpTo)
        if (unread > 0) checked.push(`${user.id}:${conv}`)
      }
    }
    expect(checked.sort()).toEqual(Object.keys(leftUnread).sort())
  })
})
