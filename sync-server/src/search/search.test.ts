import {
  Origin, Reason, appendMessage, deleteMessage, docName, editMessage, newCommandId, newMessageId,
  type Command, type CommandResult, type ConvId, type MessageId, type RelaySearchResponse, type UserId,
} from '@waggle/schema'
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'vitest'
import type * as Y from 'yjs'
import { SqliteStore } from '../storage/SqliteStore.ts'
import { connectAs, tokenFor } from '../testing/fixtures.ts'
import { removeDir, signIn, startRelay, tempDataDir, type Relay, type RelayOptions } from '../testing/relayHarness.ts'
import type { TestClient } from '../testing/TestClient.ts'
import { waitFor } from '../testing/waitFor.ts'

const SALES = 'sales-team' as ConvId
const seg0 = docName.segment(SALES, 0)

async function search(r: Relay, token: string | null, body: unknown): Promise<Response> {
  return fetch(`${r.url}/api/search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
}

async function found(r: Relay, token: string, body: Record<string, unknown>): Promise<RelaySearchResponse> {
  const res = await search(r, token, body)
  expect(res.status).toBe(200)
  return (await res.json()) as RelaySearchResponse
}

/** The texts the relay finds for `q`. */
const textsFor = async (r: Relay, token: string, q: string, extra: Record<string, unknown> = {}): Promise<string[]> =>
  (await found(r, token, { q, ...extra })).hits.map((h) => h.text)

/** Appends a message at `time` (so tests control "newest first"); resolves with its id once acknowledged. */
async function post(client: TestClient, doc: ReturnType<typeof docName.segment>, author: string, text: string, time = Date.now()): Promise<MessageId> {
  const id = newMessageId(time)
  const result = await client.write(doc, (d: Y.Doc) => void appendMessage(d, { id, author: author as UserId, time, text }, Origin.local))
  expect(result).toEqual({ acked: true })
  return id
}

async function command(r: Relay, user: string, cmd: Command): Promise<CommandResult> {
  const res = await fetch(`${r.url}/api/commands`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await tokenFor(r.url, user)}` }, body: JSON.stringify(cmd),
  })
  return (await res.json()) as CommandResult
}

const stores: [string, RelayOptions][] = [['SQLite FTS5', {}], ['memory', { memory: true }]]

describe.each(stores)('POST /api/search (%s)', (_name, options) => {
  let relay: Relay
  let anna: TestClient
  let annaToken: string
  beforeAll(async () => {
    relay = await startRelay({ ...options, config: { inboxDebounceMs: 0, searchesPerWindow: 10_000 } })
    annaToken = await tokenFor(relay.url, 'anna')
    anna = await connectAs(relay, 'anna')
    await anna.subscribe(seg0)
  })
  afterAll(async () => {
    await anna.close()
    await relay.stop()
  })

  test('matches every word as a word prefix, ignoring case and accents (ß, æ, œ, ø too)', async () => {
    await post(anna, seg0, 'anna', 'Perché il Reporting è über alles? Die Straße, Æble, Œuvre, Søren.')
    const want = ['Perché il Reporting è über alles? Die Straße, Æble, Œuvre, Søren.']
    for (const q of ['perche', 'PERCH', 'uber', 'Über', 'repo', 'strasse', 'straße', 'STRAS', 'aeble', 'oeuvre', 'soren', 'perche repo uber']) {
      expect(await textsFor(relay, annaToken, q), q).toEqual(want)
    }
    // A prefix of a word, never its middle; every word must match.
    expect(await textsFor(relay, annaToken, 'porting')).toEqual([])
    expect(await textsFor(relay, annaToken, 'perche zebra')).toEqual([])
    // A seeded message: the seed is indexed like any other write.
    expect(await textsFor(relay, annaToken, 'muller gmbh')).toEqual(['Great work everyone. Marco, can you call Müller GmbH back this afternoon?'])
  })

  test('answers newest first, in pages, with `more` while there are more', async () => {
    const t0 = Date.now() - 60_000
    for (let i = 1; i <= 5; i++) await post(anna, seg0, 'anna', `pagetest number ${i}`, t0 + i * 1000)
    const page1 = await found(relay, annaToken, { q: 'pagetest', limit: 2 })
    expect(page1.hits.map((h) => h.text)).toEqual(['pagetest number 5', 'pagetest number 4'])
    expect(page1.more).toBe(true)
    expect(page1.hits[0]).toEqual({ conv: SALES, seg: 0, id: expect.any(String) as unknown, author: 'anna', time: t0 + 5000, text: 'pagetest number 5' })
    const page2 = await found(relay, annaToken, { q: 'pagetest', limit: 2, offset: 2 })
    expect(page2.hits.map((h) => h.text)).toEqual(['pagetest number 3', 'pagetest number 2'])
    expect(page2.more).toBe(true)
    const page3 = await found(relay, annaToken, { q: 'pagetest', limit: 2, offset: 4 })
    expect(page3).toEqual({ hits: [expect.objectContaining({ text: 'pagetest number 1' })], more: false })
    // Default limit 30.
    expect((await found(relay, annaToken, { q: 'pagetest' })).hits).toHaveLength(5)
  })

  test('leaves out the segments the device searched itself', async () => {
    await post(anna, seg0, 'anna', 'localtest one')
    expect(await textsFor(relay, annaToken, 'localtest', { local: [{ conv: SALES, segs: [0] }] })).toEqual([])
    expect(await textsFor(relay, annaToken, 'localtest', { local: [{ conv: SALES, segs: [1, 2] }, { conv: 'support', segs: [0] }] })).toEqual(['localtest one'])
  })

  test('finds nothing in conversations the user is not a member of', async () => {
    await post(anna, seg0, 'anna', 'membertest for the sales team')
    expect(await textsFor(relay, await tokenFor(relay.url, 'diego'), 'membertest')).toEqual(['membertest for the sales team'])
    // Lena is in other conversations, not in Sales team.
    expect(await textsFor(relay, await tokenFor(relay.url, 'lena'), 'membertest')).toEqual([])
    expect(await textsFor(relay, await tokenFor(relay.url, 'lena'), 'muller')).toEqual([])
  })

  test('never finds the old text of an edited or deleted message', async () => {
    const edited = await post(anna, seg0, 'anna', 'edittest original wording')
    const deleted = await post(anna, seg0, 'anna', 'deletetest secret')
    const removed = await post(anna, seg0, 'anna', 'removetest gone from the map')
    expect(await textsFor(relay, annaToken, 'edittest')).toHaveLength(1)

    expect(await anna.write(seg0, (d) => void editMessage(d, edited, 'edittest new phrasing', Date.now(), Origin.local))).toEqual({ acked: true })
    expect(await anna.write(seg0, (d) => deleteMessage(d, deleted, Date.now(), Origin.local))).toEqual({ acked: true })
    // A key taken out of the map outright (only a delete set names it).
    expect(await anna.write(seg0, (d) => d.getMap('messages').delete(removed))).toEqual({ acked: true })

    expect(await textsFor(relay, annaToken, 'original')).toEqual([])
    expect(await textsFor(relay, annaToken, 'edittest')).toEqual(['edittest new phrasing'])
    expect(await textsFor(relay, annaToken, 'deletetest')).toEqual([])
    expect(await textsFor(relay, annaToken, 'secret')).toEqual([])
    expect(await textsFor(relay, annaToken, 'removetest')).toEqual([])
  })

  test('treats FTS syntax in the query as plain words', async () => {
    await post(anna, seg0, 'anna', 'injecttest foo and bar')
    await post(anna, seg0, 'anna', 'injecttest foo or bar')
    await post(anna, seg0, 'anna', 'injecttest near the station')
    expect(await textsFor(relay, annaToken, 'injecttest "foo" OR bar*')).toEqual(['injecttest foo or bar'])
    expect(await textsFor(relay, annaToken, 'injecttest NEAR(')).toEqual(['injecttest near the station'])
    for (const q of ['NEAR(', '"', '*', '^injecttest', 'folded:injecttest', 'injecttest)', '(injecttest', '-injecttest', 'AND', '!!!', '""*', "injecttest' --"]) {
      const res = await search(relay, annaToken, { q })
      expect(res.status, q).toBe(200)
    }
    // Punctuation only: no word to look for.
    expect(await found(relay, annaToken, { q: '!!! ???' })).toEqual({ hits: [], more: false })
    // The column filter is a word like any other, never a column name.
    expect(await textsFor(relay, annaToken, 'folded:injecttest')).toEqual([])
  })

  test('refuses bad requests with the house error body, and requests without a session', async () => {
    const bad = async (body: unknown, what: string): Promise<void> => {
      const res = await search(relay, annaToken, body)
      expect(res.status, what).toBe(400)
      expect(await res.json(), what).toMatchObject({ reason: Reason.badRequest, message: expect.any(String) as unknown })
    }
    await bad('not json', 'not JSON')
    await bad({}, 'no q')
    await bad({ q: '   ' }, 'blank q')
    await bad({ q: 'x'.repeat(201) }, 'q too long')
    await bad({ q: 'x', limit: 101 }, 'limit too high')
    await bad({ q: 'x', limit: 0 }, 'limit zero')
    await bad({ q: 'x', offset: -1 }, 'negative offset')
    await bad({ q: 'x', local: [{ conv: 'no spaces allowed', segs: [0] }] }, 'bad conv id')
    await bad({ q: 'x', local: [{ conv: SALES, segs: [1.5] }] }, 'bad segment')
    const long = await search(relay, annaToken, { q: 'x'.repeat(201) })
    expect(((await long.json()) as { message: string }).message).toMatch(/200 characters/)
    expect((await found(relay, annaToken, { q: 'x'.repeat(200) })).hits).toEqual([])

    for (const token of [null, 'not-a-session']) {
      const res = await search(relay, token, { q: 'muller' })
      expect(res.status).toBe(401)
      expect(await res.json()).toMatchObject({ reason: Reason.unauthorized })
    }
  })
})

describe('POST /api/search: access and limits', () => {
  test('a member added with hidden history (a guest too) never finds a message from before', async () => {
    const r = await startRelay({ config: { inboxDebounceMs: 0 } })
    onTestFinished(() => r.stop())
    const anna = await connectAs(r, 'anna')
    onTestFinished(() => anna.close())
    await anna.subscribe(seg0)
    await post(anna, seg0, 'anna', 'hiddentest before they joined')
    const add: Command = { id: newCommandId(), type: 'addMembers', conv: SALES, members: ['lena' as UserId], emails: ['ext@partner.example'], hideHistory: true }
    expect(await command(r, 'anna', add)).toMatchObject({ status: 'accepted' })
    const seg1 = docName.segment(SALES, 1)
    await anna.subscribe(seg1)
    await post(anna, seg1, 'anna', 'hiddentest after they joined')

    const lena = await tokenFor(r.url, 'lena')
    const guest = (await signIn(r.url, 'ext@partner.example')).token
    expect((await r.store.accounts.conversationMember(SALES, guestId(await r.store.accounts.userByEmail('ext@partner.example'))))?.firstSegment).toBe(1)
    for (const token of [lena, guest]) {
      expect(await textsFor(r, token, 'hiddentest')).toEqual(['hiddentest after they joined'])
      expect(await textsFor(r, token, 'muller')).toEqual([])
      // Claiming segment 0 as local changes nothing: the relay never had it to give.
      expect(await textsFor(r, token, 'hiddentest', { local: [{ conv: SALES, segs: [0] }] })).toEqual(['hiddentest after they joined'])
    }
    expect(await textsFor(r, await tokenFor(r.url, 'marco'), 'hiddentest')).toEqual(['hiddentest after they joined', 'hiddentest before they joined'])

    // Removed: nothing at all any more.
    expect(await command(r, 'anna', { id: newCommandId(), type: 'removeMember', conv: SALES, member: 'lena' as UserId })).toMatchObject({ status: 'accepted' })
    expect(await textsFor(r, lena, 'hiddentest')).toEqual([])
  })

  test('limits searches per session with 429 rate-limited', async () => {
    const r = await startRelay({ memory: true, config: { searchesPerWindow: 3, searchWindowMs: 60_000 } })
    onTestFinished(() => r.stop())
    const first = await tokenFor(r.url, 'anna')
    for (let i = 0; i < 3; i++) expect((await search(r, first, { q: 'muller' })).status).toBe(200)
    const limited = await search(r, first, { q: 'muller' })
    expect(limited.status).toBe(429)
    expect(await limited.json()).toEqual({ reason: Reason.rateLimited, message: expect.stringMatching(/Too many searches/) as unknown })
    // Per session: another sign-in (another device) still searches.
    expect((await search(r, await tokenFor(r.url, 'anna'), { q: 'muller' })).status).toBe(200)
  })
})

describe('search index on SQLite: backfill', () => {
  test('a restart indexes segments stored without an index (an older database, a crash between write and index)', async () => {
    const dir = tempDataDir()
    onTestFinished(() => removeDir(dir))
    const first = await startRelay({ dataDir: dir })
    try {
      const anna = await connectAs(first, 'anna')
      await anna.subscribe(seg0)
      await post(anna, seg0, 'anna', 'backfilltest written before the restart')
      await anna.close()
    } finally {
      await first.stop()
    }

    // As a database from before the index: segments stored, nothing indexed.
    const store = SqliteStore.open(dir)
    store.db.exec('DELETE FROM search_messages; DELETE FROM search_fts; DELETE FROM search_segments;')
    expect((await store.search.unindexed()).map((s) => s.doc)).toContain(seg0)
    await store.close()

    const second = await startRelay({ dataDir: dir })
    onTestFinished(() => second.stop())
    await second.server.search.backfill()
    const token = await tokenFor(second.url, 'marco')
    await waitFor(async () => (await textsFor(second, token, 'backfilltest')).length === 1, 5_000, 'backfilled message')
    expect(await textsFor(second, token, 'muller')).toEqual(['Great work everyone. Marco, can you call Müller GmbH back this afternoon?'])
    expect(await second.store.search?.unindexed()).toEqual([])

    // Writes after the backfill keep the segment current (no gap, so no re-index next time).
    const anna = await connectAs(second, 'anna')
    onTestFinished(() => anna.close())
    await anna.subscribe(seg0)
    await post(anna, seg0, 'anna', 'backfilltest written after the restart')
    expect(await textsFor(second, token, 'backfilltest')).toHaveLength(2)
    expect(await second.store.search?.unindexed()).toEqual([])
  })

  test('the demo seed indexes "Field reports" (10,000 messages) through the write path', async () => {
    const r = await startRelay({ fieldReports: true, config: { searchesPerWindow: 1000 } })
    onTestFinished(() => r.stop())
    expect(await r.store.search?.unindexed()).toEqual([])
    const luca = await tokenFor(r.url, 'luca')
    const page = await found(r, luca, { q: 'bergamo poe', limit: 100 })
    expect(page.hits.length).toBeGreaterThan(0)
    for (const h of page.hits) expect(h.text.toLowerCase()).toMatch(/bergamo.*poe|poe.*bergamo/)
    expect(page.hits.map((h) => h.time)).toEqual([...page.hits.map((h) => h.time)].sort((a, b) => b - a))
    // The device holds the current segment: the relay answers from the older one only.
    const older = await found(r, luca, { q: 'bergamo', limit: 100, local: [{ conv: 'field-reports', segs: [1] }] })
    expect(older.hits.length).toBeGreaterThan(0)
    expect(older.hits.every((h) => h.seg === 0)).toBe(true)
    // Not a member: nothing.
    expect((await found(r, await tokenFor(r.url, 'anna'), { q: 'bergamo' })).hits).toEqual([])
  }, 60_000)
})

function guestId(user: { id: UserId } | null): UserId {
  if (user === null) throw new Error('No guest account')
  return user.id
}
