import { backoffDelay } from '../sync/index.ts'

export interface QueueRunnerDeps {
  /** Whether the relay is reachable now (the connection is open). */
  online: () => boolean
  onError: (err: unknown) => void
  /** Wait before retry number `attempt` (jittered backoff by default). */
  delay?: (attempt: number) => number
}

/**
 * Sends a durable queue one entry at a time, oldest first (the leader tab's command outbox and
 * upload queue): `kick()` on a new entry, a reconnect or a retry; after a failure it waits with
 * backoff and starts again. Subclasses say what is next and how to send it.
 */
export abstract class QueueRunner<Row> {
  readonly #base: QueueRunnerDeps
  #running = false
  #again = false
  #attempt = 0
  #timer: ReturnType<typeof setTimeout> | null = null
  #disposed = false

  constructor(deps: QueueRunnerDeps) {
    this.#base = deps
  }

  /** The oldest entry still to send, if any. */
  protected abstract next(): Promise<Row | undefined>
  /** Sends one entry; resolves whether to go on with the next one. */
  protected abstract sendOne(row: Row): Promise<boolean>

  protected get disposed(): boolean {
    return this.#disposed
  }

  kick(): void {
    if (this.#disposed) return
    if (this.#running) {
      this.#again = true
      return
    }
    void this.#drain()
  }

  dispose(): void {
    this.#disposed = true
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
  }

  /** A step succeeded: the next failure starts the backoff from the beginning. */
  protected resetBackoff(): void {
    this.#attempt = 0
  }

  /** A step failed in a way worth retrying: kick again after the backoff. */
  protected retryLater(): void {
    if (this.#timer !== null || this.#disposed) return
    this.#timer = setTimeout(() => {
      this.#timer = null
      this.kick()
    }, (this.#base.delay ?? backoffDelay)(this.#attempt++))
  }

  async #drain(): Promise<void> {
    this.#running = true
    try {
      do {
        this.#again = false
        if (!this.#base.online()) return
        const next = await this.next()
        if (next === undefined || this.#disposed) return
        if (!(await this.sendOne(next))) return
      } while (!this.#disposed)
    } catch (err) {
      this.#base.onError(err)
    } finally {
      this.#running = false
      if (this.#again) this.kick()
    }
  }
}
