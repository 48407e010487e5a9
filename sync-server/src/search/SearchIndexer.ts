import {
  getMessage, isDeleted, listMessages, messageIdsIn, parseDocName,
  type DocName, type MessageId, type StoredMessage,
} from '@waggle/schema'
import * as Y from 'yjs'
import type { Logger } from '../config.ts'
import type { DocHub } from '../relay/DocHub.ts'
import type { IndexedMessage, MessageSearch, SegmentRef } from './MessageSearch.ts'

export interface SearchIndexerDeps {
  hub: DocHub
  index: MessageSearch
  logger: Logger
}

/**
 * Keeps the {@link MessageSearch} index in step with segment documents.
 *
 * - **Live:** it listens to the hub's applied writes (`DocHub.onApplied`: every update stored
 *   and applied, from clients and from the relay itself, seeding included). For a segment it
 *   finds the message ids the update set or deleted, reads each one's state in the live
 *   document and hands the index one batch: live messages upserted, deleted (or vanished)
 *   ones removed. The call runs synchronously right after the commit, before the next write of
 *   the document, so the index sees writes in document order.
 * - **Backfill:** {@link backfill} re-indexes every stored segment the index reports as missing
 *   or behind (a database from before the index, a crash between a write and its index
 *   update). Each runs in the document's write queue (`DocHub.change` with a change that
 *   changes nothing), so no write falls between reading the document and replacing its rows.
 *
 * Failures are logged and leave the segment behind, to be re-indexed at the next start.
 */
export class SearchIndexer {
  readonly #deps: SearchIndexerDeps
  readonly #unsubscribe: () => void
  #backfilling: Promise<number> | null = null
  #stopped = false

  constructor(deps: SearchIndexerDeps) {
    this.#deps = deps
    this.#unsubscribe = deps.hub.onApplied((name, update, doc) => this.#onApplied(name, update, doc))
  }

  /**
   * Re-indexes, one at a time, the stored segments whose index is missing or behind; resolves
   * with how many it did. Calling it again while it runs returns the same run.
   */
  backfill(): Promise<number> {
    this.#backfilling ??= this.#backfill().finally(() => {
      this.#backfilling = null
    })
    return this.#backfilling
  }

  /** Stops listening and lets a running backfill finish the segment it is on. */
  async stop(): Promise<void> {
    this.#stopped = true
    this.#unsubscribe()
    await this.#backfilling
  }

  async #backfill(): Promise<number> {
    const { hub, index, logger } = this.#deps
    let done = 0
    let segments: SegmentRef[]
    try {
      segments = await index.unindexed()
    } catch (err) {
      logger.error('search backfill could not list segments', { err: String(err) })
      return 0
    }
    for (const seg of segments) {
      if (this.#stopped) break
      try {
        let replaced: Promise<void> = Promise.resolve()
        // In the document's queue: every earlier write is applied and indexed, no later one yet.
        await hub.change(seg.doc, (doc) => {
          replaced = index.replace(seg, listMessages(doc).flatMap(indexable))
        })
        await replaced
        done += 1
      } catch (err) {
        logger.error('search backfill failed for a segment', { doc: seg.doc, err: String(err) })
      }
    }
    if (done > 0) logger.info(`Search index: re-indexed ${done} segment(s)`)
    return done
  }

  #onApplied(name: DocName, update: Uint8Array, doc: Y.Doc): void {
    const parsed = parseDocName(name)
    if (this.#stopped || parsed?.kind !== 'segment') return
    const seg: SegmentRef = { doc: name, conv: parsed.conv, seg: parsed.segment }
    const put: IndexedMessage[] = []
    const removed: MessageId[] = []
    for (const id of changedMessageIds(update, doc)) {
      const message = getMessage(doc, id)
      const row = message === null ? [] : indexable(message)
      if (row.length > 0) put.push(...row)
      else removed.push(id)
    }
    // Called even for an update that changes no message: the index counts every write.
    this.#deps.index.update(seg, put, removed).catch((err: unknown) => {
      this.#deps.logger.error('search index update failed', { doc: name, err: String(err) })
    })
  }
}

/**
 * What the index keeps of a message: live ones with text. Deleted messages carry no text;
 * system notices (created, added, left) are the relay's words about membership, not content.
 */
function indexable(m: StoredMessage): IndexedMessage[] {
  if (isDeleted(m) || m.system !== undefined || m.text.trim().length === 0) return []
  return [{ id: m.id, author: m.author, time: m.time, text: m.text }]
}

/**
 * Message ids `update` touched in `doc` (which it has been applied to): keys it set (new
 * messages, edits, deletes, which replace the value) and keys whose value it removed
 * outright (a `Y.Map.delete`, which only a delete set names). A key found in the delete set
 * of another root map is harmless: the caller reads each id's current state.
 */
function changedMessageIds(update: Uint8Array, doc: Y.Doc): MessageId[] {
  const ids = new Set<MessageId>(messageIdsIn(update, doc))
  for (const [client, ranges] of Y.decodeUpdate(update).ds.clients) {
    for (const range of ranges) {
      let clock = range.clock
      while (clock < range.clock + range.len && clock < Y.getState(doc.store, client)) {
        // An Item, or a GC struct (content collected with its parent): skipped by its length.
        const struct = Y.getItem(doc.store, Y.createID(client, clock)) as Y.Item | Y.GC
        const root = struct instanceof Y.Item && struct.parent instanceof Y.Map && struct.parent._item === null
        if (root && typeof struct.parentSub === 'string') ids.add(struct.parentSub as MessageId)
        clock = struct.id.clock + Math.max(1, struct.length)
      }
    }
  }
  return [...ids]
}
