import * as Y from 'yjs'
import type { DocName, Reason } from '@waggle/schema'
import { COMPACT_THRESHOLD, type DocStorage, type OutboxEntry, type StoredChanges } from './DocStorage.ts'

function copyEntry(entry: OutboxEntry): OutboxEntry {
  return { ...entry, update: entry.update.slice() }
}

/**
 * {@link DocStorage} held in memory: the double for tests and for sessions that must not
 * persist anything. Bytes are copied in and out, so a caller that reuses or mutates its buffer
 * cannot change what was stored, the same guarantee IndexedDB's structured clone gives.
 * Every method completes synchronously, so each one is trivially atomic.
 */
export class MemoryDocStorage implements DocStorage {
  readonly #logs = new Map<DocName, Uint8Array[]>()
  readonly #outbox = new Map<number, OutboxEntry>()
  /** Never reset by ack or discard: a seq is sent to the relay and must not be reused. */
  #nextSeq = 1
  /** The change feed: each document's latest storage position. */
  readonly #changedAt = new Map<DocName, number>()
  #position = 0
  readonly #listeners = new Set<() => void>()

  load(doc: DocName): Promise<Uint8Array[]> {
    return Promise.resolve((this.#logs.get(doc) ?? []).map((u) => u.slice()))
  }

  storeRemote(doc: DocName, update: Uint8Array): Promise<void> {
    this.#append(doc, update)
    return Promise.resolve()
  }

  storeLocal(doc: DocName, update: Uint8Array): Promise<OutboxEntry> {
    const entry: OutboxEntry = { seq: this.#nextSeq++, doc, update: update.slice(), createdAt: Date.now(), state: 'pending' }
    this.#outbox.set(entry.seq, entry)
    this.#append(doc, update)
    return Promise.resolve(copyEntry(entry))
  }

  compact(doc: DocName): Promise<void> {
    this.#compact(doc)
    return Promise.resolve()
  }

  logLength(doc: DocName): Promise<number> {
    return Promise.resolve(this.#logs.get(doc)?.length ?? 0)
  }

  outbox(): Promise<OutboxEntry[]> {
    const entries = [...this.#outbox.values()].sort((a, b) => a.seq - b.seq)
    return Promise.resolve(entries.map(copyEntry))
  }

  ack(seqs: readonly number[]): Promise<void> {
    for (const seq of seqs) this.#outbox.delete(seq)
    return Promise.resolve()
  }

  reject(seq: number, reason: Reason, message: string): Promise<void> {
    const entry = this.#outbox.get(seq)
    if (entry) this.#outbox.set(seq, { ...entry, state: 'rejected', reason, message })
    return Promise.resolve()
  }

  retry(seq: number): Promise<void> {
    const entry = this.#outbox.get(seq)
    if (entry) {
      // Rebuilt rather than spread: a pending entry carries no reason or message.
      const { seq: s, doc, update, createdAt } = entry
      this.#outbox.set(seq, { seq: s, doc, update, createdAt, state: 'pending' })
    }
    return Promise.resolve()
  }

  discard(seq: number): Promise<void> {
    this.#outbox.delete(seq)
    return Promise.resolve()
  }

  docs(): Promise<DocName[]> {
    return Promise.resolve([...this.#logs.keys()].sort())
  }

  changedSince(cursor: number, limit: number): Promise<StoredChanges> {
    const changed = [...this.#changedAt].filter(([, at]) => at > cursor).sort((a, b) => a[1] - b[1]).slice(0, limit)
    return Promise.resolve({ docs: changed.map(([doc]) => doc), cursor: changed.at(-1)?.[1] ?? cursor })
  }

  onStored(next: () => void): () => void {
    const listener = () => next()
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  destroy(): Promise<void> {
    this.#changedAt.clear()
    this.#logs.clear()
    this.#outbox.clear()
    this.#nextSeq = 1
    return Promise.resolve()
  }

  close(): void {
    // Nothing to release: the data lives only as long as this instance.
  }

  #append(doc: DocName, update: Uint8Array): void {
    const log = this.#logs.get(doc) ?? []
    log.push(update.slice())
    this.#logs.set(doc, log)
    if (log.length > COMPACT_THRESHOLD) this.#compact(doc)
    this.#changedAt.set(doc, ++this.#position)
    // After the store resolves, as IndexedDB's observers fire after commit.
    if (this.#listeners.size > 0) queueMicrotask(() => this.#listeners.forEach((listener) => listener()))
  }

  #compact(doc: DocName): void {
    const log = this.#logs.get(doc)
    if (!log || log.length < 2) return
    this.#logs.set(doc, [Y.mergeUpdates(log)])
  }
}
