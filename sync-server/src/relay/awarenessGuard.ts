import { Reason, WaggleError, type DocName } from '@waggle/schema'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import type { Awareness } from 'y-protocols/awareness'
import { MAX_PRESENCE_STATES_PER_UPDATE, MAX_PRESENCE_STATE_CHARS, presenceOwner } from './presenceAwareness.ts'

/**
 * Awareness on every document is never authoritative (THREAT_MODEL.md): the relay screens each
 * awareness update a connection sends before it is applied or forwarded.
 * - Identity: every state's `user` is set to the session's user, so a state always says
 *   truthfully whose it is (a state that is not a JSON object is refused).
 * - Ownership: a connection may only set or remove the awareness client ids it introduced on
 *   that document (the first connection to use an id owns it while it stays subscribed); entries
 *   for another connection's ids, or for the relay's own id, are dropped from the update. One
 *   exception: a connection of the same user may take over an id whose state is gone (timed out
 *   after 30 s, or removed), so a stock y-websocket client that reconnects with the same client
 *   id before the relay noticed its old socket died gets its presence back.
 * - Size: at most {@link MAX_AWARENESS_STATES_PER_UPDATE} entries per update, at most
 *   {@link MAX_AWARENESS_STATE_CHARS} characters of JSON per state, at most
 *   {@link MAX_AWARENESS_IDS_PER_CONNECTION} ids per connection and document; past any of them
 *   the whole update is dropped.
 * - Presence documents (`user/{u}/presence`) keep their stricter rule: only sessions of `u` set
 *   states there (presenceAwareness.ts), with the presence size limits.
 * Dropping is silent (like y-websocket servers); a malformed update is a malformed frame.
 */

export const MAX_AWARENESS_STATES_PER_UPDATE = 16
export const MAX_AWARENESS_STATE_CHARS = 4_096
export const MAX_AWARENESS_IDS_PER_CONNECTION = 16

/** Who owns each client id of one loaded document's awareness (gone with the Awareness on unload). */
interface Owners {
  byId: Map<number, object>
  byConnection: Map<object, { user: string; ids: Set<number> }>
}

const ownersOf = new WeakMap<Awareness, Owners>()

function owners(awareness: Awareness): Owners {
  let o = ownersOf.get(awareness)
  if (o === undefined) {
    o = { byId: new Map(), byConnection: new Map() }
    ownersOf.set(awareness, o)
  }
  return o
}

interface Entry {
  id: number
  clock: number
  state: unknown
}

/** The entries of an awareness update (y-protocols' encoding), or null when it holds more than `max`. */
function decode(update: Uint8Array, max: number): Entry[] | null {
  try {
    const d = decoding.createDecoder(update)
    const count = decoding.readVarUint(d)
    if (count > max) return null
    const entries: Entry[] = []
    for (let i = 0; i < count; i++) {
      const id = decoding.readVarUint(d)
      const clock = decoding.readVarUint(d)
      const state: unknown = JSON.parse(decoding.readVarString(d))
      entries.push({ id, clock, state })
    }
    return entries
  } catch (err) {
    throw new WaggleError(Reason.malformedFrame, `Malformed awareness update: ${err instanceof Error ? err.message : String(err)}`)
  }
}

function encode(entries: readonly Entry[]): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, entries.length)
  for (const { id, clock, state } of entries) {
    encoding.writeVarUint(e, id)
    encoding.writeVarUint(e, clock)
    encoding.writeVarString(e, JSON.stringify(state))
  }
  return encoding.toUint8Array(e)
}

/**
 * The awareness update to apply for connection `connection` of `user` on document `name`
 * (whose live awareness is `awareness`), or null when nothing of it may be applied.
 */
export function screenAwareness(name: DocName, update: Uint8Array, user: string, connection: object, awareness: Awareness): Uint8Array | null {
  const presence = presenceOwner(name)
  if (presence !== null && presence !== user) return null
  const maxChars = presence === null ? MAX_AWARENESS_STATE_CHARS : MAX_PRESENCE_STATE_CHARS
  const maxStates = presence === null ? MAX_AWARENESS_STATES_PER_UPDATE : MAX_PRESENCE_STATES_PER_UPDATE
  const entries = decode(update, maxStates)
  if (entries === null) return null
  const o = owners(awareness)
  const mine = o.byConnection.get(connection)?.ids ?? new Set<number>()
  const kept: Entry[] = []
  const claimed: number[] = []
  for (const entry of entries) {
    if (entry.id === awareness.clientID) continue
    let owner = o.byId.get(entry.id)
    if (owner !== undefined && owner !== connection) {
      const takeOver = o.byConnection.get(owner)?.user === user && !awareness.getStates().has(entry.id)
      if (!takeOver) continue
      owner = undefined
    }
    if (entry.state === null) {
      // Only a state this connection set may be removed.
      if (owner === undefined) continue
      kept.push(entry)
      continue
    }
    if (typeof entry.state !== 'object' || Array.isArray(entry.state)) return null
    const state = { ...(entry.state as Record<string, unknown>), user }
    if (JSON.stringify(state).length > maxChars) return null
    if (owner === undefined && !claimed.includes(entry.id)) claimed.push(entry.id)
    kept.push({ ...entry, state })
  }
  if (mine.size + claimed.length > MAX_AWARENESS_IDS_PER_CONNECTION) return null
  if (kept.length === 0) return null
  for (const id of claimed) {
    const previous = o.byId.get(id)
    if (previous !== undefined) o.byConnection.get(previous)?.ids.delete(id)
    o.byId.set(id, connection)
    mine.add(id)
  }
  if (mine.size > 0) o.byConnection.set(connection, { user, ids: mine })
  return encode(kept)
}

/** Forgets the client ids `connection` introduced in `awareness` (it unsubscribed or closed). */
export function releaseAwareness(awareness: Awareness, connection: object): void {
  const o = ownersOf.get(awareness)
  const ids = o?.byConnection.get(connection)?.ids
  if (o === undefined || ids === undefined) return
  for (const id of ids) if (o.byId.get(id) === connection) o.byId.delete(id)
  o.byConnection.delete(connection)
}
