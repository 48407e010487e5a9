/**
 * Runs the benchmarks (not tests: they report numbers and whether goals are met, and never
 * fail a build). `npm run bench -- [--only search] [--seed N] [--messages N]`; see README.md.
 */
import { parseArgs } from 'node:util'
import { CLIENT_DEFAULTS, runClientBench } from './client/run.ts'
import { CRDT_DEFAULTS, runCrdtBench } from './crdt/run.ts'
import { GATE_DEFAULTS, runGateBench } from './gate/run.ts'
import { RELAY_KINDS } from './relay/clients.ts'
import { RELAY_DEFAULTS, WORKLOADS, runRelayBench } from './relay/run.ts'
import { SEARCH_DEFAULTS, runSearchBench } from './search/run.ts'

const BENCHES = ['search', 'gate', 'crdt', 'client', 'relay'] as const
type BenchName = (typeof BENCHES)[number]

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    seed: { type: 'string' },
    messages: { type: 'string' },
    'per-conversation': { type: 'string' },
    queries: { type: 'string' },
    profile: { type: 'boolean' },
    'indexer-batch': { type: 'string' },
    'crdt-messages': { type: 'string' },
    'gate-writes': { type: 'string' },
    'relay-scale': { type: 'string' },
    'relay-workloads': { type: 'string' },
    'relay-relays': { type: 'string' },
    'client-conversations': { type: 'string' },
    'client-messages': { type: 'string' },
    'client-sends': { type: 'string' },
    'client-loads': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
})

if (values.help === true) {
  console.log(`npm run bench -- [--only ${BENCHES.join(',')}] [--seed N] [--messages N] [--per-conversation N] [--queries N] [--profile] [--indexer-batch N] [--crdt-messages N] [--gate-writes N] [--client-conversations N] [--client-messages N] [--client-sends N] [--client-loads N] [--relay-scale X] [--relay-workloads ${WORKLOADS.join(',')}] [--relay-relays ${RELAY_KINDS.join(',')}]`)
  process.exit(0)
}

function int(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback
  const n = Number(raw.replace(/[_,]/g, ''))
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, not ${raw}`)
  return n
}

function positive(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback
  const n = Number(raw)
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, not ${raw}`)
  return n
}

function list<T extends string>(name: string, raw: string | undefined, known: readonly T[], fallback: readonly T[]): readonly T[] {
  if (raw === undefined) return fallback
  const items = raw.split(',').map((s) => s.trim())
  for (const item of items) if (!known.includes(item as T)) throw new Error(`--${name}: unknown ${item}; known: ${known.join(', ')}`)
  return items as T[]
}

const only = values.only === undefined ? [...BENCHES] : values.only.split(',').map((s) => s.trim())
for (const name of only) if (!BENCHES.includes(name as BenchName)) throw new Error(`Unknown benchmark ${name}; known: ${BENCHES.join(', ')}`)
const seed = int('seed', values.seed, Math.floor(Math.random() * 0x7fffffff))
console.log(`bench: seed ${seed} (replay with --seed ${seed})`)

for (const name of only as BenchName[]) {
  if (name === 'search') {
    const { table, file } = await runSearchBench({
      ...SEARCH_DEFAULTS,
      seed,
      messages: int('messages', values.messages, SEARCH_DEFAULTS.messages),
      perConversation: int('per-conversation', values['per-conversation'], SEARCH_DEFAULTS.perConversation),
      queries: int('queries', values.queries, SEARCH_DEFAULTS.queries),
      profile: values.profile === true,
      ...(values['indexer-batch'] === undefined ? {} : { indexerBatch: int('indexer-batch', values['indexer-batch'], 64) }),
    })
    console.log(`\nsearch (seed ${seed})\n${table}\n\nwritten to ${file}`)
  } else if (name === 'gate') {
    const { table, file } = await runGateBench({ writes: int('gate-writes', values['gate-writes'], GATE_DEFAULTS.writes) })
    console.log(`\ngate: the relay's write gate, on and off\n${table}\n\nwritten to ${file}`)
  } else if (name === 'crdt') {
    const { table, file } = runCrdtBench({ seed, messages: int('crdt-messages', values['crdt-messages'], CRDT_DEFAULTS.messages) })
    console.log(`\ncrdt: the chat workload in Yjs and Automerge (seed ${seed})\n${table}\n\nwritten to ${file}`)
  } else if (name === 'relay') {
    const { table, file } = await runRelayBench({
      scale: positive('relay-scale', values['relay-scale'], RELAY_DEFAULTS.scale),
      workloads: list('relay-workloads', values['relay-workloads'], WORKLOADS, RELAY_DEFAULTS.workloads),
      relays: list('relay-relays', values['relay-relays'], RELAY_KINDS, RELAY_DEFAULTS.relays),
    })
    console.log(`\nrelay: Waggle's relay, Hocuspocus and the reference y-protocols relay\n${table}\n\nwritten to ${file}`)
  } else if (name === 'client') {
    const { table, file } = await runClientBench({
      ...CLIENT_DEFAULTS,
      seed,
      conversations: int('client-conversations', values['client-conversations'], CLIENT_DEFAULTS.conversations),
      messages: int('client-messages', values['client-messages'], CLIENT_DEFAULTS.messages),
      sends: int('client-sends', values['client-sends'], CLIENT_DEFAULTS.sends),
      loads: int('client-loads', values['client-loads'], CLIENT_DEFAULTS.loads),
      profile: values.profile === true,
    })
    console.log(`\nclient: the app in Chromium, inbox load and Enter to paint (seed ${seed})\n${table}\n\nwritten to ${file}`)
  }
}
