import { Reason, WaggleError, parseDocName, type DocName, type UserId } from '@waggle/schema'
import { modifyAwarenessUpdate } from 'y-protocols/awareness'

/**
 * Awareness on presence documents (`user/{u}/presence`, ISSUE "Presence"): one state per device
 * of `u` ({ user, lastActive }, PresenceAwarenessSchema). Only sessions of `u` may set or remove
 * states there, and the relay stamps each accepted state with the session's user, so a state in
 * a presence document always says truthfully whose device it is.
 */

/** At most this many states in one awareness update on a presence document (a device sends one). */
export const MAX_PRESENCE_STATES_PER_UPDATE = 16
/** At most this many characters of JSON per presence awareness state. */
export const MAX_PRESENCE_STATE_CHARS = 2_048

/** The user whose presence document `name` is, or null for any other document. */
export function presenceOwner(name: DocName): UserId | null {
  const parsed = parseDocName(name)
  return parsed?.kind === 'presence' ? parsed.user : null
}

class Dropped extends Error {}

/**
 * The awareness update to apply for a session of `user` on `name`, or null when it must be
 * dropped (not applied, not forwarded). Other documents' updates pass unchanged. On a presence
 * document: dropped unless `user` owns it, or when it holds too many states, a state that is not
 * an object, or an oversized one; otherwise re-encoded with every state's `user` set to `user`.
 * A malformed update is a malformed frame.
 */
export function acceptAwareness(name: DocName, update: Uint8Array, user: string): Uint8Array | null {
  const owner = presenceOwner(name)
  if (owner === null) return update
  if (owner !== user) return null
  let count = 0
  try {
    return modifyAwarenessUpdate(update, (state: unknown) => {
      if (++count > MAX_PRESENCE_STATES_PER_UPDATE) throw new Dropped()
      if (state === null) return null
      if (typeof state !== 'object' || Array.isArray(state)) throw new Dropped()
      const fixed = { ...(state as Record<string, unknown>), user }
      if (JSON.stringify(fixed).length > MAX_PRESENCE_STATE_CHARS) throw new Dropped()
      return fixed
    })
  } catch (err) {
    if (err instanceof Dropped) return null
    throw new WaggleError(Reason.malformedFrame, `Malformed awareness update: ${err instanceof Error ? err.message : String(err)}`)
  }
}

const lastActiveOf = (state: unknown): number | null => {
  const t = state !== null && typeof state === 'object' ? (state as { lastActive?: unknown }).lastActive : undefined
  return typeof t === 'number' && Number.isFinite(t) && t >= 0 ? t : null
}

/**
 * Follows the awareness states of one presence document and tells when the last one went away
 * (a socket closed, a null state, the 30 s timeout): then the user was last seen at the largest
 * `lastActive` among the states that went away since the document last had none (null: none
 * of them said; the caller uses the current time).
 */
export class LastSeenTracker {
  /** Present states by client id, with their `lastActive` (null when they did not say). */
  readonly #present = new Map<number, number | null>()
  #gone: number | null = null

  /**
   * Call after every awareness update with the current `states`. Returns undefined while some
   * state remains (or nothing tracked went away), else the last-seen time (or null, see above).
   */
  changed(states: ReadonlyMap<number, unknown>, present: readonly number[], removed: readonly number[]): number | null | undefined {
    for (const id of present) {
      if (states.has(id)) this.#present.set(id, lastActiveOf(states.get(id)))
    }
    let wentAway = false
    for (const id of removed) {
      if (!this.#present.has(id) || states.has(id)) continue
      wentAway = true
      const t = this.#present.get(id) ?? null
      this.#present.delete(id)
      if (t !== null && (this.#gone === null || t > this.#gone)) this.#gone = t
    }
    if (!wentAway || this.#present.size > 0) return undefined
    const time = this.#gone
    this.#gone = null
    return time
  }
}
