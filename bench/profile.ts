/** V8 CPU profiles of the Chromium benchmarks' `--profile` (CDP `Profiler.start` / `stop`). */
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { CDPSession } from 'playwright-core'

export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[]
  samples: number[]
  timeDeltas: number[]
}

/** The functions with the most self time, as `ms  name (file:line)`, `(idle)` left out. */
export function topFunctions(profile: CpuProfile, count: number): string[] {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]))
  const self = new Map<string, number>()
  profile.samples.forEach((id, i) => {
    const frame = byNode.get(id)?.callFrame
    if (frame === undefined || frame.functionName === '(idle)') return
    const key = `${frame.functionName || '(anonymous)'} (${frame.url.split('/').pop() ?? ''}:${frame.lineNumber + 1})`
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000)
  })
  const busy = [...self.values()].reduce((a, b) => a + b, 0)
  return [
    `${busy.toFixed(0).padStart(7)} ms  busy in all`,
    ...[...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, count).map(([k, ms]) => `${ms.toFixed(0).padStart(7)} ms  ${k}`),
  ]
}

/** Total time (self plus callees) of the functions whose name matches, over the whole profile, without double counting recursion. */
export function inclusiveTime(profile: CpuProfile, names: readonly string[]): Map<string, number> {
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]))
  const total = new Map<string, number>(names.map((n) => [n, 0]))
  profile.samples.forEach((id, i) => {
    const seen = new Set<string>()
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = byNode.get(at)?.callFrame.functionName ?? ''
      if (total.has(name) && !seen.has(name)) {
        seen.add(name)
        total.set(name, (total.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000)
      }
    }
  })
  return total
}

/**
 * Runs `run` under the CPU profiler (sampling every `intervalUs`), writes the profile to `file`
 * and prints the `top` functions by self time under `label`; without a session, just runs it.
 */
export async function profiled<T>(cdp: CDPSession | null, label: string, file: string, options: { intervalUs: number; top: number }, run: () => Promise<T>): Promise<T> {
  if (cdp === null) return run()
  await cdp.send('Profiler.enable')
  await cdp.send('Profiler.setSamplingInterval', { interval: options.intervalUs })
  await cdp.send('Profiler.start')
  const result = await run()
  const { profile } = (await cdp.send('Profiler.stop')) as { profile: CpuProfile }
  await mkdir(dirname(file), { recursive: true })
  await writeFile(file, JSON.stringify(profile))
  console.log(`${label} profile written to ${file}; self time by function:`)
  for (const line of topFunctions(profile, options.top)) console.log(`    ${line}`)
  return result
}
