/**
 * CRDT choice (issue 8): the chat workload in Yjs and in Automerge, each in its own Node
 * process with `--expose-gc`, side by side with Automerge/Yjs ratios. Documents why Waggle
 * carries every document in Yjs; Automerge appears nowhere else (README, bundle check).
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { CrdtResult } from './measure.ts'

const HERE = dirname(fileURLToPath(import.meta.url))
const RESULTS = join(HERE, '..', 'results')

export interface CrdtOptions {
  seed: number
  messages: number
}

export const CRDT_DEFAULTS: Omit<CrdtOptions, 'seed'> = { messages: 100_000 }

function measure(library: 'yjs' | 'automerge', options: CrdtOptions): CrdtResult {
  const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(HERE, 'measure.ts'), library, String(options.seed), String(options.messages)], {
    encoding: 'utf8', maxBuffer: 1 << 20, stdio: ['ignore', 'pipe', 'inherit'],
  })
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as CrdtResult
}

const mb = (b: number) => `${(b / 1e6).toFixed(2)} MB`
const ms = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(1)} ms`)
const ratio = (a: number, b: number) => `${(a / b).toFixed(1)}×`

export function runCrdtBench(options: CrdtOptions): { table: string; file: string } {
  const yjs = measure('yjs', options)
  const automerge = measure('automerge', options)
  if (yjs.liveMessages !== automerge.liveMessages || yjs.reactions !== automerge.reactions) {
    throw new Error(`The two runs ended in different states: ${JSON.stringify({ yjs, automerge })}`)
  }
  const rows: [string, string, string, string][] = [
    ['operations (send, edit, delete, react)', String(yjs.ops), String(automerge.ops), ''],
    ['apply all, one transaction each', ms(yjs.applyMs), ms(automerge.applyMs), ratio(automerge.applyMs, yjs.applyMs)],
    ['per operation', `${yjs.usPerOp.toFixed(1)} µs`, `${automerge.usPerOp.toFixed(1)} µs`, ratio(automerge.usPerOp, yjs.usPerOp)],
    ['encoded size', mb(yjs.encodedBytes), mb(automerge.encodedBytes), ratio(automerge.encodedBytes, yjs.encodedBytes)],
    ['load from encoded', ms(yjs.loadMs), ms(automerge.loadMs), ratio(automerge.loadMs, yjs.loadMs)],
    ['heap of the loaded document', mb(yjs.loadedHeapBytes), mb(automerge.loadedHeapBytes), ratio(automerge.loadedHeapBytes, yjs.loadedHeapBytes)],
  ]
  const head = `${'measure'.padEnd(40)} ${'Yjs'.padStart(12)} ${'Automerge'.padStart(12)} ${'Automerge/Yjs'.padStart(14)}`
  const table = [head, ...rows.map(([m, y, a, r]) => `${m.padEnd(40)} ${y.padStart(12)} ${a.padStart(12)} ${r.padStart(14)}`)].join('\n')
  mkdirSync(RESULTS, { recursive: true })
  const file = join(RESULTS, 'crdt.json')
  writeFileSync(file, JSON.stringify({
    bench: 'crdt', date: new Date().toISOString(), seed: options.seed, messages: options.messages,
    machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, memoryBytes: os.totalmem(), node: process.version, loadAverage: os.loadavg() },
    yjs, automerge,
  }, null, 2))
  return { table, file }
}
