import { Reason, isReason, type Command, type CommandId } from '@waggle/schema'
import { QueueRunner, type QueueRunnerDeps } from './QueueRunner.ts'
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

export interface CommandSenderDeps extends QueueRunnerDeps {
  index: Pick<LocalIndex, 'commands' | 'remove' | 'reject'>
  post: (command: Command) => Promise<PostOutcome>
  /**
   * Resolves once an accepted command's effect is on the device (a new conversation is in the
   * inbox projection), so its item never disappears in between; it should give up after a while.
   */
  settled?: (command: Command) => Promise<void>
}

/**
 * Sends the command outbox, oldest first, one at a time (run by the leader tab only): on
 * `kick()` (a new command, the connection opened) and on a backoff timer after a failure.
 */
export class CommandSender extends QueueRunner<CommandRow> {
  readonly #deps: CommandSenderDeps

  constructor(deps: CommandSenderDeps) {
    super(deps)
    this.#deps = deps
  }

  protected async next(): Promise<CommandRow | undefined> {
    return (await this.#deps.index.commands()).find((row) => row.state === 'pending')
  }

  protected async sendOne(row: CommandRow): Promise<boolean> {
    const outcome = await this.#deps.post(row.command)
    if (this.disposed) return false
    switch (outcome.kind) {
      case 'accepted':
        this.resetBackoff()
        await this.#deps.settled?.(row.command)
        if (this.disposed) return false
        await this.#deps.index.remove(row.id)
        return true
      case 'rejected':
        this.resetBackoff()
        await this.#deps.index.reject(row.id, outcome.reason, outcome.message)
        return true
      case 'retry':
        this.retryLater()
        return false
      case 'unauthorized':
        // Waits for the next kick (a reconnect with a renewed token), not a timer.
        return false
    }
  }
}
