import { describe, expect, it } from 'vitest'
import { runConvergence } from './convergence.ts'
import { seedFrom } from './rng.ts'

/**
 * The torture suite's short run in CI (issue 8): a few seeded convergence runs; the long run is
 * `npm run test:torture`. `TORTURE_SEED=<n>` replays one seed here.
 */
const seed = seedFrom(process.env.TORTURE_SEED)

describe('convergence under chaos', () => {
  it(`converges after chaos, relay kills and restarts (seed ${seed})`, async () => {
    console.log(`torture: seed ${seed} (replay: TORTURE_SEED=${seed} npx vitest run --project torture, or npm run test:torture -- --seed ${seed})`)
    const report = await runConvergence({ seed, steps: 150, log: (line) => console.log(line) })
    console.log(`torture: seed ${seed}: ${report.sent} messages, ${report.relayKills} relay kills, ${report.docsCompared} documents compared, healed in ${report.healMs} ms, ${JSON.stringify(report.ops)}, proxy ${JSON.stringify(report.proxy)}`)
    expect(report.problems, `seed ${seed}`).toEqual([])
    expect(report.sent).toBeGreaterThan(0)
    expect(report.docsCompared).toBeGreaterThan(0)
  })
})
