import { describe, expect, it } from 'vitest'
import { runConvergence, type ConvergenceReport } from './convergence.ts'
import { seedFrom } from './rng.ts'

/**
 * The torture suite's short run in CI (issue 8): one new seed per run, and every seed that ever
 * failed, by name. The long run, with Chromium tabs, is `npm run test:torture`.
 * `TORTURE_SEED=<n> npx vitest run --project torture torture/convergence.test.ts` replays a seed.
 */
const seed = seedFrom(process.env.TORTURE_SEED)

async function run(seed: number, steps: number): Promise<ConvergenceReport> {
  console.log(`torture: seed ${seed}, ${steps} steps (replay: npm run test:torture -- --only convergence --seed ${seed} --runs 1 --steps ${steps} --tabs 0 --verbose)`)
  const report = await runConvergence({ seed, steps })
  console.log(`torture: seed ${seed}: ${report.sent} messages, ${report.relayKills} relay kills, ${report.docsCompared} documents compared, healed in ${report.healMs} ms; ops ${JSON.stringify(report.ops)}; proxy ${JSON.stringify(report.proxy)}`)
  return report
}

describe('convergence under chaos', () => {
  it(`converges after chaos, relay kills and restarts (seed ${seed})`, async () => {
    const report = await run(seed, 150)
    expect(report.problems, `seed ${seed}`).toEqual([])
    expect(report.sent).toBeGreaterThan(0)
    expect(report.docsCompared).toBeGreaterThan(0)
  })

  // Seeds that failed once, each with what it found.
  it('seed 102: an update refused for a missing dependency while the one it builds on is still unacknowledged waits for it, instead of being rejected', async () => {
    expect((await run(102, 200)).problems).toEqual([])
  })

  it('seed 104: a one-message write checked slowly right after a relay restart is not refused too-expensive (nor every later write built on it)', async () => {
    expect((await run(104, 200)).problems).toEqual([])
  })

  it('seed 105: a run with six relay kills and a group created offline on one device and used on the other settles with nothing rejected', async () => {
    expect((await run(105, 200)).problems).toEqual([])
  })
})
