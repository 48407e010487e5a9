import { Reason, isReason, type Command, type CommandId } from '@waggle/schema'
import { backoffDelay } from '../sync/index.ts'
import type { CommandRow, LocalIndex } from './LocalIndex.ts'

/** What one POST of a command came to. */
export type PostOutcome =
  | { kind: 'accepted' }
  | { kind: 'rejected'; reason: Reason; message: string }
  /** Network failure, 5xx, 429, or an answer that could not be read: send again later. */
  | { kind: 'retry' }
  /** 401: the session ended; the command waits for a new sign-in. */
  | { kind: 'unauthorized' }

/**
 * Posts a command to `POST {baseUrl}/api/commands`. The server applies a command id once and
 * answers every retry the same, so sending again after any doubt is safe.
 */
export async function postCommand(fetchFn: typeof fetch, baseUrl: string, token: string, command: Command): Promise<PostOutcome> {
  let res: Response
  try {
    res = await fetchFn(`${baseUrl}/api/commands`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(command),
    })
  } catch {
    return { kind: 'retry' }
  }
  const body = (await res.json().catch(() => null)) as unknown
  return outcomeOf(res.status, body, command.id)
}

/** Maps an HTTP answer to an outcome; every body is checked (CONVENTIONS rule 7). */
export function outcomeOf(status: number, body: unknown, id: CommandId): PostOutcome {
  if (status === 401) return { kind: 'unauthorized' }
  if (status === 200) {
    const r = body as { id?: unknown; status?: unknown; reason?: unknown; message?: unknown } | null
    if (r?.id !== id) return { kind: 'retry' }
    if (r.status === 'accepted') return { kind: 'accepted' }
    if (r.status === 'rejected') return rejected(r)
    return { kind: 'retry' }
  }
  // Timeouts, rate limits and server errors pass; any other refusal of the request is final.
  if (status === 408 || status === 429 || status >= 500 || status < 400) return { kind: 'retry' }
  return rejected(body as { reason?: unknown; message?: unknown } | null)
}

function rejected(body: { reason?: unknown; message?: unknown } | null): PostOutcome {
  const reason = isReason(body?.reason) ? body.reason : Reason.badRequest
  const message = typeof body?.message === 'string' ? body.message : 'The server refused this request.'
  return { kind: 'rejected', reason, message }
}

export interface CommandSenderDeps {
  index: Pick<LocalIndex, 'commands' | 'remove' | 'reject'>
  post: (command: Command) => Promise<PostOutcome>
  /** Whether the relay connection is up (only then is posting worth trying). */
  online: () => boolean
  onError: (err: unknown) => void
  /**
   * Resolves once an accepted command's effect is on the device (a new conversation is in the
   * inbox projection), so its item never disappears in between; it should give up after a while.
   */
  settled?: (command: Command) => Promise<void>
  delay?: (attempt: number) => number
}

/**
 * Sends the command outbox, oldest first, one at a time (run by the leader tab only): on
 * `kick()` (a new command, the connection opened) and on a backoff timer after a failure.
 * Accepted commands leave the outbox; rejected ones stay, with the reason, until dismissed.
 */
export class CommandSender {
  readonly #deps: CommandSenderDeps
  #running = false
  #again = false
  #attempt = 0
  #timer: ReturnType<typeof setTimeout> | null = null
  #disposed = false

  constructor(deps: CommandSenderDeps) {
    this.#deps = deps
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

  async #drain(): Promise<void> {
    this.#running = true
    try {
      do {
        this.#again = false
        if (!this.#deps.online()) return
        const next = (await this.#deps.index.commands()).find((row) => row.state === 'pending')
        if (next === undefined || this.#disposed) return
        if (!(await this.#sendOne(next))) return
      } while (!this.#disposed)
    } catch (err) {
      this.#deps.onError(err)
    } finally {
      this.#running = false
      if (this.#again) this.kick()
    }
  }

  /** Returns whether to go on with the next command. */
  async #sendOne(row: CommandRow): Promise<boolean> {
    const outcome = await this.#deps.post(row.command)
    if (this.#disposed) return false
    switch (outcome.kind) {
      case 'accepted':
        this.#attempt = 0
        await this.#deps.settled?.(row.command)
        if (this.#disposed) return false
        await this.#deps.index.remove(row.id)
        return true
      case 'rejected':
        this.#attempt = 0
        await this.#deps.index.reject(row.id, outcome.reason, outcome.message)
        return true
      case 'retry':
        this.#retryLater()
        return false
      case 'unauthorized':
        // Waits for the next kick (a reconnect with a renewed token), not a timer.
        return false
    }
  }

  #retryLater(): void {
    if (this.#timer !== null || this.#disposed) return
    this.#timer = setTimeout(() => {
      this.#timer = null
      this.kick()
    }, (this.#deps.delay ?? backoffDelay)(this.#attempt++))
  }
}
