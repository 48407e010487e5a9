/** Reconnect delay: exponential with full jitter, so a relay restart is not met by a stampede. */
export function backoffDelay(attempt: number, minMs = 250, maxMs = 5_000, random: () => number = Math.random): number {
  const cap = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 16))
  return Math.round(minMs / 2 + random() * (cap - minMs / 2))
}
