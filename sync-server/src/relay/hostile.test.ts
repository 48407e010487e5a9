/**
 * The hostile-client campaign (issue 7; THREAT_MODEL.md): generated attacks (fast-check) from
 * every kind of attacker against one real relay on port 0 with SQLite, while two honest members
 * chat on the same documents. Each attack must get its expected refusal; afterwards the honest
 * side has seen no error and lost nothing, nothing forged is stored, and the relay still
 * serves. The hand-written attack for each rule, with exact messages, is in `gate.test.ts`,
 * `accessLive.test.ts`, `sessionEnd.test.ts`, `awarenessGuard.test.ts`, `hiddenHistory.test.ts`
 * and `limits.test.ts`. The campaign prints its seed and how many attack frames it sent
 * (`SEED=… npx vitest run sync-server/src/relay/hostile.test.ts` replays it).
 */
import {
  CloseCode, Origin, PROTOCOL_VERSION, Reason, deleteMessage, docName, editMessage, encodeFrame, isDeleted, listMessages, newMessageId,
  reactionKey, writeColleague, writeStatus,
  type ConvId, type DocName, type MessageId, type UserId, type WorkspaceId,
} from '@waggle/schema'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import { attack } from '../testing/attacks.ts'
import { connectAs, demoDocs, post, texts } from '../testing/fixtures.ts'
import { startRelay, type Relay } from '../testing/relayHarness.ts'
import { TestClient, type WriteResult } from '../testing/TestClient.ts'

const sales = demoDocs.salesTeam
const salesReactions = docName.reactions('sales-team' as ConvId, 0)
const announcements = demoDocs.announcements
const directory = docName.directory('demo' as WorkspaceId)
const marcoPresence = docName.presence('marco' as UserId)
const FORGED = 'FORGED-'

/** What the relay answered an attack with. */
type Outcome = { rejected: string } | { acked: true } | { closed: number } | { error: string }

interface Scene {
  relay: Relay
  /** Honest members, connected all along. */
  marco: TestClient
  emma: TestClient
  /** A malicious member of the sales team (and a read-only member of announcements). */
  anna: TestClient
  /** Honest messages sent during the campaign, which must all arrive. */
  honest: string[]
  frames: number
}

let scene: Scene

beforeAll(async () => {
  // Generous write limits: the campaign is about content rules; the flood test in gate.test.ts
  // proves the limits themselves.
  const relay = await startRelay({ config: { segmentWritesPerWindow: 100_000, presenceWritesPerWindow: 100_000 } })
  const marco = await connectAs(relay, 'marco')
  const emma = await connectAs(relay, 'emma')
  const anna = await connectAs(relay, 'anna')
  for (const c of [marco, emma]) await c.subscribe(sales)
  emma.awareness(sales)
  for (const doc of [sales, salesReactions, announcements, directory, marcoPresence]) await anna.subscribe(doc)
  scene = { relay, marco, emma, anna, honest: [], frames: 0 }
  // Marco has written before the campaign: his Yjs client id is bound to him (a client id no
  // one has written with yet is nobody's; the app never shows it before writing with it).
  await honestTurn(0)
})

afterAll(async () => {
  for (const c of [scene.marco, scene.emma, scene.anna]) await c.close()
  await scene.relay.stop()
})

/** One of Marco's messages as Anna sees it (the target of edits, deletes, reactions). */
function marcosMessage(pick: number): MessageId {
  const his = listMessages(scene.anna.doc(sales)).filter((m) => m.author === 'marco' && !isDeleted(m))
  const m = his[pick % Math.max(1, his.length)]
  if (m === undefined) throw new Error('Marco has no message')
  return m.id
}

const outcome = (r: WriteResult): Outcome => ('acked' in r ? { acked: true } : { rejected: r.rejected })

/** An attack by Anna through her signed-in socket: a crafted update frame. */
function byAnna(doc: DocName, change: (d: Y.Doc) => void, clientId?: number): () => Promise<Outcome> {
  return async () => {
    scene.frames++
    return outcome(await attack(scene.anna, doc, change, clientId))
  }
}

/** An attack on a socket of its own (bad handshakes and frames): how the relay closed it. */
function onNewSocket(send: (c: TestClient) => void): () => Promise<Outcome> {
  return async () => {
    const c = await TestClient.open(scene.relay.wsUrl)
    scene.frames++
    send(c)
    const closed = await c.closed(5_000)
    return { closed: closed.code }
  }
}

const text = fc.string({ minLength: 1, maxLength: 80 }).map((s) => FORGED + s)

/** Every attack, with the answers that count as refused. */
const attacks = {
  forgedAuthor: text.map((t) => ({ expect: [Reason.forbidden], run: byAnna(sales, post('marco', t)) })),
  editOthers: fc.tuple(fc.nat(), text).map(([n, t]) => ({ expect: [Reason.forbidden], run: byAnna(sales, (d) => editMessage(d, marcosMessage(n), t, Date.now(), Origin.local)) })),
  deleteOthers: fc.nat().map((n) => ({ expect: [Reason.forbidden], run: byAnna(sales, (d) => deleteMessage(d, marcosMessage(n), Date.now(), Origin.local)) })),
  reactAsOther: fc.tuple(fc.nat(), fc.constantFrom('👍', '🎉', '👎')).map(([n, e]) => ({
    expect: [Reason.forbidden],
    run: byAnna(salesReactions, (d) => d.getMap('reactions').set(reactionKey(marcosMessage(n), e, 'marco' as UserId), Date.now())),
  })),
  postWhileReadOnly: text.map((t) => ({ expect: [Reason.readOnly], run: byAnna(announcements, post('anna', t)) })),
  reuseClientId: text.map((t) => ({
    expect: [Reason.forbidden],
    run: async (): Promise<Outcome> => {
      // On a copy that knows all of Marco's changes: on a stale one the crafted structs would
      // reuse clocks the relay already has, and it would take them for a resend and ignore them
      // (acknowledged, nothing stored: the end of the campaign checks that nothing forged is).
      const id = scene.marco.doc(sales).clientID
      const his = Y.getState(scene.marco.doc(sales).store, id)
      await scene.anna.until(() => Y.getState(scene.anna.doc(sales).store, id) >= his, 5_000, 'marco’s changes at anna')
      return byAnna(sales, post('anna', t), id)()
    },
  })),
  newRootType: fc.string({ minLength: 1, maxLength: 20 }).filter((k) => k !== 'messages').map((k) => ({
    expect: [Reason.invalidContent], run: byAnna(sales, (d) => d.getMap(k).set('x', FORGED)),
  })),
  junkMessage: fc.anything({ maxDepth: 3 }).map((value) => ({
    expect: [Reason.invalidContent, Reason.forbidden, Reason.valueTooDeep, Reason.valueTooLarge],
    run: byAnna(sales, (d) => d.getMap('messages').set(newMessageId(), value === undefined ? null : value)),
  })),
  deepValue: fc.integer({ min: 17, max: 60 }).map((depth) => {
    let deep: unknown = FORGED
    for (let i = 0; i < depth; i++) deep = { d: deep }
    const id = newMessageId()
    return { expect: [Reason.valueTooDeep], run: byAnna(sales, (d) => d.getMap('messages').set(id, { id, author: 'anna', time: Date.now(), text: 'x', deep })) }
  }),
  directoryByMember: fc.string({ minLength: 1, maxLength: 40 }).map((name) => ({
    expect: [Reason.readOnly], run: byAnna(directory, (d) => writeColleague(d, 'intruder' as UserId, { name, email: 'intruder@example.com' }, Origin.local)),
  })),
  othersPresence: fc.constantFrom('away', 'busy', 'available').map((availability) => ({
    expect: [Reason.readOnly, Reason.forbidden],
    run: byAnna(marcoPresence, (d) => writeStatus(d, { availability: availability, updatedAt: Date.now(), updatedBy: 'anna' as UserId }, Origin.local)),
  })),
  garbageFrame: fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes) => ({
    expect: [CloseCode.malformed, CloseCode.unauthorized],
    run: onNewSocket((c) => c.sendRaw(bytes)),
  })),
  readWithoutMembership: fc.integer({ min: 0, max: 1 }).map((seg) => ({
    expect: [Reason.forbidden],
    run: async (): Promise<Outcome> => {
      scene.frames++
      const { access } = await scene.anna.subscribe(docName.segment('field-reports' as ConvId, seg))
      return access === 'none' ? { rejected: Reason.forbidden } : { acked: true }
    },
  })),
  spoofedAwareness: fc.constantFrom('marco', 'emma', 'claire').map((who) => ({
    expect: [Reason.forbidden],
    run: async (): Promise<Outcome> => {
      scene.frames++
      const aw = scene.anna.awareness(sales)
      aw.setLocalState({ user: who, typing: true, at: Date.now() })
      const seen = await scene.emma.until(() => scene.emma.peers(sales).get(aw.clientID), 5_000, 'anna’s awareness at emma')
      // Stamped from her session: the spoofed name never reaches anyone.
      return seen['user'] === 'anna' ? { rejected: Reason.forbidden } : { acked: true }
    },
  })),
  forgedToken: fc.base64String({ minLength: 8, maxLength: 64 }).map((token) => ({
    expect: [CloseCode.unauthorized],
    run: onNewSocket((c) => c.sendRaw(encodeFrame({ type: 'hello', version: PROTOCOL_VERSION, token }))),
  })),
}

/** The attacks with their names, for the report of a failing plan. */
const named = Object.entries(attacks).map(([name, arb]) => (arb as fc.Arbitrary<{ expect: (string | number)[]; run: () => Promise<Outcome> }>).map((a) => ({ ...a, name })))

/** Marco says something honest between attacks; it must be acknowledged at once. */
async function honestTurn(i: number): Promise<void> {
  const t = `honest ${i} ${Date.now()}`
  scene.honest.push(t)
  expect(await scene.marco.write(sales, post('marco', t))).toEqual({ acked: true })
}

const seed = Number(process.env['SEED'] ?? Date.now() % 2_147_483_647)

/** Runs 10 generated plans of attacks from `seed`, then checks the honest side and the relay. */
async function campaign(seed: number): Promise<void> {
  console.log(`hostile campaign seed ${seed} (replay: SEED=${seed})`)
  const framesBefore = scene.frames
  let round = 0
  await fc.assert(
    fc.asyncProperty(fc.array(fc.oneof(...named), { minLength: 15, maxLength: 30 }), async (plan) => {
      for (const a of plan) {
        const got = await a.run()
        const refused = ('rejected' in got && (a.expect as string[]).includes(got.rejected)) || ('closed' in got && (a.expect as number[]).includes(got.closed))
        expect(refused, `${a.name} answered ${JSON.stringify(got)}, expected one of ${JSON.stringify(a.expect)}`).toBe(true)
        if (++round % 5 === 0) await honestTurn(round)
      }
    }),
    { seed, numRuns: 10, endOnFailure: true },
  )
  console.log(`hostile campaign: ${scene.frames - framesBefore} attack frames, ${scene.honest.length} honest messages so far`)

  // The honest side: every message arrived at Emma, nobody honest saw an error.
  const last = scene.honest.at(-1)
  if (last !== undefined) await scene.emma.until(() => texts(scene.emma.doc(sales)).includes(last), 10_000, 'the honest messages at emma')
  const atEmma = new Set(texts(scene.emma.doc(sales)))
  expect(scene.honest.filter((t) => !atEmma.has(t))).toEqual([])
  for (const c of [scene.marco, scene.emma]) {
    expect(c.errors).toEqual([])
    expect(c.rejects).toEqual([])
    expect(c.closeInfo).toBeNull()
  }
  // Nothing forged is stored; Marco's messages are still his, unedited; the relay serves.
  const stored = await scene.relay.server.hub.read(sales, (d) => listMessages(d))
  expect(stored.filter((m) => !isDeleted(m) && m.text.startsWith(FORGED))).toEqual([])
  expect(stored.filter((m) => m.author === 'marco' && (isDeleted(m) || m.editedAt !== undefined))).toEqual([])
  const reactions = await scene.relay.server.hub.read(salesReactions, (d) => [...d.getMap('reactions').keys()])
  expect(reactions.filter((k) => k.endsWith('|marco'))).toEqual([])
  expect(scene.anna.closeInfo).toBeNull()
  expect((await fetch(`${scene.relay.url}/health`)).status).toBe(200)
}

describe('the hostile-client campaign', () => {
  test('generated attacks from every attacker are refused while honest members chat undisturbed', async () => {
    await campaign(seed)
  })

  // Seeds that once failed, kept as named regressions.
  test('seed 2111715455: a client id reused before its owner wrote with it (the campaign now lets Marco write first)', async () => {
    await campaign(2111715455)
  })

  test('seed 2112393340: a client id reused on a stale copy is taken for a resend and ignored, never stored', async () => {
    await campaign(2112393340)
  })
})
