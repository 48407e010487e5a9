import {
  docName, isDeleted, listMessages, readColleagues, readConvInfo, readMembers, readPhonebook, readServices,
  type ConvId, type DemoAccount, type DocName, type UserId,
} from '@waggle/schema'
import { afterEach, describe, expect, it } from 'vitest'
import { silentLogger } from '../config.ts'
import type { DocSubscriber, LoadedDoc } from '../relay/DocHub.ts'
import { createServer, type WaggleServer } from '../server.ts'
import { MemoryAccountStore } from '../storage/MemoryAccountStore.ts'
import { MemoryPersistence } from '../storage/MemoryPersistence.ts'
import { DEMO_WORKSPACE, demoEmail, seedDemo } from './seed.ts'

const NOW = Date.parse('2025-03-03T08:00:00Z')
const SALES = 'sales-team' as ConvId

const servers: WaggleServer[] = []
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close()
})

function relay(persistence: MemoryPersistence, accounts: MemoryAccountStore): WaggleServer {
  const server = createServer({ persistence, accounts, config: { demo: true }, logger: silentLogger })
  servers.push(server)
  return server
}

/** Seeds on one relay, then closes it, so reads come from storage rather than its memory. */
async function seededStorage(): Promise<{ persistence: MemoryPersistence; accounts: MemoryAccountStore }> {
  const stores = { persistence: new MemoryPersistence(), accounts: new MemoryAccountStore() }
  const seeder = createServer({ ...stores, config: { demo: true }, logger: silentLogger })
  expect(await seedDemo(stores.accounts, seeder.hub, NOW)).toBe(true)
  await seeder.close()
  return stores
}

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

    expect(await seedDemo(accounts, server.hub, NOW + 1000)).toBe(false)
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
})
