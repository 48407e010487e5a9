import { isDocName, type Access, type DocName } from '@waggle/schema'
import type { SyncStatus } from './SyncStatus.ts'

/**
 * Messages between tabs of one account (BroadcastChannel `waggle:<account>`). On the channel
 * each also carries `account`; a message for another account, or of another shape, is dropped
 * (and logged) by {@link TabChannel} before any tab acts on it.
 */
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

type Check = (x: Record<string, unknown>) => boolean

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x)
const isBytes = (x: unknown): x is Uint8Array => x instanceof Uint8Array
const isText = (x: unknown): x is string => typeof x === 'string' && x.length > 0 && x.length <= 200
const isTime = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0
const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0
const isAccess = (x: unknown): x is Access => x === 'none' || x === 'read' || x === 'write'
const isDoc = (x: unknown): x is DocName => typeof x === 'string' && isDocName(x)
const isState = (x: unknown): boolean => isObject(x)
const isStatus = (x: unknown): x is SyncStatus =>
  isObject(x) && ['offline', 'connecting', 'syncing', 'synced'].includes(x['state'] as string) && isCount(x['pending']) && isCount(x['rejected']) &&
  (x['problem'] === null || ['unauthorized', 'client-too-old', 'server-too-old', 'storage'].includes(x['problem'] as string)) &&
  (x['detail'] === null || typeof x['detail'] === 'string')

/** The shape of each message type (CONVENTIONS rule 7: the channel is a boundary like any other). */
const shapes: Record<TabMessage['t'], Check> = {
  update: (m) => isDoc(m['doc']) && isBytes(m['update']),
  local: (m) => isDoc(m['doc']) && isBytes(m['update']) && isCount(m['seq']) && m['seq'] > 0,
  want: (m) => isDoc(m['doc']) && isText(m['tab']) && isBytes(m['sv']),
  unwant: (m) => isDoc(m['doc']) && isText(m['tab']),
  hello: (m) => isText(m['tab']),
  bye: (m) => isText(m['tab']),
  leader: (m) => isText(m['tab']),
  status: (m) => isStatus(m['status']),
  access: (m) => isDoc(m['doc']) && isAccess(m['access']),
  outbox: () => true,
  synced: (m) => isDoc(m['doc']),
  focus: (m) => isText(m['tab']) && typeof m['focused'] === 'boolean',
  awareness: (m) => isDoc(m['doc']) && isText(m['tab']) && (m['state'] === null || isState(m['state'])) && isTime(m['stamp']),
  peers: (m) => isDoc(m['doc']) && Array.isArray(m['states']) &&
    m['states'].every((e: unknown) => Array.isArray(e) && e.length === 2 && isCount(e[0]) && isState(e[1])),
  activity: (m) => isText(m['tab']) && isTime(m['time']),
}

/**
 * The message `data` holds if it is a well-formed message of `account`; otherwise null, with
 * why (`foreign`: it names another account, `malformed`: not a message of any known shape).
 */
export function parseTabMessage(data: unknown, account: string): { message: TabMessage } | { drop: 'foreign' | 'malformed' } {
  if (!isObject(data)) return { drop: 'malformed' }
  if (data['account'] !== account) return { drop: typeof data['account'] === 'string' ? 'foreign' : 'malformed' }
  const t = data['t']
  const check = typeof t === 'string' && Object.hasOwn(shapes, t) ? shapes[t as TabMessage['t']] : undefined
  if (check === undefined || !check(data)) return { drop: 'malformed' }
  const { account: _account, ...message } = data
  return { message: message as unknown as TabMessage }
}

/**
 * A typed BroadcastChannel. Every message it posts names the account; every message it
 * receives is checked ({@link parseTabMessage}) and only a well-formed one of this account is
 * handed on; the others are dropped and logged, never applied.
 */
export class TabChannel {
  readonly #channel: BroadcastChannel
  readonly #account: string

  constructor(env: TabEnvironment, account: string, onMessage: (m: TabMessage) => void) {
    this.#account = account
    this.#channel = env.channel(`waggle:${account}`)
    this.#channel.onmessage = (event: MessageEvent) => {
      const parsed = parseTabMessage(event.data, account)
      if ('message' in parsed) return onMessage(parsed.message)
      const t = isObject(event.data) ? String(event.data['t']).slice(0, 20) : typeof event.data
      console.warn(`waggle: dropped a ${parsed.drop === 'foreign' ? 'tab message for another account' : 'malformed tab message'} (${t})`)
    }
  }

  #closed = false

  /** Posts to the other tabs; after `close()` (the page is going away) there is nobody left to tell. */
  post(message: TabMessage): void {
    if (!this.#closed) this.#channel.postMessage({ ...message, account: this.#account })
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
