import type { ConvId, UserId } from '@waggle/schema'

/** Told that `users`' access to `conv`'s documents may have changed (removed, left, first segment moved). */
export type AccessChangedListener = (conv: ConvId, users: readonly UserId[]) => void

/**
 * The relay's membership-change events (ARCHITECTURE §4: the relay re-checks permissions when
 * they change). Commands emit after the membership rows are written; every connection of an
 * affected user re-evaluates its subscriptions to that conversation's documents. One instance
 * per server, never module state.
 */
export class AccessEvents {
  readonly #listeners = new Set<AccessChangedListener>()

  /** Returns a function that stops the calls. */
  onChanged(fn: AccessChangedListener): () => void {
    this.#listeners.add(fn)
    return () => this.#listeners.delete(fn)
  }

  changed(conv: ConvId, users: readonly UserId[]): void {
    if (users.length === 0) return
    for (const fn of [...this.#listeners]) fn(conv, users)
  }
}
