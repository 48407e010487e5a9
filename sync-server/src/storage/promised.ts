/**
 * Runs a synchronous storage call as a promise, turning a throw into a rejection so that
 * `store.op().catch(...)` sees it just as `await` does.
 */
export function promised<T>(fn: () => T): Promise<T> {
  return new Promise((resolve) => resolve(fn()))
}
