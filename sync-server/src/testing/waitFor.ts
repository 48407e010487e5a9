/** A value that counts as "ready" for {@link waitFor}. */
export type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>

const POLL_MS = 5

/**
 * Polls `probe` until it returns a truthy value and resolves with it; rejects with `what` once
 * `timeoutMs` has passed. Tests wait for conditions this way, never for a fixed time.
 */
export async function waitFor<T>(probe: () => T | Promise<T>, timeoutMs = 5_000, what = 'condition'): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value) return value as Truthy<T>
    if (Date.now() >= deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
}
