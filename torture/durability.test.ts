import { expect, it } from 'vitest'
import { runDurability } from './durability.ts'
import { seedFrom } from './rng.ts'

/**
 * Issue 8, durability (short run; `npm run test:torture` runs 50 clients and 100 kills): writers
 * on the real SyncClient keep sending while the real relay process is killed with SIGKILL and
 * restarted on its SQLite directory; every update the relay acknowledged is there at the end,
 * once. Replay a failure with TORTURE_SEED=<seed>.
 */
it('loses no acknowledged message and duplicates none while the relay is killed -9 under load', async () => {
  const seed = seedFrom(process.env.TORTURE_SEED)
  console.log(`durability seed ${seed} (replay: TORTURE_SEED=${seed})`)
  // Every writer forgets what was acknowledged at each kill (cheap at this size), so a loss at the
  // relay is not healed by a writer's resync; the faster writes keep the relay's queue busy.
  // Checked against a relay changed to ack before its commit: seed 15 lost 2 of 586 there.
  const report = await runDurability({ clients: 10, kills: 10, seed, forgetShare: 1, writeIntervalMs: 500, log: (line) => console.log(line) })
  const context = `seed ${seed}: ${JSON.stringify({ ...report, lost: report.lost.slice(0, 10), undelivered: report.undelivered.slice(0, 10) })}`
  expect(report.lost, context).toEqual([])
  expect(report.duplicated, context).toEqual([])
  expect({ pending: report.pendingAtEnd, rejected: report.rejectedAtEnd, undelivered: report.undelivered }, context).toEqual({ pending: 0, rejected: 0, undelivered: [] })
  // The test must be able to fail: there was load at the crashes and acknowledgements after them.
  expect(report.ackedAfterKill, context).toBeGreaterThan(0)
  // Most crashes came after acknowledgements since the restart (a short seeded interval may beat them).
  expect(report.killsAfterAcks, context).toBeGreaterThanOrEqual(Math.ceil(report.kills / 2))
  expect(report.pendingAtKills, context).toBeGreaterThan(0)
})
