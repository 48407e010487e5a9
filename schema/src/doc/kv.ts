import type * as Y from 'yjs'
import { YKeyValue } from 'y-utility/y-keyvalue'
import type { TxOrigin } from '../origins.ts'

/**
 * Key-value layout for values that are overwritten often (settings, read positions, status):
 * y-utility's YKeyValue keeps only the live value per key, where a plain Y.Map keeps every
 * overwritten one (TOOLCHAIN: 100,000 writes to 10 keys, 525 kB against 271 B).
 */
export type KvEntry<T> = { key: string; val: T }

const instances = new WeakMap<Y.Array<KvEntry<unknown>>, YKeyValue<unknown>>()

function kvArray<T>(doc: Y.Doc, name: string): Y.Array<KvEntry<T>> {
  return doc.getArray<KvEntry<T>>(name)
}

function instance<T>(arr: Y.Array<KvEntry<T>>): YKeyValue<T> {
  let kv = instances.get(arr as Y.Array<KvEntry<unknown>>)
  if (kv === undefined) {
    kv = new YKeyValue(arr as Y.Array<KvEntry<unknown>>)
    instances.set(arr as Y.Array<KvEntry<unknown>>, kv)
  }
  return kv as YKeyValue<T>
}

/** Sets `key`; must be called inside `doc.transact(fn, origin)` (see {@link kvWrite}). */
export function kvWrite<T>(doc: Y.Doc, name: string, origin: TxOrigin, write: (set: (key: string, val: T) => void, del: (key: string) => void) => void): void {
  doc.transact(() => {
    const kv = instance<T>(kvArray<T>(doc, name))
    write(
      (key, val) => kv.set(key, val),
      (key) => kv.delete(key),
    )
  }, origin)
}

/** The live entries; the right-most entry for a key wins, as in YKeyValue. Reading never writes. */
export function kvEntries<T>(doc: Y.Doc, name: string, parse: (val: unknown) => T | null): Map<string, T> {
  const out = new Map<string, T>()
  for (const entry of kvArray<unknown>(doc, name).toArray()) {
    if (typeof entry !== 'object' || entry === null || typeof entry.key !== 'string') continue
    const parsed = parse(entry.val)
    if (parsed === null) continue
    out.delete(entry.key)
    out.set(entry.key, parsed)
  }
  return out
}

export function kvGet<T>(doc: Y.Doc, name: string, key: string, parse: (val: unknown) => T | null): T | undefined {
  const arr = kvArray<unknown>(doc, name).toArray()
  for (let i = arr.length - 1; i >= 0; i--) {
    const entry = arr[i]
    if (entry !== undefined && typeof entry === 'object' && entry !== null && entry.key === key) {
      return parse(entry.val) ?? undefined
    }
  }
  return undefined
}

/** Calls `fn` with the origin of every transaction that changed the key-value array `name`. */
export function kvObserve(doc: Y.Doc, name: string, fn: (origin: unknown) => void): () => void {
  const arr = kvArray<unknown>(doc, name)
  const handler = (event: Y.YArrayEvent<KvEntry<unknown>>) => fn(event.transaction.origin)
  arr.observe(handler)
  return () => arr.unobserve(handler)
}
