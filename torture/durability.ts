import { MemoryDocStorage, SyncClient, type DocHandle } from '@waggle/client'
import {
  Origin, appendMessage, directConvId, docName, listMessages, messageIdsIn, newMessageId,
  type ConvId, type DocName, type UserId,
} from '@waggle/schema'
import WebSocket from 'ws'
import { signIn } from '../e2e/support/auth.ts'
import { RelayProcess } from '../e2e/support/relay.ts'
import { Rng } from './rng.ts'

/**
 * Issue 8, durability: under a steady write load, `kill -9` the real relay (a child process on
 * SQLite) again and again and restart it on the same data directory; no update the relay
 * acknowledged may be lost, and none may appear twice.
 *
 * The writers are the client's real sync layer (SyncClient on MemoryDocStorage), so the test
 * also covers its outbox, resend and reconnect. An acknowledgement is the exact moment the
 * client handles the relay's `ack` frame: it calls `storage.ack([seq])`, which removes the
 * outbox entry (the app then shows the message as sent); {@link AckRecordingStorage} records
 * which messages that entry held.
 */
export interface DurabilityOptions {
  clients: number
  kills: number
  seed: number
  log?: (line: string) => void
  /** Mean time between one writer's messages (default 1000 ms: under the relay's 30 per 10 s, with room for resends). */
  writeIntervalMs?: number
  /** Share of writers that forget what was acknowledged at each kill (default 0.25; see `Writer.forgetAcknowledged`). */
  forgetShare?: number
  /** Time between a restart (once half the writers are back) and the next kill: uniform in this range. */
  killAfterMs?: { min: number; max: number }
}

export interface DurabilityReport {
  seed: number
  clients: number
  kills: number
  /** Messages the writers created. */
  written: number
  /** Messages the relay acknowledged (distinct ids). */
  acked: number
  /** Acknowledged after the first kill. */
  ackedAfterKill: number
  /** Kills with at least one acknowledgement since the restart before them (or the start). */
  killsAfterAcks: number
  /** Unacknowledged outbox entries over all writers at each kill, summed (load at the moment of the crash). */
  pendingAtKills: number
  /** Ids of acknowledged messages missing (or changed) in the relay's copy at the end. */
  lost: string[]
  /** Messages stored under more than one id or in more than one document. */
  duplicated: string[]
  /** Written, never acknowledged and not at the relay (expected empty once nothing is pending). */
  undelivered: string[]
  /** Outbox entries left, pending or rejected, after the settle. */
  pendingAtEnd: number
  rejectedAtEnd: number
  /** Writers that forgot everything acknowledged at a kill, summed over the kills. */
  forgotten: number
  /** Mean time from `kill -9` to the restarted relay listening. */
  meanRestartMs: number
  durationMs: number
}

const DM = directConvId('anna' as UserId, 'marco' as UserId)
/** Demo users and the conversations they may write in (sync-server/src/demo/seed.ts). */
const WRITABLE: readonly [user: string, convs: readonly ConvId[]][] = [
  ['anna', ['sales-team' as ConvId, DM]], ['lena', ['support' as ConvId]], ['claire', ['announcements' as ConvId]],
  ['marco', [DM, 'sales-team' as ConvId]], ['tom', ['support' as ConvId]], ['jonas', ['announcements' as ConvId, 'support' as ConvId]],
  ['diego', ['sales-team' as ConvId]], ['sofia', ['support' as ConvId]], ['emma', ['sales-team' as ConvId]],
  ['luca', ['support' as ConvId]], ['priya', ['sales-team' as ConvId]], ['noah', ['support' as ConvId]],
]
/** Who reads each conversation back at the end. */
const READERS: readonly [user: string, conv: ConvId][] = [
  ['anna', 'sales-team' as ConvId], ['anna', DM], ['lena', 'support' as ConvId], ['claire', 'announcements' as ConvId],
]
const RECONNECT_TIMEOUT_MS = 30_000
const SETTLE_TIMEOUT_MS = 90_000
const READ_TIMEOUT_MS = 30_000
/**
 * Share of writers that forget what was acknowledged at each kill (see
 * {@link Writer.forgetAcknowledged}): a lost acknowledged update is caught when its writer is
 * among them; the others' full copies keep the reconnect traffic realistic.
 */
const FORGET_SHARE_DEFAULT = 0.25

interface Session {
  token: string
  account: string
}

/** MemoryDocStorage that reports the messages of each outbox entry the relay acknowledged. */
class AckRecordingStorage extends MemoryDocStorage {
  constructor(readonly onAck: (ids: readonly string[]) => void) {
    super()
  }

  override async ack(seqs: readonly number[]): Promise<void> {
    for (const entry of await this.outbox()) if (seqs.includes(entry.seq)) this.onAck(messageIdsIn(entry.update))
    return super.ack(seqs)
  }
}

/**
 * A `ws` WebSocket from its own loopback address: each writer is a device of its own to the
 * relay, whose pre-authentication limit (8 sockets per address) would otherwise make 50
 * clients on one address wait for each other after every restart.
 */
function socketFrom(localAddress: string): typeof globalThis.WebSocket {
  class FromAddress extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { localAddress })
    }
  }
  return FromAddress as unknown as typeof globalThis.WebSocket
}

function newClient(relay: RelayProcess, session: Session, storage: MemoryDocStorage, index: number): SyncClient {
  return new SyncClient({
    account: session.account, url: relay.wsUrl, token: session.token, storage,
    WebSocket: socketFrom(`127.0.${1 + Math.floor(index / 250)}.${2 + (index % 250)}`),
    network: null, tabs: null, releaseDelayMs: 0,
  })
}

const connected = (client: SyncClient): boolean => ['syncing', 'synced'].includes(client.status.get().state)

async function waitFor(what: string, condition: () => boolean, timeoutMs: number, seed: number, detail: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`durability (seed ${seed}): timed out after ${timeoutMs} ms waiting for ${what}${detail()}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** One client writing single-message updates to one conversation at a steady, jittered rate. */
class Writer {
  storage: AckRecordingStorage
  client: SyncClient
  handle: DocHandle
  /** Message id -> text, for every message this writer created. */
  readonly written = new Map<string, string>()
  #timer: ReturnType<typeof setTimeout> | null = null
  #n = 0

  constructor(
    readonly index: number,
    readonly user: string,
    readonly doc: DocName,
    readonly relay: RelayProcess,
    readonly session: Session,
    readonly onAck: (writer: Writer, ids: readonly string[]) => void,
  ) {
    this.storage = new AckRecordingStorage((ids) => onAck(this, ids))
    this.client = newClient(relay, session, this.storage, index)
    this.handle = this.client.open(doc)
  }

  /**
   * The device forgets everything the relay acknowledged and starts again with only its pending
   * outbox entries (called while the relay is down, so no ack is in flight). Otherwise its copy
   * would heal a loss at the relay: on reconnect, Yjs sync sends the relay whatever it lacks.
   */
  async forgetAcknowledged(): Promise<void> {
    const pending = (await this.storage.outbox()).filter((e) => e.state === 'pending')
    this.handle.release()
    this.client.close()
    this.storage = new AckRecordingStorage((ids) => this.onAck(this, ids))
    for (const entry of pending) await this.storage.storeLocal(entry.doc, entry.update)
    this.client = newClient(this.relay, this.session, this.storage, this.index)
    this.handle = this.client.open(this.doc)
  }

  start(rng: Rng, meanMs: number, seed: number): void {
    const next = (): void => {
      this.#timer = setTimeout(() => {
        this.#write(seed)
        next()
      }, Math.round(meanMs * (0.8 + 0.4 * rng.next())))
    }
    next()
  }

  stop(): void {
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
  }

  close(): void {
    this.stop()
    this.handle.release()
    this.client.close()
  }

  #write(seed: number): void {
    const text = `durability ${seed} w${this.index} #${this.#n++}`
    const id = newMessageId()
    this.written.set(id, text)
    appendMessage(this.handle.doc, { id, author: this.user as UserId, time: Date.now(), text }, Origin.local)
  }
}

/** Every message of `conv` as the relay has it, read by a fresh client after a restart. */
async function readBack(relay: RelayProcess, session: Session, conv: ConvId, index: number, seed: number): Promise<{ id: string; text: string }[]> {
  const client = newClient(relay, session, new MemoryDocStorage(), index)
  const doc = docName.segment(conv, 0)
  const handle = client.open(doc)
  try {
    let synced = false
    void client.whenSynced(doc).then(() => (synced = true))
    await waitFor(`a fresh client to read ${doc}`, () => synced && client.access(doc) !== null, READ_TIMEOUT_MS, seed)
    return listMessages(handle.doc).map((m) => ({ id: m.id, text: 'text' in m ? m.text : '(deleted)' }))
  } finally {
    handle.release()
    client.close()
  }
}

/**
 * Runs the durability torture: `clients` writers, `kills` crashes of the relay (SIGKILL, then a
 * restart on the same data directory), a settle, then a final crash and restart after which a
 * fresh client reads every conversation back (so only what SQLite committed counts).
 */
export async function runDurability(options: DurabilityOptions): Promise<DurabilityReport> {
  const { clients, kills, seed } = options
  const log = options.log ?? (() => {})
  const writeIntervalMs = options.writeIntervalMs ?? 1000
  const forgetShare = options.forgetShare ?? FORGET_SHARE_DEFAULT
  const killAfter = options.killAfterMs ?? { min: 200, max: 1500 }
  const schedule = new Rng(seed, 0)
  const started = Date.now()
  log(`durability: seed ${seed}, ${clients} clients, ${kills} kills (replay with TORTURE_SEED=${seed})`)

  const relay = await RelayProcess.start()
  const writers: Writer[] = []
  let ok = false
  try {
    const sessions = new Map<string, Session>()
    for (const [user] of WRITABLE) {
      // Signed in once per user (the relay limits sign-in codes per address); sessions are
      // stored in SQLite, so the tokens stay valid across every restart.
      const s = await signIn(relay.url, `${user}@example.com`)
      sessions.set(user, { token: s.token, account: `${s.workspaceId}.${s.userId}` })
    }
    const session = (user: string): Session => sessions.get(user) as Session

    let epoch = 0
    const acked = new Map<string, { writer: Writer; epoch: number }>()
    const ackedPerEpoch: number[] = [0]
    const onAck = (writer: Writer, ids: readonly string[]): void => {
      for (const id of ids) {
        if (acked.has(id)) continue
        acked.set(id, { writer, epoch })
        ackedPerEpoch[epoch] = (ackedPerEpoch[epoch] ?? 0) + 1
      }
    }
    for (let i = 0; i < clients; i++) {
      const [user, convs] = WRITABLE[i % WRITABLE.length] as (typeof WRITABLE)[number]
      const conv = convs[Math.floor(i / WRITABLE.length) % convs.length] as ConvId
      writers.push(new Writer(i, user, docName.segment(conv, 0), relay, session(user), onAck))
    }
    const connectedCount = (): number => writers.filter((w) => connected(w.client)).length
    /** The writers' states and problems, counted, and the relay's last words, for a timeout. */
    const states = (): string => {
      const counts = new Map<string, number>()
      for (const w of writers) {
        const st = w.client.status.get()
        const key = `${st.state}${st.problem === null ? '' : `/${st.problem}`}`
        counts.set(key, (counts.get(key) ?? 0) + 1)
      }
      return `; writers: ${JSON.stringify(Object.fromEntries(counts))}, ${pendingCount()} pending; relay log tail:\n${relay.log.slice(-3000)}`
    }
    const pendingCount = (): number => writers.reduce((n, w) => n + w.client.status.get().pending, 0)
    await waitFor('every writer to connect', () => writers.every((w) => w.client.status.get().state === 'synced'), RECONNECT_TIMEOUT_MS, seed, states)
    for (const w of writers) w.start(new Rng(seed, 1 + w.index), writeIntervalMs, seed)

    let killsAfterAcks = 0
    let pendingAtKills = 0
    let restartMs = 0
    let forgotten = 0
    for (let k = 1; k <= kills; k++) {
      await waitFor(`half the writers to reconnect before kill ${k}`, () => connectedCount() >= Math.ceil(clients / 2), RECONNECT_TIMEOUT_MS, seed, states)
      // The fault schedule, not a wait for a condition: the crash comes at a seeded moment.
      await new Promise((resolve) => setTimeout(resolve, killAfter.min + schedule.int(killAfter.max - killAfter.min + 1)))
      const pending = pendingCount()
      pendingAtKills += pending
      if ((ackedPerEpoch[epoch] ?? 0) > 0) killsAfterAcks += 1
      const killedAt = Date.now()
      await relay.kill()
      epoch = k
      ackedPerEpoch[epoch] = 0
      const forgetting = writers.filter(() => schedule.chance(forgetShare))
      for (const w of forgetting) await w.forgetAcknowledged()
      forgotten += forgetting.length
      await relay.restart()
      restartMs += Date.now() - killedAt
      if (k % 10 === 0 || k === kills) {
        log(`durability: kill ${k}/${kills}, ${acked.size} acked, ${pending} pending at the kill, ${connectedCount()}/${clients} connected, ${Math.round((Date.now() - started) / 1000)} s`)
      }
    }

    // Writing goes on after the last restart (so there are acknowledgements after it), then stops.
    await waitFor('half the writers to reconnect after the last kill', () => connectedCount() >= Math.ceil(clients / 2), RECONNECT_TIMEOUT_MS, seed, states)
    await waitFor('an acknowledgement after the last restart', () => (ackedPerEpoch[epoch] ?? 0) > 0, RECONNECT_TIMEOUT_MS, seed, states)
    for (const w of writers) w.stop()
    const settled = writers.map(() => false)
    const settle = async (): Promise<void> => {
      const deadline = Date.now() + SETTLE_TIMEOUT_MS
      while (Date.now() < deadline) {
        for (const [i, w] of writers.entries()) settled[i] = w.client.status.get().state === 'synced' && (await w.client.outbox()).length === 0
        if (settled.every(Boolean)) return
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    }
    await settle()
    let pendingAtEnd = 0
    let rejectedAtEnd = 0
    for (const w of writers) {
      for (const e of await w.client.outbox()) {
        if (e.state === 'pending') pendingAtEnd += 1
        else rejectedAtEnd += 1
      }
    }
    if (pendingAtEnd + rejectedAtEnd > 0) log(`durability: seed ${seed}: ${pendingAtEnd} pending and ${rejectedAtEnd} rejected outbox entries after ${SETTLE_TIMEOUT_MS} ms of settling`)
    const written = new Map<string, Writer>()
    for (const w of writers) for (const id of w.written.keys()) written.set(id, w)
    for (const w of writers.splice(0)) w.close()

    // Only what SQLite committed counts: one more crash before the relay's copy is read.
    await relay.kill()
    await relay.restart()
    const atRelay = new Map<string, { text: string; docs: DocName[] }>()
    for (const [i, [user, conv]] of READERS.entries()) {
      for (const m of await readBack(relay, session(user), conv, clients + i, seed)) {
        const seen = atRelay.get(m.id)
        if (seen === undefined) atRelay.set(m.id, { text: m.text, docs: [docName.segment(conv, 0)] })
        else seen.docs.push(docName.segment(conv, 0))
      }
    }

    const lost: string[] = []
    for (const [id, { writer }] of acked) {
      const there = atRelay.get(id)
      if (there === undefined || there.text !== writer.written.get(id) || !there.docs.includes(writer.doc)) lost.push(id)
    }
    const byText = new Map<string, string[]>()
    for (const [id, { text, docs }] of atRelay) {
      if (!text.startsWith(`durability ${seed} `)) continue
      byText.set(text, [...(byText.get(text) ?? []), ...docs.map(() => id)])
    }
    const duplicated = [...byText].filter(([, ids]) => ids.length > 1).map(([text, ids]) => `${text}: ${ids.join(', ')}`)
    const report: DurabilityReport = {
      seed, clients, kills,
      written: written.size,
      acked: acked.size,
      ackedAfterKill: ackedPerEpoch.slice(1).reduce((a, b) => a + b, 0),
      killsAfterAcks, pendingAtKills, forgotten, lost, duplicated,
      undelivered: [...written.keys()].filter((id) => !acked.has(id) && !atRelay.has(id)),
      pendingAtEnd, rejectedAtEnd,
      meanRestartMs: kills === 0 ? 0 : Math.round(restartMs / kills),
      durationMs: Date.now() - started,
    }
    ok = lost.length === 0 && duplicated.length === 0
    log(`durability: seed ${seed}: ${report.written} written, ${report.acked} acked (${report.ackedAfterKill} after a kill), `
      + `${lost.length} lost, ${duplicated.length} duplicated, ${report.undelivered.length} undelivered, ${pendingAtEnd} pending at the end, `
      + `${Math.round(report.durationMs / 1000)} s`)
    if (!ok) log(`durability: seed ${seed} FAILED; relay data kept in ${relay.dataDir}; lost: ${lost.slice(0, 20).join(', ')}`)
    return report
  } catch (err) {
    log(`durability: seed ${seed} failed: ${err instanceof Error ? err.message : String(err)}; relay data kept in ${relay.dataDir}`)
    throw err
  } finally {
    for (const w of writers) w.close()
    if (ok) await relay.dispose()
    else await relay.kill()
  }
}
