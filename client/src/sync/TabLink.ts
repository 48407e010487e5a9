import type { Access, DocName } from '@waggle/schema'
import type { SyncStatus } from './SyncStatus.ts'

/** Messages between tabs of one account (BroadcastChannel `waggle:<account>`). */
export type TabMessage =
  /** An update a tab applied (from the relay or from storage catch-up); others apply it. */
  | { t: 'update'; doc: DocName; update: Uint8Array }
  /** A local edit already stored in the shared outbox as `seq`; the leader sends it. */
  | { t: 'local'; doc: DocName; update: Uint8Array; seq: number }
  /** A follower needs `doc` kept in sync; `sv` is its state vector, answered with a diff. */
  | { t: 'want'; doc: DocName; tab: string; sv: Uint8Array }
  | { t: 'unwant'; doc: DocName; tab: string }
  /** A tab started: the leader answers with its status. */
  | { t: 'hello'; tab: string }
  /** A tab is going away: drop everything it wanted. */
  | { t: 'bye'; tab: string }
  /** A new leader took the socket: followers announce what they want again. */
  | { t: 'leader'; tab: string }
  | { t: 'status'; status: SyncStatus }
  | { t: 'access'; doc: DocName; access: Access }
  /** The outbox changed (stored, acknowledged, rejected): re-read it. */
  | { t: 'outbox' }
  /** The leader's copy of `doc` caught up with the relay (sent after the updates it carried). */
  | { t: 'synced'; doc: DocName }
  /** A tab became (or stopped being) visible and focused; the leader notifies only when none is. */
  | { t: 'focus'; tab: string; focused: boolean }
  /**
   * A tab's own awareness state in `doc` (null: it has none now); the newest `stamp` of a tab
   * wins. The device's state is the newest of its tabs' (TabAwareness); the leader sends it.
   */
  | { t: 'awareness'; doc: DocName; tab: string; state: Record<string, unknown> | null; stamp: number }
  /** The leader: other devices' awareness states in `doc` now (by awareness client id). */
  | { t: 'peers'; doc: DocName; states: [number, Record<string, unknown>][] }
  /** A tab's last user input (ms epoch), throttled. */
  | { t: 'activity'; tab: string; time: number }

/** The part of the browser the tabs coordinate through; injectable for tests. */
export interface TabEnvironment {
  channel: (name: string) => BroadcastChannel
  locks: LockManager
}

/** A typed BroadcastChannel. */
export class TabChannel {
  readonly #channel: BroadcastChannel

  constructor(env: TabEnvironment, account: string, onMessage: (m: TabMessage) => void) {
    this.#channel = env.channel(`waggle:${account}`)
    this.#channel.onmessage = (event: MessageEvent) => onMessage(event.data as TabMessage)
  }

  #closed = false

  /** Posts to the other tabs; after `close()` (the page is going away) there is nobody left to tell. */
  post(message: TabMessage): void {
    if (!this.#closed) this.#channel.postMessage(message)
  }

  close(): void {
    this.#closed = true
    this.#channel.close()
  }
}

/**
 * Waits for the account's leader lock (Web Locks); `onLeader` runs once this tab holds it.
 * The lock is held until `release()` or the tab closes, when the next tab in line gets it.
 */
export function electLeader(env: TabEnvironment, account: string, onLeader: () => void): { release: () => void } {
  let release: () => void = () => {}
  const held = new Promise<void>((resolve) => {
    release = resolve
  })
  const abort = new AbortController()
  env.locks
    .request(`waggle:leader:${account}`, { signal: abort.signal }, async () => {
      onLeader()
      await held
    })
    // Rejects with AbortError when released before it was granted: nothing to do then.
    .catch(() => {})
  return {
    release: () => {
      abort.abort()
      release()
    },
  }
}
