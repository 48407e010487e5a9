/**
 * The write gate's cost (issue 7): the relay's time to decide a client's update under the
 * content gate, and the acknowledgement latency a client sees with the gate on and off, on a
 * small segment (the demo sales team) and a full one (Field reports' 5,000-message segment).
 * Real relay in this process (SQLite in a temp directory), real WebSocket on 127.0.0.1.
 */
import { docName, type ConvId, type DocName } from '@waggle/schema'
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { connectAs, post } from '../../sync-server/src/testing/fixtures.ts'
import { startRelay } from '../../sync-server/src/testing/relayHarness.ts'

const RESULTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'results')

export interface GateOptions {
  /** Messages written per case. */
  writes: number
}
export const GATE_DEFAULTS: GateOptions = { writes: 2_000 }

interface Case {
  name: string
  doc: DocName
  writer: string
}

const CASES: Case[] = [
  { name: 'sales team (few messages)', doc: docName.segment('sales-team' as ConvId, 0), writer: 'marco' },
  { name: 'field reports (5,000-message segment)', doc: docName.segment('field-reports' as ConvId, 1), writer: 'lena' },
]

interface CaseResult {
  case: string
  gate: boolean
  ackP50Ms: number
  ackP99Ms: number
  /** The relay's decision time per update (gate on only). */
  decideP50Ms: number | null
  decideP99Ms: number | null
  decideMaxMs: number | null
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN

async function runCase(c: Case, gate: boolean, options: GateOptions): Promise<CaseResult> {
  const relay = await startRelay({
    fieldReports: true,
    config: { writeGate: gate, segmentWritesPerWindow: 1_000_000, inboxDebounceMs: 50 },
  })
  try {
    const client = await connectAs(relay, c.writer)
    await client.subscribe(c.doc)
    // Warm up: the document loads and the gate builds its shadow.
    for (let i = 0; i < 20; i++) await client.write(c.doc, post(c.writer, `warm-up ${i}`))
    const before = relay.server.hub.gateStats().count
    const acks: number[] = []
    for (let i = 0; i < options.writes; i++) {
      const t0 = performance.now()
      const r = await client.write(c.doc, post(c.writer, `Bench message ${i}: checked the SIP trunk, all good.`))
      acks.push(performance.now() - t0)
      if (!('acked' in r)) throw new Error(`write ${i} refused: ${JSON.stringify(r)}`)
    }
    const stats = relay.server.hub.gateStats()
    await client.close()
    acks.sort((a, b) => a - b)
    const judged = gate && stats.count - before >= options.writes
    return {
      case: c.name, gate, ackP50Ms: pct(acks, 50), ackP99Ms: pct(acks, 99),
      decideP50Ms: judged ? stats.p50Ms : null, decideP99Ms: judged ? stats.p99Ms : null, decideMaxMs: judged ? stats.maxMs : null,
    }
  } finally {
    await relay.stop()
  }
}

const f = (x: number | null) => (x === null ? '—' : `${x.toFixed(3)} ms`)

export async function runGateBench(options: GateOptions): Promise<{ table: string; file: string }> {
  const results: CaseResult[] = []
  for (const c of CASES) {
    for (const gate of [false, true]) results.push(await runCase(c, gate, options))
  }
  const lines = [`${'case'.padEnd(40)} ${'gate'.padEnd(5)} ${'ack p50'.padStart(11)} ${'ack p99'.padStart(11)} ${'decide p50'.padStart(11)} ${'decide p99'.padStart(11)} ${'decide max'.padStart(11)}`]
  for (const r of results) lines.push(`${r.case.padEnd(40)} ${(r.gate ? 'on' : 'off').padEnd(5)} ${f(r.ackP50Ms).padStart(11)} ${f(r.ackP99Ms).padStart(11)} ${f(r.decideP50Ms).padStart(11)} ${f(r.decideP99Ms).padStart(11)} ${f(r.decideMaxMs).padStart(11)}`)
  for (const c of CASES) {
    const off = results.find((r) => r.case === c.name && !r.gate)
    const on = results.find((r) => r.case === c.name && r.gate)
    if (off && on) lines.push(`${c.name}: ack p99 with the gate / without = ${(on.ackP99Ms / off.ackP99Ms).toFixed(2)}×`)
  }
  mkdirSync(RESULTS, { recursive: true })
  const file = join(RESULTS, 'gate.json')
  writeFileSync(file, JSON.stringify({
    bench: 'gate', date: new Date().toISOString(), writes: options.writes,
    machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, node: process.version, loadAverage: os.loadavg() }, results,
  }, null, 2))
  return { table: lines.join('\n'), file }
}
