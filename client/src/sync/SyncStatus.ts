/** What the UI shows about sync (ARCHITECTURE §5): one of four states plus the waiting count. */
export type SyncState = 'offline' | 'connecting' | 'syncing' | 'synced'

export interface SyncStatus {
  state: SyncState
  /** Local changes not yet acknowledged by the relay. */
  pending: number
  /** Local changes the relay refused (shown as "rejected", retry or discard). */
  rejected: number
  /** A condition that needs the user: signed out elsewhere, app too old, storage full. */
  problem: 'unauthorized' | 'client-too-old' | 'server-too-old' | 'storage' | null
  /** Human-readable detail for `problem`. */
  detail: string | null
}

export const initialStatus: SyncStatus = { state: 'connecting', pending: 0, rejected: 0, problem: null, detail: null }

/** A value with change listeners; the binding layer turns it into a Solid signal. */
export class Watchable<T> {
  #value: T
  readonly #listeners = new Set<(value: T) => void>()

  constructor(value: T) {
    this.#value = value
  }

  get(): T {
    return this.#value
  }

  set(value: T): void {
    this.#value = value
    for (const fn of [...this.#listeners]) fn(value)
  }

  /** Calls `fn` on every change; returns the disposer. */
  subscribe(fn: (value: T) => void): () => void {
    this.#listeners.add(fn)
    return () => this.#listeners.delete(fn)
  }
}
