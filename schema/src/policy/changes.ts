import * as Y from 'yjs'
import { Reason } from '../errors.ts'
import type { ContentRefusal } from './content.ts'

/** One plain value an update inserted or deleted, with where it sits. */
export interface ChangedValue {
  /** The root type's name. */
  readonly root: string
  /** The map key, or null for an element of the list part (a Y.Array's elements). */
  readonly key: string | null
  readonly value: unknown
}

/**
 * What one update changed in a document, collected from the transaction that applied it
 * ({@link collectChanges}). The content checks look at these parts only, never at the whole
 * document, so judging a write costs what the write changes.
 */
export interface Changes {
  /**
   * Root types the update touched, by name, with the map keys it set or deleted; `null` in the
   * set stands for the list part (array elements inserted or deleted).
   */
  readonly roots: ReadonlyMap<string, ReadonlySet<string | null>>
  /** Plain values the update inserted that it did not also delete. */
  readonly inserted: readonly ChangedValue[]
  /** Plain values the update deleted (for a map, values it overwrote or removed). */
  readonly removed: readonly ChangedValue[]
  /**
   * The update creates or changes a shared type inside another, or inserts content other than
   * plain JSON values (text, binary, embeds, formats, subdocuments). Every Waggle layout holds
   * plain values under its root types.
   */
  readonly nonPlain: boolean
}

export const NO_CHANGES: Changes = { roots: new Map(), inserted: [], removed: [], nonPlain: false }

type SharedType = Parameters<typeof Y.findRootTypeKey>[0]

const isPlain = (c: Y.AbstractStruct | Y.Item['content']): boolean => c instanceof Y.ContentAny || c instanceof Y.ContentJSON

/**
 * Runs `apply` (which applies an update to `doc`, e.g. `Y.applyUpdate`) and returns what the
 * transactions it ran changed: the changed root types and keys (`tr.changed`, keys are the
 * items' `parentSub`), the values inserted and deleted. Read in `afterTransaction`, before Yjs
 * garbage-collects the deleted content and merges structs.
 */
export function collectChanges(doc: Y.Doc, apply: () => void): Changes {
  const roots = new Map<string, Set<string | null>>()
  const inserted: ChangedValue[] = []
  const removed: ChangedValue[] = []
  let nonPlain = false
  const names = new Map<SharedType, string>()
  const rootName = (type: SharedType): string | null => {
    if (type._item !== null) return null
    let name = names.get(type)
    if (name === undefined) {
      name = Y.findRootTypeKey(type)
      names.set(type, name)
    }
    return name
  }
  const onTransaction = (tr: Y.Transaction): void => {
    for (const [type, subs] of tr.changed) {
      const name = rootName(type)
      if (name === null) {
        nonPlain = true
        continue
      }
      let keys = roots.get(name)
      if (keys === undefined) roots.set(name, (keys = new Set()))
      for (const sub of subs) keys.add(sub)
    }
    for (const [client, after] of tr.afterState) {
      const before = tr.beforeState.get(client) ?? 0
      if (after <= before) continue
      const structs = doc.store.clients.get(client)
      if (structs === undefined) continue
      for (let i = Y.findIndexSS(structs, before); i < structs.length; i++) {
        const s = structs[i]
        if (s === undefined || s.id.clock >= after) break
        if (!(s instanceof Y.Item) || s.deleted) continue
        const parent = s.parent
        const name = parent instanceof Y.AbstractType ? rootName(parent) : null
        if (name === null || !isPlain(s.content)) {
          nonPlain = true
          continue
        }
        for (const value of s.content.getContent()) inserted.push({ root: name, key: s.parentSub, value })
      }
    }
    Y.iterateDeletedStructs(tr, tr.deleteSet, (s) => {
      if (!(s instanceof Y.Item) || !isPlain(s.content)) return
      const parent = s.parent
      const name = parent instanceof Y.AbstractType ? rootName(parent) : null
      // A deletion inside a nested type shows up as a changed nested type (nonPlain) above.
      if (name === null) return
      for (const value of s.content.getContent()) removed.push({ root: name, key: s.parentSub, value })
    })
  }
  doc.on('afterTransaction', onTransaction)
  try {
    apply()
  } finally {
    doc.off('afterTransaction', onTransaction)
  }
  return { roots, inserted, removed, nonPlain }
}

/** The shape of a root type in a document's layout. */
export type RootShape = 'map' | 'array'

/** A document kind's root types: what the accessors in `doc/` create, nothing else. */
export type Layout = Readonly<Record<string, RootShape>>

const refuse = (reason: Reason, message: string): ContentRefusal => ({ reason, message })

/**
 * The layout rules every kind shares: only the layout's root types, each used in its shape
 * (map keys on a map, elements on an array), holding plain values (no nested shared types).
 * `what` names the document in messages ("A segment").
 */
export function checkLayout(layout: Layout, changes: Changes, what: string): ContentRefusal | null {
  if (changes.nonPlain) return refuse(Reason.invalidContent, `${what} holds plain values only, no nested shared types`)
  for (const [name, keys] of changes.roots) {
    const shape = Object.hasOwn(layout, name) ? layout[name] : undefined
    if (shape === undefined) return refuse(Reason.invalidContent, `${what} has no "${name.slice(0, 40)}"`)
    const wrong = shape === 'map' ? keys.has(null) : [...keys].some((k) => k !== null)
    if (wrong) return refuse(Reason.invalidContent, `Not ${what.toLowerCase()}’s layout: "${name.slice(0, 40)}" is a${shape === 'map' ? ' map' : 'n array'}`)
  }
  return null
}

/** The map keys of root `name` that the update set or deleted. */
export function changedKeys(changes: Changes, name: string): string[] {
  const keys = changes.roots.get(name)
  if (keys === undefined) return []
  return [...keys].filter((k): k is string => k !== null)
}

/**
 * Root map `name` of `doc` for reading, or null when the document has no such root. Reading
 * never creates a root type in `doc`.
 */
export function rootMap(doc: Y.Doc, name: string): Y.Map<unknown> | null {
  return doc.share.has(name) ? doc.getMap<unknown>(name) : null
}

/** Deep equality of plain JSON values (what a map key held before and after). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  return JSON.stringify(a) === JSON.stringify(b)
}
