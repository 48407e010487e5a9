import { docName, getMessage, listMessages, type ConvId, type DocName, type InboxEntry, type InboxLastMessage, type MessageId, type UserId } from '@waggle/schema'
import type * as Y from 'yjs'
import type { DocHandle } from '../sync/index.ts'
import type { ConvIndexRow, LocalIndex } from './LocalIndex.ts'
import { onDocChange } from './docs.ts'
import { countUnread, isCurrent, mentionsUnread, nothingUnread } from './unread.ts'

export interface IndexerDeps {
  me: UserId
  open: (name: DocName) => DocHandle
  index: Pick<LocalIndex, 'convRows' | 'putConvRows' | 'revisions' | 'putRevision'>
  /** Whether the device holds a copy of the document (only those are fetched again after edits). */
  stored: (name: DocName) => Promise<boolean>
  /** Resolves once an open document has caught up with the relay. */
  whenSynced: (name: DocName) => Promise<void>
  /** The inbox projection as it is now. */
  entries: () => ReadonlyMap<ConvId, InboxEntry>
  /** This user's read position as it is now. */
  readPosition: (conv: ConvId) => MessageId | undefined
  onError: (err: unknown) => void
  /** Segments opened at once (each is loaded from storage and synced). */
  concurrency?: number
}

/**
 * Keeps the local index's unread counts in step with the inbox projection and the read
 * positions (run by the leader tab only). A conversation whose last message is own or read
 * shows 0 at once; every conversation's current segment is opened once per new message, so
 * its messages are on the device for offline reading, and counted once it holds the inbox's
 * last message.
 */
export class Indexer {
  readonly #deps: IndexerDeps
  readonly #jobs = new Set<ConvId>()
  /** Revised segments being fetched again, by `conv/seg`. */
  readonly #refetching = new Set<string>()
  readonly #wakers = new Set<() => void>()
  readonly #waitingForSlot: (() => void)[] = []
  #freeSlots: number
  #scheduled = false
  #running = false
  #again = false
  #disposed = false

  constructor(deps: IndexerDeps) {
    this.#deps = deps
    this.#freeSlots = deps.concurrency ?? 4
  }

  /** Looks at every conversation again soon (after an inbox, read position or index change). */
  schedule(): void {
    for (const wake of [...this.#wakers]) wake()
    if (this.#disposed) return
    if (this.#running) {
      this.#again = true
      return
    }
    if (this.#scheduled) return
    this.#scheduled = true
    queueMicrotask(() => {
      this.#scheduled = false
      void this.#pass()
    })
  }

  dispose(): void {
    this.#disposed = true
    for (const wake of [...this.#wakers]) wake()
    for (const grant of this.#waitingForSlot.splice(0)) grant()
  }

  async #pass(): Promise<void> {
    if (this.#disposed) return
    this.#running = true
    const { me, index, entries, readPosition } = this.#deps
    try {
      const rows = new Map((await index.convRows()).map((row) => [row.conv, row]))
      const known: ConvIndexRow[] = []
      for (const [conv, entry] of entries()) {
        const read = readPosition(conv)
        const row = rows.get(conv)
        const current = isCurrent(row, entry.last, read)
        const fetched = entry.last === undefined || row?.fetched === entry.last.id
        if (current && fetched) continue
        const settled = nothingUnread(entry.last, read, me)
        if (settled && !current) known.push({ conv, unread: 0, mentioned: false, last: entry.last?.id ?? null, read: read ?? null, segment: entry.segment, fetched: row?.fetched ?? null })
        // Counting needs the segment; so does reading offline later, so it is fetched either way.
        if ((!settled || !fetched) && !this.#jobs.has(conv)) void this.#count(conv)
      }
      if (!this.#disposed) await index.putConvRows(known)
      await this.#refetchRevised()
    } catch (err) {
      this.#deps.onError(err)
    } finally {
      this.#running = false
      if (this.#again) {
        this.#again = false
        this.schedule()
      }
    }
  }

  /**
   * Segments whose messages were edited or deleted since this device fetched them (the inbox's
   * `revised`) are opened once until synced, so the stored copy, and the search index that
   * follows it, drop the old text; segments not on the device are only marked as seen.
   */
  async #refetchRevised(): Promise<void> {
    // Most passes follow a new message or a read: no IndexedDB read unless something was revised.
    if (![...this.#deps.entries().values()].some((entry) => entry.revised !== undefined)) return
    const fetched = await this.#deps.index.revisions()
    for (const [conv, entry] of this.#deps.entries()) {
      for (const [seg, at] of Object.entries(entry.revised ?? {})) {
        const key = `${conv}/${seg}`
        if ((fetched.get(key) ?? -1) >= at || this.#refetching.has(key)) continue
        this.#refetching.add(key)
        void this.#refetch(docName.segment(conv, Number(seg)), key, at).finally(() => this.#refetching.delete(key))
      }
    }
  }

  async #refetch(name: DocName, key: string, at: number): Promise<void> {
    let handle: DocHandle | null = null
    await this.#slot()
    try {
      if (this.#disposed) return
      if (await this.#deps.stored(name)) {
        handle = this.#deps.open(name)
        await handle.loaded
        await this.#deps.whenSynced(name)
      }
      if (!this.#disposed) await this.#deps.index.putRevision(key, at)
    } catch (err) {
      this.#deps.onError(err)
    } finally {
      handle?.release()
      this.#freeSlot()
    }
  }

  /**
   * Counts one conversation from its current segment. The job holds a slot while it opens,
   * loads and counts; it gives the slot up while it waits for a message still on its way.
   */
  async #count(conv: ConvId): Promise<void> {
    this.#jobs.add(conv)
    let failed = false
    let handle: DocHandle | null = null
    let holdsSlot = false
    const freeSlot = () => {
      if (holdsSlot) this.#freeSlot()
      holdsSlot = false
    }
    try {
      const segment = this.#deps.entries().get(conv)?.segment
      if (segment === undefined) return
      await this.#slot()
      holdsSlot = true
      if (this.#disposed) return
      const open = this.#deps.open(docName.segment(conv, segment))
      handle = open
      await open.loaded
      const check = () => this.#countable(conv, segment, open.doc)
      let last = check()
      if (last === undefined) {
        freeSlot()
        last = await this.#until(open.doc, check)
      }
      if (last === null || this.#disposed) return
      const read = this.#deps.readPosition(conv)
      const messages = listMessages(open.doc)
      const unread = countUnread(messages, read, this.#deps.me)
      const mentioned = unread > 0 && mentionsUnread(messages, read, this.#deps.me)
      await this.#deps.index.putConvRows([{ conv, unread, mentioned, last: last.id, read: read ?? null, segment, fetched: last.id }])
    } catch (err) {
      failed = true
      this.#deps.onError(err)
    } finally {
      handle?.release()
      freeSlot()
      this.#jobs.delete(conv)
      // After a failure, wait for the next change instead of retrying in a tight loop.
      if (!failed) this.schedule()
    }
  }

  /**
   * The last message to count up to once the segment holds it; null when this job no longer
   * applies (left, moved to a new segment, no message: the next pass decides);
   * undefined while the segment has not received it yet.
   */
  #countable(conv: ConvId, segment: number, doc: Y.Doc): InboxLastMessage | null | undefined {
    if (this.#disposed) return null
    const entry = this.#deps.entries().get(conv)
    if (entry === undefined || entry.segment !== segment || entry.last === undefined) return null
    return getMessage(doc, entry.last.id) === null ? undefined : entry.last
  }

  /** Resolves with `check()` once it is not undefined, re-checking on document and inbox changes. */
  #until<T>(doc: Y.Doc, check: () => T | undefined): Promise<T> {
    const first = check()
    if (first !== undefined) return Promise.resolve(first)
    return new Promise<T>((resolve) => {
      const test = () => {
        const value = check()
        if (value === undefined) return
        stop()
        this.#wakers.delete(test)
        resolve(value)
      }
      const stop = onDocChange(doc, test)
      this.#wakers.add(test)
    })
  }

  async #slot(): Promise<void> {
    if (this.#freeSlots > 0) {
      this.#freeSlots--
      return
    }
    await new Promise<void>((grant) => this.#waitingForSlot.push(grant))
  }

  #freeSlot(): void {
    const next = this.#waitingForSlot.shift()
    if (next !== undefined) next()
    else this.#freeSlots++
  }
}
