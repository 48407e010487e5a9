import * as Y from 'yjs'

/**
 * The item with `id` in `doc`, or null when `doc` lacks it or has garbage-collected it. After
 * an update is applied, its items are found here with their parent and key resolved, which
 * the encoded update alone does not always carry (an overwrite names only what it replaces).
 */
export function integratedItem(doc: Y.Doc, id: Y.ID): Y.Item | null {
  if (Y.getState(doc.store, id.client) <= id.clock) return null
  const struct: unknown = Y.getItem(doc.store, id)
  return struct instanceof Y.Item ? struct : null
}

/** Keys of the root map `map` whose values `update` deleted, given a replica it was applied to. */
export function mapKeysDeletedBy(update: Uint8Array, doc: Y.Doc, map: Y.Map<unknown>): string[] {
  const keys = new Set<string>()
  for (const [client, ranges] of Y.decodeUpdate(update).ds.clients) {
    for (const range of ranges) {
      let clock = range.clock
      while (clock < range.clock + range.len) {
        const item = integratedItem(doc, Y.createID(client, clock))
        if (item === null) break
        if (item.parent === map && typeof item.parentSub === 'string') keys.add(item.parentSub)
        clock = item.id.clock + item.length
      }
    }
  }
  return [...keys]
}
