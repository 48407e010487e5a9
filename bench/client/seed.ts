/**
 * Seeds a stopped relay's data directory for the client benchmark (issue 8): the demo user
 * (`anna` by default) ends up a member of exactly `conversations` conversations holding
 * `messages` messages in all. The demo workspace the relay seeded at its first start is kept
 * (its conversations of that user count towards the totals); the rest are group conversations
 * written the way the demo seed writes its own: membership rows, the meta document, one
 * segment per conversation written in one change, receipts and the user's read positions, then
 * the inbox projection (the relay's own projector) and the relay's search index.
 *
 *   node --import tsx bench/client/seed.ts <dataDir> <conversations> <messages> <seed> [user]
 *
 * Prints one JSON line: `{ conversations, messages, added, ms }`.
 */
import {
  Origin, appendMessage, docName, inboxEntries, listMessages, markRead, markSeen, startSegment, writeConvInfo, writeMember,
  type ConvId, type MessageId, type NewMessage, type UserId,
} from '@waggle/schema'
import { DEMO_WORKSPACE } from '../../sync-server/src/demo/seed.ts'
import { createServer } from '../../sync-server/src/server.ts'
import { SqliteStore } from '../../sync-server/src/storage/SqliteStore.ts'
import { Rng, seededSortableId, sentence, vocabulary, type Lang } from '../search/corpus.ts'

/** The demo workspace's people (sync-server/src/demo/seed.ts). */
const PEOPLE = ['anna', 'marco', 'lena', 'tom', 'sofia', 'luca', 'claire', 'jonas', 'priya', 'diego', 'emma', 'noah']
const TOPICS = [
  'Verona rollout', 'Munich office move', 'Q3 pipeline', 'Trade fair', 'Pricing update', 'Support rota', 'Website relaunch',
  'Partner onboarding', 'Lyon hotels', 'Madrid clinics', 'Firmware 4.2', 'Hiring', 'Budget review', 'Customer advisory board',
  'SIP trunk migration', 'Brochure', 'Training days', 'Bergamo install', 'Renewals', 'Security audit',
]
const DAY = 86_400_000

interface Plan {
  id: ConvId
  title: string
  members: UserId[]
  messages: NewMessage[]
  /** Messages at the end left unread by the user. */
  unread: number
}

/** `count` messages ending at `end`, a few minutes to a few hours apart, by the members. */
function messagesOf(rng: Rng, members: readonly UserId[], count: number, end: number, vocab: ReturnType<typeof vocabulary>): NewMessage[] {
  const lang: Lang = rng.next() < 0.7 ? 'en' : rng.pick(['it', 'de', 'es', 'fr'] as const)
  const times: number[] = []
  let t = end
  for (let i = 0; i < count; i++) {
    times.push(t)
    t -= rng.next() < 0.8 ? rng.range(20_000, 15 * 60_000) : rng.range(3_600_000, 14 * 3_600_000)
  }
  times.reverse()
  // Conversations are runs of one author, then another: each message's author is the last one's 60 % of the time.
  let author = rng.pick(members)
  return times.map((time) => {
    if (rng.next() < 0.4) author = rng.pick(members)
    return { id: seededSortableId(time, rng) as MessageId, author, time, text: sentence(rng, vocab, rng.next() < 0.9 ? lang : 'en') }
  })
}

function plan(count: number, messages: number, seed: number, user: UserId, now: number): Plan[] {
  const vocab = vocabulary(seed)
  const others = PEOPLE.filter((p) => p !== user) as UserId[]
  return Array.from({ length: count }, (_, c): Plan => {
    const rng = new Rng(seed, 0x5eed + c)
    const size = rng.range(1, Math.min(7, others.length))
    const pool = [...others]
    const members: UserId[] = [user]
    for (let i = 0; i < size; i++) members.push(pool.splice(rng.int(pool.length), 1)[0] as UserId)
    const n = Math.floor(messages / count) + (c < messages % count ? 1 : 0)
    // The newest conversation had a message minutes ago; older ones spread over about two months.
    const end = now - Math.floor((c / count) * 60 * DAY) - rng.range(60_000, 3_600_000)
    const list = messagesOf(rng, members, n, end, vocab)
    const topic = TOPICS[c % TOPICS.length] ?? 'Project'
    return { id: `bench-${String(c).padStart(4, '0')}` as ConvId, title: `${topic} ${Math.floor(c / TOPICS.length) + 1}`, members, messages: list, unread: c % 8 === 3 ? rng.range(1, 5) : 0 }
  })
}

async function main(): Promise<void> {
  const [dir, convArg, msgArg, seedArg, userArg] = process.argv.slice(2)
  if (dir === undefined || convArg === undefined || msgArg === undefined || seedArg === undefined) {
    throw new Error('usage: seed.ts <dataDir> <conversations> <messages> <seed> [user]')
  }
  const user = (userArg ?? 'anna') as UserId
  const started = performance.now()
  const store = SqliteStore.open(dir)
  const quiet = { info: () => {}, warn: console.warn, error: console.error }
  const server = createServer({ persistence: store.persistence, accounts: store.accounts, files: store.files, search: store.search, config: { demo: true }, logger: quiet })
  const { hub } = server
  const accounts = store.accounts
  try {
    // What the user has already (the demo's conversations) counts towards the totals.
    const existing = await accounts.conversationsOf(user)
    let existingMessages = 0
    for (const conv of existing) {
      const inbox = await hub.read(docName.inbox(user), (doc) => inboxEntries(doc).get(conv))
      for (let seg = 0; seg <= (inbox?.segment ?? 0); seg++) existingMessages += await hub.read(docName.segment(conv, seg), (doc) => listMessages(doc).length)
    }
    const want = Number(convArg)
    const add = want - existing.length
    const addMessages = Number(msgArg) - existingMessages
    if (add < 1 || addMessages < add) throw new Error(`the user already has ${existing.length} conversations with ${existingMessages} messages`)
    const plans = plan(add, addMessages, Number(seedArg), user, Date.now())
    for (const p of plans) {
      const first = p.messages[0]
      const last = p.messages[p.messages.length - 1]
      if (first === undefined || last === undefined) throw new Error(`conversation ${p.id} has no messages`)
      await accounts.createConversation({ id: p.id, workspaceId: DEMO_WORKSPACE, kind: 'group', createdBy: user, createdAt: first.time })
      for (const [i, m] of p.members.entries()) {
        await accounts.putConversationMember({ conv: p.id, user: m, role: i === 0 ? 'owner' : 'member', readOnly: false, firstSegment: 0, addedAt: first.time })
      }
      await hub.change(docName.convMeta(p.id), (doc) => {
        writeConvInfo(doc, { id: p.id, kind: 'group', title: p.title, createdBy: user, createdAt: first.time, readOnly: false, byLink: false }, Origin.seed)
        for (const [i, m] of p.members.entries()) writeMember(doc, m, { role: i === 0 ? 'owner' : 'member', readOnly: false, firstSegment: 0, addedAt: first.time }, Origin.seed)
        startSegment(doc, 0, first.time, Origin.seed)
      }, Origin.seed)
      await hub.change(docName.segment(p.id, 0), (doc) => {
        for (const m of p.messages) appendMessage(doc, m, Origin.seed)
      }, Origin.seed)
      // Everyone has read to the end, but the user leaves the newest `unread` messages of others unread.
      const read = p.messages.slice(0, p.messages.length - p.unread).at(-1) ?? last
      await hub.change(docName.receipts(p.id), (doc) => {
        for (const m of p.members) {
          const at = m === user ? read : last
          markSeen(doc, m, at.id, at.time, Origin.seed)
        }
      }, Origin.seed)
      await hub.change(docName.private(user), (doc) => {
        markRead(doc, p.id, read.id, Origin.seed)
      }, Origin.seed)
    }
    await server.projector.flush()
    await server.search.backfill()
    const listed = await hub.read(docName.inbox(user), (doc) => inboxEntries(doc).size)
    if (listed !== want) throw new Error(`the inbox of ${user} lists ${listed} conversations, not ${want}`)
    console.log(JSON.stringify({ conversations: listed, messages: existingMessages + addMessages, added: add, ms: Math.round(performance.now() - started) }))
  } finally {
    await server.close()
    await store.close()
  }
}

await main()
