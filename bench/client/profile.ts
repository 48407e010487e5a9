/** Reading a V8 CPU profile (CDP `Profiler.stop`) for the client benchmark's `--profile`. */

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
