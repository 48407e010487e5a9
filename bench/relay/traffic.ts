/**
 * Workloads with traffic: fan-out (one writer, many observers), presence (awareness at 1 Hz)
 * and durable writes (acknowledgement latency). Each runs against one relay process.
 */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { connect, type BenchClient, type RelayKind, type Target } from './clients.ts'
import { MessageWriter, SALES_TEAM, markerOf } from './content.ts'
import type { Relay } from './relays.ts'
import { Histogram, pool, sleep, until } from './stats.ts'

/** The demo's sales-team segment: every sales-team member reads and writes it. */
export const CHAT_DOC = 'conv/sales-team/seg/0'
/**
 * Sockets opened at a time: Waggle closes (4529) a socket past 8 unauthenticated ones per
 * address (`maxPendingSocketsPerIp`); the same pace is used for every relay.
 */
export const CONNECT_CONCURRENCY = 8

export interface WorkloadContext {
  kind: RelayKind
  relay: Relay
  target: Target
  /** Session tokens of the sales team (Waggle); empty strings for the peers. */
  tokens: Readonly<Record<string, string>>
}

export const member = (i: number): string => SALES_TEAM[i % SALES_TEAM.length] ?? 'anna'

/** A client of `user` that has joined `doc` (for the reference relay, a socket of that room). */
export async function joined(ctx: WorkloadContext, user: string, doc: string): Promise<BenchClient> {
  const client = await connect(ctx.target, ctx.tokens[user] ?? '', doc)
  await client.join(doc)
  return client
}

const ms = (x: number): number => Math.round(x * 1000) / 1000

export interface FanoutOptions { observers: number; writes: number; intervalMs: number }
export interface FanoutResult {
  observers: number; writes: number; delivered: number; expected: number; writeErrors: number
  p50Ms: number; p99Ms: number; maxMs: number
  /** Relay CPU time (utime + stime) from the first write until the last delivery, in ms. */
  relayCpuMs: number
  /** relayCpuMs / delivered, in µs. */
  cpuUsPerDelivery: number
}

/** One writer appends `writes` messages, one every `intervalMs`; every observer's receipt is timed. */
export async function fanout(ctx: WorkloadContext, o: FanoutOptions): Promise<FanoutResult> {
  const observers = await pool(o.observers, CONNECT_CONCURRENCY, (i) => joined(ctx, member(i), CHAT_DOC))
  const writer = await joined(ctx, 'marco', CHAT_DOC)
  const sent: number[] = []
  const hist = new Histogram()
  let delivered = 0
  let writeErrors = 0
  for (const c of observers) {
    c.onUpdate = (_doc, update) => {
      const t = sent[markerOf(update)]
      if (t === undefined) return
      hist.record(performance.now() - t)
      delivered += 1
    }
  }
  try {
    await ctx.relay.quiet()
    const cpu0 = ctx.relay.cpuMs()
    const messages = new MessageWriter('marco')
    for (let i = 0; i < o.writes; i++) {
      const update = messages.next(i)
      sent[i] = performance.now()
      writer.write(CHAT_DOC, update).catch(() => void (writeErrors += 1))
      await sleep(o.intervalMs)
    }
    const expected = o.writes * o.observers
    await until(() => delivered >= expected, 30_000, 'every delivery').catch(() => undefined)
    const relayCpuMs = ctx.relay.cpuMs() - cpu0
    return {
      observers: o.observers, writes: o.writes, delivered, expected, writeErrors,
      p50Ms: ms(hist.quantile(50)), p99Ms: ms(hist.quantile(99)), maxMs: ms(hist.max),
      relayCpuMs, cpuUsPerDelivery: ms((relayCpuMs * 1000) / Math.max(1, delivered)),
    }
  } finally {
    for (const c of [...observers, writer]) c.close()
  }
}

export interface PresenceOptions { clients: number; warmupMs: number; measureMs: number; probes: number }
export interface PresenceResult {
  clients: number; probes: number; measuredSeconds: number
  /** Relay CPU time over the measured window / its wall time: cores in use. */
  relayCores: number
  /** Awareness updates the probe clients received from others in the window, and how many were sent to them. */
  delivered: number; expected: number
  p50Ms: number; p99Ms: number; maxMs: number
}

function awarenessUpdate(clientId: number, clock: number, state: Record<string, unknown>): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, 1)
  encoding.writeVarUint(e, clientId)
  encoding.writeVarUint(e, clock)
  encoding.writeVarString(e, JSON.stringify(state))
  return encoding.toUint8Array(e)
}

/** Send times (`t`, this process's performance.now()) of the others' states in an awareness update. */
function sendTimes(update: Uint8Array, own: number): number[] {
  const d = decoding.createDecoder(update)
  const out: number[] = []
  for (let n = decoding.readVarUint(d); n > 0; n--) {
    const id = decoding.readVarUint(d)
    decoding.readVarUint(d)
    const state = JSON.parse(decoding.readVarString(d)) as { t?: unknown } | null
    if (id !== own && typeof state?.t === 'number') out.push(state.t)
  }
  return out
}

/**
 * Every client sets its awareness state once a second (phases spread over the second). The
 * first `probes` clients time what they receive; the others do not decode (same relay work).
 */
export async function presence(ctx: WorkloadContext, o: PresenceOptions): Promise<PresenceResult> {
  const clients = await pool(o.clients, CONNECT_CONCURRENCY, (i) => joined(ctx, member(i), CHAT_DOC))
  const ids = clients.map((_, i) => 1_000_000 + i)
  const hist = new Histogram()
  let window: { from: number; to: number } | null = null
  let delivered = 0
  clients.forEach((c, i) => {
    if (i >= o.probes) {
      c.inspect = false
      return
    }
    c.onAwareness = (_doc, update) => {
      const now = performance.now()
      for (const t of sendTimes(update, ids[i] ?? 0)) {
        if (window === null || t < window.from || t >= window.to) continue
        hist.record(now - t)
        delivered += 1
      }
    }
  })
  const timers: ReturnType<typeof setInterval>[] = []
  const starters = clients.map((c, i) => setTimeout(() => {
    let clock = 0
    const tick = (): void => c.awareness(CHAT_DOC, awarenessUpdate(ids[i] ?? 0, ++clock, { t: performance.now(), name: `Bench ${i}`, status: 'online', typing: false }))
    tick()
    timers.push(setInterval(tick, 1000))
  }, (i * 1000) / o.clients))
  try {
    await sleep(o.warmupMs + 1000) // + the last phase offset
    const cpu0 = ctx.relay.cpuMs()
    const from = performance.now()
    window = { from, to: from + o.measureMs }
    await sleep(o.measureMs)
    const relayCpuMs = ctx.relay.cpuMs() - cpu0
    // Let the window's last updates arrive.
    await sleep(1000)
    return {
      clients: o.clients, probes: Math.min(o.probes, o.clients), measuredSeconds: o.measureMs / 1000,
      relayCores: ms(relayCpuMs / o.measureMs), delivered,
      expected: Math.min(o.probes, o.clients) * (o.clients - 1) * (o.measureMs / 1000),
      p50Ms: ms(hist.quantile(50)), p99Ms: ms(hist.quantile(99)), maxMs: ms(hist.max),
    }
  } finally {
    for (const t of starters) clearTimeout(t)
    for (const t of timers) clearInterval(t)
    for (const c of clients) c.close()
  }
}

export interface DurableOptions { writes: number; intervalMs: number }
export interface DurableResult { writes: number; p50Ms: number; p99Ms: number; maxMs: number; errors: number }

/**
 * Single-message writes, one every `intervalMs`, each waiting for its confirmation: Waggle's ack
 * (committed to SQLite), Hocuspocus' SyncStatus (applied in memory), and for the reference relay,
 * which confirms nothing, the update's echo at a second client. Writers take turns over the five
 * sales-team members (one connection each), which keeps each under Waggle's per-connection
 * limit of 30 message writes per 10 s.
 */
export async function durable(ctx: WorkloadContext, o: DurableOptions): Promise<DurableResult> {
  const writers = await pool(SALES_TEAM.length, CONNECT_CONCURRENCY, (i) => joined(ctx, member(i), CHAT_DOC))
  const echo = await joined(ctx, 'anna', CHAT_DOC)
  const messages = SALES_TEAM.map((user) => new MessageWriter(user))
  const waiting = new Map<number, () => void>()
  echo.onUpdate = (_doc, update) => {
    const n = markerOf(update)
    waiting.get(n)?.()
    waiting.delete(n)
  }
  const hist = new Histogram()
  let errors = 0
  try {
    await ctx.relay.quiet()
    for (let i = 0; i < o.writes; i++) {
      const k = i % SALES_TEAM.length
      const update = (messages[k] as MessageWriter).next(i)
      const echoed = new Promise<void>((resolve) => waiting.set(i, resolve))
      const t0 = performance.now()
      try {
        await (writers[k] as BenchClient).write(CHAT_DOC, update)
        if (ctx.kind === 'reference') await Promise.race([echoed, sleep(10_000)])
        hist.record(performance.now() - t0)
      } catch {
        errors += 1
      }
      waiting.delete(i)
      await sleep(Math.max(0, o.intervalMs - (performance.now() - t0)))
    }
    return { writes: o.writes, p50Ms: ms(hist.quantile(50)), p99Ms: ms(hist.quantile(99)), maxMs: ms(hist.max), errors }
  } finally {
    for (const c of [...writers, echo]) c.close()
  }
}
