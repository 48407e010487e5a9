/** The table's rows: one number per relay for each metric, with the goal where it sets one. */
import type { RelayKind } from './clients.ts'
import type { DensityResult, JoinStormResult } from './capacity.ts'
import type { DurableResult, FanoutResult, PresenceResult } from './traffic.ts'

export const WORKLOADS = ['fanout', 'presence', 'joinstorm', 'density', 'durable'] as const
export type WorkloadName = (typeof WORKLOADS)[number]

export interface Row {
  label: string
  values: Partial<Record<RelayKind, number>>
  format: (v: number | undefined) => string
  /** Met when the value is at most `max`. */
  goal?: { text: string; max: number }
}

type Results = Partial<Record<WorkloadName, Partial<Record<RelayKind, unknown>>>>

const fixed = (digits: number, unit: string) => (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '—' : `${v.toFixed(digits)}${unit}`)
const msF = fixed(1, ' ms')
const MB = 1024 * 1024

/** Picks `metric` of each relay's result of `workload` (skipping failed runs). */
function pick<T>(results: Results, workload: WorkloadName, relays: readonly RelayKind[], metric: (r: T) => number): Partial<Record<RelayKind, number>> {
  const out: Partial<Record<RelayKind, number>> = {}
  for (const k of relays) {
    const r = results[workload]?.[k]
    if (r !== undefined && !(typeof r === 'object' && r !== null && 'error' in r)) out[k] = metric(r as T)
  }
  return out
}

export function trafficRows(results: Results, relays: readonly RelayKind[]): Row[] {
  const rows: Row[] = []
  if (results.fanout !== undefined) {
    const f = (m: (r: FanoutResult) => number) => pick(results, 'fanout', relays, m)
    rows.push(
      { label: 'fan-out: delivery p50', values: f((r) => r.p50Ms), format: msF },
      { label: 'fan-out: delivery p99', values: f((r) => r.p99Ms), format: msF, goal: { text: '≤ 25 ms', max: 25 } },
      { label: 'fan-out: relay CPU per delivered update', values: f((r) => r.cpuUsPerDelivery), format: fixed(1, ' µs') },
      { label: 'fan-out: delivered / expected', values: f((r) => (100 * r.delivered) / r.expected), format: fixed(1, ' %') },
    )
  }
  if (results.presence !== undefined) {
    const f = (m: (r: PresenceResult) => number) => pick(results, 'presence', relays, m)
    rows.push(
      { label: 'presence: relay CPU (cores)', values: f((r) => r.relayCores), format: fixed(2, ''), goal: { text: '≤ 0.5 core', max: 0.5 } },
      // Per awareness update the relay should deliver (clients × (clients − 1) per second): what a core buys, whatever the scale.
      { label: 'presence: relay CPU per due delivery', values: f((r) => (r.relayCores * 1e6) / (r.clients * (r.clients - 1))), format: fixed(2, ' µs') },
      { label: 'presence: delivery p50', values: f((r) => r.p50Ms), format: msF },
      { label: 'presence: delivery p99', values: f((r) => r.p99Ms), format: msF },
      { label: 'presence: delivered / expected', values: f((r) => (100 * r.delivered) / r.expected), format: fixed(1, ' %') },
    )
  }
  if (results.durable !== undefined) {
    const f = (m: (r: DurableResult) => number) => pick(results, 'durable', relays, m)
    rows.push(
      { label: 'write: confirmation p50 (see README)', values: f((r) => r.p50Ms), format: msF },
      { label: 'write: confirmation p99 (see README)', values: f((r) => r.p99Ms), format: msF, goal: { text: '≤ 25 ms', max: 25 } },
    )
  }
  return rows
}

export function capacityRows(results: Results, relays: readonly RelayKind[]): Row[] {
  const rows: Row[] = []
  if (results.joinstorm !== undefined) {
    const f = (m: (r: JoinStormResult) => number) => pick(results, 'joinstorm', relays, m)
    rows.push(
      { label: 'join storm: synced p50', values: f((r) => r.p50Ms / 1000), format: fixed(2, ' s') },
      { label: 'join storm: synced p99', values: f((r) => r.p99Ms / 1000), format: fixed(2, ' s'), goal: { text: '≤ 1.5 s', max: 1.5 } },
      { label: 'join storm: peak relay RSS', values: f((r) => r.peakRssBytes / MB), format: fixed(0, ' MiB'), goal: { text: '≤ 0.5 GB (477 MiB)', max: 500e6 / MB } },
    )
  }
  if (results.density !== undefined) {
    const f = (m: (r: DensityResult) => number) => pick(results, 'density', relays, m)
    rows.push(
      { label: 'density: memory per idle connection', values: f((r) => r.bytesPerIdleConnection / 1024), format: fixed(2, ' KiB'), goal: { text: '≤ 3 KB (2.93 KiB)', max: 3000 / 1024 } },
      { label: 'density: … of which V8 heap', values: f((r) => r.heapPerIdleConnection / 1024), format: fixed(2, ' KiB') },
      { label: 'density: memory per loaded small document', values: f((r) => r.bytesPerLoadedDoc / 1024), format: fixed(2, ' KiB') },
      { label: 'density: … of which V8 heap', values: f((r) => r.heapPerLoadedDoc / 1024), format: fixed(2, ' KiB') },
    )
  }
  return rows
}
