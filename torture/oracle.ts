import { isDeleted, listMessages, parseDocName, type DocName } from '@waggle/schema'
import * as Y from 'yjs'

/**
 * The JSON of a document as its content, without knowing its schema: every root type is read
 * as a map when it has keys and as an array when it has items (Waggle's documents use only
 * maps and arrays at the root; the write gate refuses anything else).
 */
export function docJson(doc: Y.Doc): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const name of [...doc.share.keys()].sort()) {
    const type = doc.share.get(name)
    if (type === undefined) continue
    const json: Record<string, unknown> = {}
    if (type._map.size > 0) json.map = doc.getMap(name).toJSON()
    if (type._start !== null) json.array = doc.getArray(name).toJSON()
    out[name] = json
  }
  return out
}

export function docFrom(updates: readonly Uint8Array[]): Y.Doc {
  const doc = new Y.Doc()
  for (const u of updates) Y.applyUpdate(doc, u)
  return doc
}

/** JSON with object keys sorted (a Y.Map's key order is its insertion order on that replica). */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v)
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex')

/** Why `replica` differs from `truth`, or null when their state vectors and JSON are identical. */
export function difference(replica: Y.Doc, truth: Y.Doc): string | null {
  const a = Y.encodeStateVector(replica)
  const b = Y.encodeStateVector(truth)
  if (hex(a) !== hex(b)) {
    const mine = Y.decodeStateVector(a)
    const theirs = Y.decodeStateVector(b)
    const clients = new Set([...mine.keys(), ...theirs.keys()])
    const diffs = [...clients].filter((c) => mine.get(c) !== theirs.get(c)).map((c) => `client ${c}: device ${mine.get(c) ?? 0}, relay ${theirs.get(c) ?? 0}`)
    return `state vectors differ (${diffs.join('; ') || 'same clocks, different encoding'})`
  }
  const ja = canonical(docJson(replica))
  const jb = canonical(docJson(truth))
  if (ja !== jb) return `same state vector but different JSON:\n  device ${ja.slice(0, 400)}\n  relay  ${jb.slice(0, 400)}`
  return null
}

/** A message the harness sent, identified by the unique marker at the start of its text. */
export interface SentMessage {
  marker: string
  id: string
  conv: string
  replica: string
  /** Deleted by its author during the run. */
  deleted: boolean
}

/** The marker of a text written by the harness (`⟦anna/1#12⟧ …`), or null. */
export function markerOf(text: string): string | null {
  return /^⟦[^⟧]+⟧/.exec(text)?.[0] ?? null
}

/**
 * Checks the relay's segments against what was sent: every sent message exists under its id
 * (deleted ones as tombstones), and no marker appears on two live messages (a message stored
 * twice, for example resent as a new one). Returns the problems found.
 */
export function checkMessages(sent: readonly SentMessage[], segments: ReadonlyMap<DocName, Y.Doc>): string[] {
  const problems: string[] = []
  const byId = new Map<string, { doc: DocName; deleted: boolean; marker: string | null }[]>()
  const byMarker = new Map<string, string[]>()
  for (const [name, doc] of segments) {
    if (parseDocName(name)?.kind !== 'segment') continue
    for (const m of listMessages(doc)) {
      const deleted = isDeleted(m)
      const marker = deleted ? null : markerOf(m.text)
      const list = byId.get(m.id) ?? []
      list.push({ doc: name, deleted, marker })
      byId.set(m.id, list)
      if (marker !== null) byMarker.set(marker, [...(byMarker.get(marker) ?? []), m.id])
    }
  }
  for (const s of sent) {
    const found = byId.get(s.id) ?? []
    if (found.length === 0) problems.push(`lost: ${s.marker} (${s.id}) sent by ${s.replica} to ${s.conv} is not on the relay`)
    else if (found.length > 1) problems.push(`duplicated: ${s.marker} (${s.id}) is in ${found.map((f) => f.doc).join(', ')}`)
    else if (!s.deleted && found[0]?.deleted === true) problems.push(`deleted: ${s.marker} (${s.id}) was never deleted but is a tombstone`)
    else if (!s.deleted && found[0]?.marker !== s.marker) problems.push(`changed: ${s.marker} (${s.id}) carries ${found[0]?.marker ?? 'no marker'}`)
  }
  for (const [marker, ids] of byMarker) if (ids.length > 1) problems.push(`duplicated: ${marker} is on ${ids.length} messages (${ids.join(', ')})`)
  return problems
}
