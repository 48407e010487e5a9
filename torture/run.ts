/**
 * The long torture run (issue 8): `npm run test:torture -- [--seed N] [--runs N | --duration 10m]
 * [--steps N] [--only convergence,durability] [--clients 50] [--kills 100] [--verbose]`.
 * Convergence runs one seed after another (the first is `--seed` or random, the next ones
 * follow it) until the count or the duration is reached; durability runs once. Every seed is
 * printed; a failing one is printed with its problems and the command that replays it, and
 * the process exits 1.
 */
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import type { Browser } from 'playwright-core'
import { build } from 'vite'
import { launchBrowser } from '../e2e/support/browser.ts'
import { HARNESS_SRC } from '../e2e/support/paths.ts'
import { serveStatic, type StaticServer } from '../e2e/support/staticServer.ts'
import { runConvergence } from './convergence.ts'
import { runDurability } from './durability.ts'
import { seedFrom } from './rng.ts'

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    runs: { type: 'string' },
    duration: { type: 'string' },
    steps: { type: 'string' },
    only: { type: 'string' },
    clients: { type: 'string' },
    kills: { type: 'string' },
    tabs: { type: 'string' },
    verbose: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
})

if (values.help === true) {
  console.log('npm run test:torture -- [--seed N] [--runs N | --duration 10m] [--steps N] [--only convergence,durability] [--tabs N] [--clients N] [--kills N] [--verbose]')
  process.exit(0)
}

function count(name: string, raw: string | undefined, fallback: number, min = 1): number {
  if (raw === undefined) return fallback
  const n = Number(raw.replace(/[_,]/g, ''))
  if (!Number.isSafeInteger(n) || n < min) throw new Error(`--${name} must be an integer of at least ${min}, not ${raw}`)
  return n
}

function durationMs(raw: string | undefined): number | null {
  if (raw === undefined) return null
  const m = /^(\d+)(s|m|h)$/.exec(raw)
  if (m === null) throw new Error(`--duration is like 90s, 10m or 2h, not ${raw}`)
  return Number(m[1]) * { s: 1_000, m: 60_000, h: 3_600_000 }[m[2] as 's' | 'm' | 'h']
}

const KINDS = ['convergence', 'durability'] as const
const only = values.only === undefined ? [...KINDS] : values.only.split(',').map((s) => s.trim())
for (const k of only) if (!KINDS.includes(k as (typeof KINDS)[number])) throw new Error(`Unknown part ${k}; known: ${KINDS.join(', ')}`)
const firstSeed = seedFrom(values.seed)
const steps = count('steps', values.steps, 400)
const limitMs = durationMs(values.duration)
const runs = count('runs', values.runs, limitMs === null ? 10 : Number.MAX_SAFE_INTEGER)
const verbose = values.verbose === true
let failed = false

const tabCount = count('tabs', values.tabs, 2, 0)

/** The sync layer's test page, built for the Chromium tabs (not e2e's copy: an e2e run empties that). */
async function servedHarness(): Promise<StaticServer> {
  const outDir = fileURLToPath(new URL('./.harness-dist/', import.meta.url))
  await build({ root: HARNESS_SRC, configFile: false, logLevel: 'warn', build: { outDir, emptyOutDir: true, target: 'es2022' } })
  return serveStatic(outDir)
}

if (only.includes('convergence')) {
  const until = limitMs === null ? Infinity : Date.now() + limitMs
  let browser: Browser | null = null
  let site: StaticServer | null = null
  if (tabCount > 0) {
    site = await servedHarness()
    browser = await launchBrowser()
  }
  for (let i = 0; i < runs && Date.now() < until; i++) {
    const seed = (firstSeed + i) % 0x7fffffff
    console.log(`convergence: seed ${seed} (${steps} steps, ${tabCount} Chromium tabs)`)
    const report = await runConvergence({
      seed, steps,
      ...(browser !== null && site !== null ? { tabs: { browser, site: site.url, count: tabCount } } : {}),
      ...(verbose ? { log: (line: string) => console.log(line) } : {}),
    })
    console.log(`  ${report.sent} messages, ${report.relayKills} relay kills, ${report.docsCompared} documents compared, healed in ${report.healMs} ms, ${(report.durationMs / 1000).toFixed(1)} s; ops ${JSON.stringify(report.ops)}; proxy ${JSON.stringify(report.proxy)}`)
    if (report.problems.length > 0) {
      failed = true
      console.log(`  FAILED seed ${seed}; replay: npm run test:torture -- --only convergence --seed ${seed} --runs 1 --steps ${steps} --tabs ${tabCount} --verbose`)
      for (const p of report.problems) console.log(`    ${p}`)
    }
  }
  await browser?.close()
  await site?.close()
}

if (only.includes('durability')) {
  const seed = firstSeed
  const clients = count('clients', values.clients, 50)
  const kills = count('kills', values.kills, 100)
  console.log(`durability: seed ${seed}, ${clients} clients, ${kills} relay kills`)
  const report = await runDurability({ clients, kills, seed, ...(verbose ? { log: (line: string) => console.log(line) } : {}) })
  console.log(`  ${JSON.stringify(report)}`)
  if (report.lost.length > 0 || report.duplicated.length > 0 || report.pendingAtEnd > 0) {
    failed = true
    console.log(`  FAILED seed ${seed}; replay: npm run test:torture -- --only durability --seed ${seed} --clients ${clients} --kills ${kills}`)
  }
}

process.exit(failed ? 1 : 0)
