import { Awareness, encodeAwarenessUpdate } from 'y-protocols/awareness'
import * as Y from 'yjs'

/** An awareness update holding `states` by client id (each at `clock`; null: a removal), encoded by y-protocols. */
export function awarenessUpdateOf(states: [number, unknown][], clock = 1): Uint8Array {
  const aw = new Awareness(new Y.Doc())
  const map = new Map<number, unknown>()
  for (const [id, state] of states) {
    aw.meta.set(id, { clock, lastUpdated: 0 })
    if (state !== null) map.set(id, state)
  }
  const bytes = encodeAwarenessUpdate(aw, states.map(([id]) => id), map as Map<number, Record<string, unknown>>)
  aw.destroy()
  return bytes
}
