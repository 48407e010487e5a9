import {
  Origin, Reason, appendSystemMessage, deleteMessage, docName, editMessage, listMessages, markSeen, newMessageId, reactionKey,
  toggleReaction, writeColleague, writeStatus,
  type ConvId, type DocName, type MessageId, type Status, type UserId, type WorkspaceId,
} from '@waggle/schema'
import { describe, expect, onTestFinished, test } from 'vitest'
import * as Y from 'yjs'
import { connectAs, demoDocs, post, texts } from '../testing/fixtures.ts'
import { removeDir, startRelay, tempDataDir, type Relay, type RelayOptions } from '../testing/relayHarness.ts'
import { attack, craft } from '../testing/attacks.ts'
import type { TestClient, WriteResult } from '../testing/TestClient.ts'

const sales = demoDocs.salesTeam
const salesReactions = docName.reactions('sales-team' as ConvId, 0)
const salesReceipts = docName.receipts('sales-team' as ConvId)
const announcements = demoDocs.announcements
const announcementReactions = docName.reactions('announcements' as ConvId, 0)
const directory = docName.directory('demo' as WorkspaceId)
const annaPresence = docName.presence('anna' as UserId)

async function relay(options: RelayOptions = {}): Promise<Relay> {
  const r = await startRelay(options)
  onTestFinished(() => r.stop())
  return r
}

async function member(r: Relay, who: string, ...docs: DocName[]): Promise<TestClient> {
  const client = await connectAs(r, who)
  onTestFinished(() => client.close())
  for (const doc of docs) await client.subscribe(doc)
  return client
}

const lastReject = (client: TestClient) => client.rejects.at(-1)?.message

/** A message of `author` in `client`'s replica of the sales team. */
function messageOf(client: TestClient, author: string): MessageId {
  const m = listMessages(client.doc(sales)).find((x) => x.author === author)
  if (m === undefined) throw new Error(`no message by ${author}`)
  return m.id
}

/**
 * The honest side of every test: Marco, connected all along, posts after the attacks; it is
 * acknowledged and reaches Emma, Marco never got an error, and the relay still serves /health.
 */
async function honestStillWorks(r: Relay, marco: TestClient, emma: TestClient, text: string): Promise<void> {
  expect(await marco.write(sales, post('marco', text))).toEqual({ acked: true })
  await emma.until(() => texts(emma.doc(sales)).includes(text), 5_000, 'the honest message at emma')
  expect(marco.errors).toEqual([])
  expect(marco.rejects).toEqual([])
  expect(marco.closeInfo).toBeNull()
  expect((await fetch(`${r.url}/health`)).status).toBe(200)
}

describe('the content-level write gate on the relay', () => {
  test('messages: forged author, editing or deleting another’s, system lines from a client', async () => {
    const r = await relay()
    const marco = await member(r, 'marco', sales)
    const emma = await member(r, 'emma', sales)
    const anna = await member(r, 'anna', sales)
    const his = messageOf(anna, 'marco')

    expect(await attack(anna, sales, post('marco', 'FORGED by anna'))).toEqual({ rejected: Reason.forbidden })
    expect(lastReject(anna)).toBe('You may only write messages as yourself')
    expect(await attack(anna, sales, (d) => editMessage(d, his, 'EDITED by anna', Date.now(), Origin.local))).toEqual({ rejected: Reason.forbidden })
    expect(lastReject(anna)).toBe('You may only change or delete your own messages')
    expect(await attack(anna, sales, (d) => deleteMessage(d, his, Date.now(), Origin.local))).toEqual({ rejected: Reason.forbidden })
    const system = (d: Y.Doc) => appendSystemMessage(d, { id: newMessageId(), time: Date.now(), text: 'SYSTEM by anna', system: { event: 'added', actor: 'anna' as UserId, users: ['lena' as UserId] } }, Origin.local)
    expect(await attack(anna, sales, system)).toEqual({ rejected: Reason.forbidden })
    expect(lastReject(anna)).toBe('Only the relay writes system messages')
    const long = (d: Y.Doc) => {
      const id = newMessageId()
      d.getMap('messages').set(id, { id, author: 'anna', time: Date.now(), text: 'y'.repeat(10_001) })
    }
    expect(await attack(anna, sales, long)).toEqual({ rejected: Reason.invalidContent })

    // Her own messages are hers to post, edit and delete.
    expect(await anna.write(sales, post('anna', 'honest anna'))).toEqual({ acked: true })
    const own = messageOf(anna, 'anna')
    expect(await anna.write(sales, (d) => editMessage(d, own, 'edited by anna', Date.now(), Origin.local))).toEqual({ acked: true })
    expect(await anna.write(sales, (d) => deleteMessage(d, own, Date.now(), Origin.local))).toEqual({ acked: true })

    await honestStillWorks(r, marco, emma, 'marco after the attacks')
    const seen = texts(emma.doc(sales)).join('\n')
    for (const bad of ['FORGED', 'EDITED by anna', 'SYSTEM by anna', 'yyyy']) expect(seen).not.toContain(bad)
    const stored = await r.server.hub.read(sales, (d) => listMessages(d).find((m) => m.id === his))
    expect(stored && 'text' in stored ? stored.text : null).toBe('I will bring the numbers for the Verona account.')
    expect(anna.closeInfo).toBeNull()
  })

  test('reactions: nobody reacts as another; a read-only member reacts as themselves but does not post', async () => {
    const r = await relay()
    const marco = await member(r, 'marco', sales)
    const emma = await member(r, 'emma', sales, salesReactions)
    const anna = await member(r, 'anna', salesReactions, announcements, announcementReactions)
    const msg = messageOf(emma, 'marco')

    expect(await attack(anna, salesReactions, (d) => toggleReaction(d, msg, '👎', 'marco' as UserId, Date.now(), Origin.local))).toEqual({ rejected: Reason.forbidden })
    expect(lastReject(anna)).toBe('You may only add or remove your own reactions')
    expect(await anna.write(salesReactions, (d) => toggleReaction(d, msg, '👍', 'anna' as UserId, Date.now(), Origin.local))).toEqual({ acked: true })
    await emma.until(() => emma.doc(salesReactions).getMap('reactions').has(reactionKey(msg, '👍', 'anna' as UserId)), 5_000, 'anna’s reaction at emma')
    expect(emma.doc(salesReactions).getMap('reactions').has(reactionKey(msg, '👎', 'marco' as UserId))).toBe(false)

    // Anna is a read-only member of the announcements: she reacts (as herself), she does not post.
    const note = listMessages(anna.doc(announcements))[0]?.id as MessageId
    expect(await attack(anna, announcements, post('anna', 'posted while read-only'))).toEqual({ rejected: Reason.readOnly })
    expect(await anna.write(announcementReactions, (d) => toggleReaction(d, note, '🎉', 'anna' as UserId, Date.now(), Origin.local))).toEqual({ acked: true })
    expect(await anna.write(announcementReactions, (d) => toggleReaction(d, note, '🎉', 'anna' as UserId, Date.now(), Origin.local))).toEqual({ acked: true })
    expect(await attack(anna, announcementReactions, (d) => toggleReaction(d, note, '🎉', 'claire' as UserId, Date.now(), Origin.local))).toEqual({ rejected: Reason.forbidden })

    await honestStillWorks(r, marco, emma, 'marco after the reactions')
  })

  test('receipts: each member moves only their own', async () => {
    const r = await relay()
    const marco = await member(r, 'marco', sales, salesReceipts)
    const emma = await member(r, 'emma', sales)
    const anna = await member(r, 'anna', salesReceipts)
    // Newer than every seeded message, so a receipt moves to it.
    const last = newMessageId()
    expect(await attack(anna, salesReceipts, (d) => markSeen(d, 'marco' as UserId, last, Date.now(), Origin.local))).toEqual({ rejected: Reason.forbidden })
    expect(lastReject(anna)).toBe('You may only mark what you have read yourself')
    expect(await anna.write(salesReceipts, (d) => markSeen(d, 'anna' as UserId, last, Date.now(), Origin.local))).toEqual({ acked: true })
    await honestStillWorks(r, marco, emma, 'marco after the receipts')
  })

  test('directory: a member may not write it; an admin writes valid entries only', async () => {
    const r = await relay()
    const marco = await member(r, 'marco', sales)
    const emma = await member(r, 'emma', sales)
    const anna = await member(r, 'anna', directory)
    const jonas = await member(r, 'jonas', directory)
    const colleague = { name: 'New Person', email: 'new@example.com' }
    expect(await attack(anna, directory, (d) => writeColleague(d, 'newbie' as UserId, colleague, Origin.local))).toEqual({ rejected: Reason.readOnly })
    expect(await attack(jonas, directory, (d) => d.getMap('colleagues').set('newbie', { name: 42 }))).toEqual({ rejected: Reason.invalidContent })
    expect(await attack(jonas, directory, (d) => d.getMap('payroll').set('jonas', 1_000_000))).toEqual({ rejected: Reason.invalidContent })
    expect(await jonas.write(directory, (d) => writeColleague(d, 'newbie' as UserId, colleague, Origin.local))).toEqual({ acked: true })
    await honestStillWorks(r, marco, emma, 'marco after the directory')
  })

  test('layout: new root types and nested shared types are refused', async () => {
    const r = await relay()
    const marco = await member(r, 'marco', sales)
    const emma = await member(r, 'emma', sales)
    const anna = await member(r, 'anna', sales, annaPresence)
    expect(await attack(anna, sales, (d) => d.getMap('shadowChannel').set('x', 'hidden'))).toEqual({ rejected: Reason.invalidContent })
    expect(lastReject(anna)).toBe('A segment has no "shadowChannel"')
    expect(await attack(anna, sales, (d) => d.getMap('messages').set(newMessageId(), new Y.Map()))).toEqual({ rejected: Reason.invalidContent })
    expect(lastReject(anna)).toBe('A segment holds plain values only, no nested shared types')
    expect(await attack(anna, annaPresence, (d) => d.getText('notes').insert(0, 'x'))).toEqual({ rejected: Reason.invalidContent })
    await honestStillWorks(r, marco, emma, 'marco after the layout attacks')
    expect(await r.server.hub.read(sales, (d) => [...d.share.keys()])).toEqual(['messages'])
  })

  test('a Yjs client id stays bound to the user who first wrote with it, across a relay restart', async () => {
    const dataDir = tempDataDir()
    onTestFinished(() => removeDir(dataDir))
    const first = await startRelay({ dataDir })
    let marco = await connectAs(first, 'marco')
    await marco.subscribe(sales)
    expect(await marco.write(sales, post('marco', 'from marco’s device'))).toEqual({ acked: true })
    const marcosId = marco.doc(sales).clientID
    let anna = await connectAs(first, 'anna')
    await anna.subscribe(sales)
    // Same client id, so her message continues Marco's clock, under her own name.
    expect(await attack(anna, sales, post('anna', 'as marco’s client'), marcosId)).toEqual({ rejected: Reason.forbidden })
    expect(lastReject(anna)).toBe('This client id belongs to another session')
    // The relay's own client id is nobody else's either.
    expect(await attack(anna, sales, post('anna', 'as the relay'), first.server.hub.clientId)).toEqual({ rejected: Reason.forbidden })
    await marco.close()
    await anna.close()
    await first.stop()

    const second = await relay({ dataDir })
    anna = await member(second, 'anna', sales)
    marco = await member(second, 'marco', sales)
    expect(await attack(anna, sales, post('anna', 'still not hers'), marcosId)).toEqual({ rejected: Reason.forbidden })
    // Marco keeps writing with his.
    expect(await attack(marco, sales, post('marco', 'marco again'), marcosId)).toEqual({ acked: true })
  })

  test('an update that builds on a refused one is refused as missing-dependency', async () => {
    const r = await relay()
    const marco = await member(r, 'marco', sales)
    const emma = await member(r, 'emma', sales)
    const anna = await member(r, 'anna', sales)
    const forged = craft(anna, sales, post('marco', 'FORGED'))
    expect(await forged.send()).toEqual({ rejected: Reason.forbidden })
    // The same replica goes on as if the relay had taken it: its next struct needs the refused one.
    const updates: Uint8Array[] = []
    forged.replica.on('update', (u: Uint8Array) => updates.push(u))
    post('anna', 'after the forgery')(forged.replica)
    expect(await anna.sendUpdate(sales, Y.mergeUpdates(updates))).toEqual({ rejected: Reason.missingDependency })
    expect(lastReject(anna)).toBe('This change builds on one the relay does not have')
    await honestStillWorks(r, marco, emma, 'marco after the dependency')
    expect(await r.server.hub.read(sales, (d) => d.store.pendingStructs)).toBeNull()
  })

  test('over-deep and oversized values are refused before anything applies them', async () => {
    const r = await relay()
    const marco = await member(r, 'marco', sales)
    const emma = await member(r, 'emma', sales)
    const anna = await member(r, 'anna', sales)
    let deep: unknown = 'leaf'
    for (let i = 0; i < 40; i++) deep = [deep]
    const id = newMessageId()
    expect(await attack(anna, sales, (d) => d.getMap('messages').set(id, { id, author: 'anna', time: 1, text: 'x', deep }))).toEqual({ rejected: Reason.valueTooDeep })
    expect(await attack(anna, sales, (d) => d.getMap('messages').set(id, { id, author: 'anna', time: 1, text: 'z'.repeat(200_000) }))).toEqual({ rejected: Reason.valueTooLarge })
    // Through a sync frame too: an error frame, the connection stays.
    const crafted = craft(anna, sales, (d) => d.getMap('messages').set(id, { id, author: 'anna', time: 1, text: 'x', deep }))
    anna.send({ type: 'sync', doc: sales, step: 'update', data: crafted.update })
    const error = await anna.until(() => anna.errors.find((e) => e.doc === sales), 5_000, 'the error frame')
    expect(error.reason).toBe(Reason.valueTooDeep)
    expect(anna.closeInfo).toBeNull()
    await honestStillWorks(r, marco, emma, 'marco after the big values')
  })

  test('a sync frame that breaks a rule gets an error frame; the connection stays', async () => {
    const r = await relay()
    const marco = await member(r, 'marco', sales)
    const emma = await member(r, 'emma', sales)
    const anna = await member(r, 'anna', sales)
    anna.send({ type: 'sync', doc: sales, step: 'update', data: craft(anna, sales, post('marco', 'FORGED via sync')).update })
    const error = await anna.until(() => anna.errors.find((e) => e.doc === sales), 5_000, 'the error frame')
    expect(error).toMatchObject({ reason: Reason.forbidden, message: 'You may only write messages as yourself' })
    await honestStillWorks(r, marco, emma, 'marco after the sync forgery')
    expect(texts(emma.doc(sales))).not.toContain('FORGED via sync')
  })

  test('rate limits per session: a flood of messages or statuses is rejected rate-limited and sent again later', async () => {
    const r = await relay({ config: { segmentWritesPerWindow: 5, presenceWritesPerWindow: 3, writeWindowMs: 2_000 } })
    const marco = await member(r, 'marco', sales)
    const emma = await member(r, 'emma', sales)
    const anna = await member(r, 'anna', sales, annaPresence)
    const results: WriteResult[] = []
    for (let i = 0; i < 5; i++) results.push(await anna.write(sales, post('anna', `flood ${i}`)))
    expect(results).toEqual(Array.from({ length: 5 }, () => ({ acked: true })))
    expect(await anna.write(sales, post('anna', 'one too many'))).toEqual({ rejected: Reason.rateLimited })
    expect(lastReject(anna)).toMatch(/^Too many messages: at most 5 per 2 s; try again in \d+ s$/)
    // Marco is another session: not limited by Anna's flood.
    await honestStillWorks(r, marco, emma, 'marco during the flood')
    // The outbox sends it again once the bucket has refilled.
    await new Promise((resolve) => setTimeout(resolve, 600))
    const again = anna.sentUpdates.at(-1)
    expect(await anna.sendUpdate(sales, again?.update ?? new Uint8Array())).toEqual({ acked: true })
    await emma.until(() => texts(emma.doc(sales)).includes('one too many'), 5_000, 'the resent message')

    const status = (i: number): Status => ({ availability: 'busy', message: `status ${i}`, updatedAt: Date.now(), updatedBy: 'anna' as UserId })
    const statuses: WriteResult[] = []
    for (let i = 0; i < 4; i++) statuses.push(await anna.write(annaPresence, (d) => writeStatus(d, status(i), Origin.local)))
    expect(statuses.slice(0, 3)).toEqual([{ acked: true }, { acked: true }, { acked: true }])
    expect(statuses[3]).toEqual({ rejected: Reason.rateLimited })
    expect(lastReject(anna)).toMatch(/^Too many status changes/)
    expect(anna.closeInfo).toBeNull()
  })
})
