/**
 * Issue 8's relay benchmarks: Waggle's relay (`sync-server/src/main.ts`), Hocuspocus 3.4 and a
 * reference y-protocols relay (peers/), side by side on the same machine and workloads, each as
 * its own child process on its own default storage. Load generators are raw-protocol clients
 * in this process (clients.ts). See README.md, "relay (issue 8)", for what each number means.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { demoEmail } from '../../sync-server/src/demo/seed.ts'
import { signIn } from '../../sync-server/src/testing/relayHarness.ts'
import { WORKLOADS, capacityRows, trafficRows, type Row, type WorkloadName } from './report.ts'
import { density, joinStorm, LARGE_DOC, smallDoc } from './capacity.ts'
import { RELAY_KINDS, type RelayKind } from './clients.ts'
import { SALES_TEAM, largeSegment, smallSegment } from './content.ts'
import { STORAGE, preload, startRelay, type Relay, type StoredDoc } from './relays.ts'
import { durable, fanout, presence, type WorkloadContext } from './traffic.ts'
import { until } from './stats.ts'

const RESULTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'results')

export { WORKLOADS, type WorkloadName }

export interface RelayBenchOptions {
  /** Multiplies client counts, document counts and durations (1: the sizes). */
  scale: number
  workloads: readonly WorkloadName[]
  relays: readonly RelayKind[]
}
export const RELAY_DEFAULTS: RelayBenchOptions = { scale: 1, workloads: WORKLOADS, relays: RELAY_KINDS }

/** The large document's encoded size: the "4 MB document", a full segment of 5,000 messages. */
const LARGE_DOC_BYTES = 4_000_000
const LARGE_DOC_MESSAGES = 5_000
const SMALL_DOC_MESSAGES = 10

/** The sizes times `scale`, with floors that keep a quick run meaningful. */
export function sizesFor(scale: number) {
  const n = (full: number, min: number) => Math.max(min, Math.round(full * scale))
  return {
    fanout: { observers: n(1500, 10), writes: n(60, 8), intervalMs: 500 },
    presence: { clients: n(500, 10), warmupMs: n(5000, 1000), measureMs: n(20_000, 2000), probes: 50 },
    joinstorm: { clients: n(150, 5) },
    density: { idle: n(10_000, 100), docs: n(1000, 20) },
    durable: { writes: n(300, 20), intervalMs: 100 },
  }
}
type Sizes = ReturnType<typeof sizesFor>

/** A relay's data directory, preloaded, and (Waggle) the sales team's session tokens. */
interface Prepared { dir: string; tokens: Record<string, string> }

async function prepare(kind: RelayKind, docs: readonly StoredDoc[]): Promise<Prepared> {
  const dir = mkdtempSync(join(os.tmpdir(), `waggle-bench-${kind}-`))
  await preload(kind, dir, docs)
  const tokens: Record<string, string> = {}
  if (kind !== 'waggle') return { dir, tokens }
  // First start: seeds the demo and indexes the preloaded segments for search (a later start
  // would do it during a workload); the sessions are stored, so the tokens outlive the process.
  const relay = await startRelay(kind, dir)
  try {
    for (const user of SALES_TEAM) tokens[user] = (await signIn(relay.httpUrl, demoEmail(user))).token
    await until(() => relay.log().includes('Search index: re-indexed'), 300_000, 'the search backfill')
    await relay.quiet()
  } finally {
    await relay.stop()
  }
  return { dir, tokens }
}

type Results = Partial<Record<WorkloadName, Partial<Record<RelayKind, unknown>>>>

async function runWorkload(name: WorkloadName, ctx: WorkloadContext, sizes: Sizes): Promise<unknown> {
  switch (name) {
    case 'fanout': return fanout(ctx, sizes.fanout)
    case 'presence': return presence(ctx, sizes.presence)
    case 'joinstorm': return joinStorm(ctx, sizes.joinstorm)
    case 'density': return density(ctx, sizes.density)
    case 'durable': return durable(ctx, sizes.durable)
  }
}

export async function runRelayBench(options: RelayBenchOptions): Promise<{ table: string; file: string }> {
  const sizes = sizesFor(options.scale)
  const loadBefore = os.loadavg()
  const started = performance.now()
  const docs: StoredDoc[] = [{ name: LARGE_DOC, update: largeSegment(LARGE_DOC_BYTES, LARGE_DOC_MESSAGES) }]
  for (let i = 0; i < sizes.density.docs; i++) docs.push({ name: smallDoc(i), update: smallSegment(SMALL_DOC_MESSAGES, i) })
  const prepared = new Map<RelayKind, Prepared>()
  const results: Results = {}
  try {
    for (const kind of options.relays) prepared.set(kind, await prepare(kind, docs))
    // Workload by workload, each relay in turn, so a change in the machine's load hits all three alike.
    for (const name of options.workloads) {
      for (const kind of options.relays) {
        const p = prepared.get(kind) as Prepared
        const t0 = performance.now()
        let relay: Relay | null = null
        try {
          relay = await startRelay(kind, p.dir)
          const result = await runWorkload(name, { kind, relay, target: { kind, wsBase: relay.wsBase }, tokens: p.tokens }, sizes)
          ;(results[name] ??= {})[kind] = result
          console.log(`relay: ${name} on ${kind} in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
        } catch (err) {
          ;(results[name] ??= {})[kind] = { error: String(err) }
          console.log(`relay: ${name} on ${kind} failed: ${String(err)}\n${relay?.log().slice(-2000) ?? ''}`)
        } finally {
          await relay?.stop()
        }
      }
    }
  } finally {
    for (const p of prepared.values()) rmSync(p.dir, { recursive: true, force: true })
  }
  const rows: Row[] = [...trafficRows(results, options.relays), ...capacityRows(results, options.relays)]
  const { table, json } = render(rows, options.relays)
  const seconds = (performance.now() - started) / 1000
  mkdirSync(RESULTS, { recursive: true })
  const file = join(RESULTS, 'relay.json')
  writeFileSync(file, JSON.stringify({
    bench: 'relay', date: new Date().toISOString(), scale: options.scale, seconds, sizes,
    largeDocBytes: docs[0]?.update.byteLength, smallDocBytes: docs[1]?.update.byteLength,
    machine: {
      cpu: os.cpus()[0]?.model, cores: os.cpus().length, memoryBytes: os.totalmem(), os: `${os.type()} ${os.release()}`,
      node: process.version, loadAverageBefore: loadBefore, loadAverageAfter: os.loadavg(),
    },
    storage: STORAGE, results, rows: json,
  }, null, 2))
  const header = [
    `scale ${options.scale}, ${seconds.toFixed(0)} s; large document ${docs[0]?.update.byteLength ?? 0} bytes (${LARGE_DOC_MESSAGES} messages), small ones ${docs[1]?.update.byteLength ?? 0} bytes (${SMALL_DOC_MESSAGES} messages)`,
    `load average (1 min) before / after: ${(loadBefore[0] ?? 0).toFixed(2)} / ${(os.loadavg()[0] ?? 0).toFixed(2)} on ${os.cpus().length} cores`,
    ...options.relays.map((k) => `storage ${k}: ${STORAGE[k]}`),
  ]
  return { table: [...header, '', table].join('\n'), file }
}

function render(rows: readonly Row[], relays: readonly RelayKind[]): { table: string; json: unknown[] } {
  const peers = relays.filter((k) => k !== 'waggle')
  const head = ['metric', ...relays, ...peers.map((p) => `waggle/${p}`), 'goal', 'met']
  const lines = rows.map((r) => [
    r.label,
    ...relays.map((k) => r.format(r.values[k])),
    ...peers.map((p) => ratio(r.values.waggle, r.values[p])),
    r.goal?.text ?? '',
    r.goal === undefined ? '' : relays.map((k) => `${k[0]}:${met(r, k)}`).join(' '),
  ])
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)))
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ')
  const json = rows.map((r) => ({
    metric: r.label, values: r.values,
    ratios: Object.fromEntries(peers.map((p) => [`waggle/${p}`, numRatio(r.values.waggle, r.values[p])])),
    goal: r.goal?.text ?? null,
    met: r.goal === undefined ? null : Object.fromEntries(relays.map((k) => [k, met(r, k)])),
  }))
  return { table: [fmt(head), ...lines.map(fmt)].join('\n'), json }
}

function numRatio(a: number | undefined, b: number | undefined): number | null {
  return a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0 ? null : Math.round((a / b) * 100) / 100
}

function ratio(a: number | undefined, b: number | undefined): string {
  const r = numRatio(a, b)
  return r === null ? '—' : `${r.toFixed(2)}×`
}

function met(r: Row, kind: RelayKind): string {
  const v = r.values[kind]
  if (r.goal === undefined || v === undefined || !Number.isFinite(v)) return '—'
  return v <= r.goal.max ? 'yes' : 'no'
}
