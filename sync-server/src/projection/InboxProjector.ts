import {
  Origin, currentSegment, docName, getMessage, inboxEntry, isDeleted, membersRemovedBy, messageCount, messageIdsIn, parseDocName, previewOf,
  readConvInfo, readMembers, removeInboxEntry, startSegment, writeInboxEntry,
  type ConvId, type ConvInfo, type DocName, type InboxEntry, type InboxLastMessage, type MessageId, type UserId,
} from '@waggle/schema'
import { isDeepStrictEqual } from 'node:util'
import type * as Y from 'yjs'
import type { Logger } from '../config.ts'
import type { DocHub } from '../relay/DocHub.ts'
import type { AccountStore, ConversationMemberRecord } from '../storage/AccountStore.ts'

export interface InboxProjectorDeps {
  hub: DocHub
  accounts: AccountStore
  logger: Logger
  now: () => number
  /** See `ServerConfig.inboxDebounceMs`. */
  debounceMs: number
  /** See `ServerConfig.segmentMaxMessages`. */
  segmentMaxMessages: number
}

/** The newest message seen in a conversation's writes, and the segment it is in. */
interface Candidate {
  segment: number
  message: InboxLastMessage
}

/** What a conversation's next projection has to take into account. */
interface Pending {
  /** The meta document changed (or a command asked): also drop entries of former members. */
  meta: boolean
  /** Users the meta document's writes took off the member list. */
  removed: Set<UserId>
  last: Candidate | null
  /** Messages in each written segment after its latest write. */
  counts: Map<number, number>
  /** Segments in which a message was edited or deleted. */
  revised: Set<number>
}

/**
 * Keeps every user's inbox (`user/{u}/inbox`) in step with the conversations they belong to.
 * It listens to the hub's applied writes: a write to `conv/{c}/meta` re-projects the
 * conversation for each member, a write to a segment moves each member's `last` message
 * forward, and a segment that grows past `segmentMaxMessages` gets a successor in the meta
 * document. Writes to one conversation are coalesced for `debounceMs`, so a burst updates
 * each inbox once; projections of one conversation run one at a time. Membership comes from
 * the account store (server-authoritative); everything else from the meta document.
 */
export class InboxProjector {
  readonly #deps: InboxProjectorDeps
  readonly #pending = new Map<ConvId, Pending>()
  readonly #timers = new Map<ConvId, ReturnType<typeof setTimeout>>()
  /** The last projection started for each conversation; the next one waits for it. */
  readonly #running = new Map<ConvId, Promise<void>>()
  readonly #unsubscribe: () => void
  #closed = false

  constructor(deps: InboxProjectorDeps) {
    this.#deps = deps
    this.#unsubscribe = deps.hub.onApplied((name, update, doc) => this.#onApplied(name, update, doc))
  }

  /** Projects `conv` for every member now; resolves once their inboxes are written. */
  refresh(conv: ConvId): Promise<void> {
    this.#pendingFor(conv).meta = true
    return this.#start(conv)
  }

  /** Resolves once no projection is waiting or running, including ones that running ones caused. */
  async flush(): Promise<void> {
    for (;;) {
      for (const conv of [...this.#pending.keys()]) void this.#start(conv)
      const running = [...this.#running.values()]
      if (running.length === 0) return
      await Promise.all(running)
    }
  }

  /** Stops listening and drops work not yet started; call {@link flush} first to finish it. */
  close(): void {
    this.#closed = true
    this.#unsubscribe()
    for (const timer of this.#timers.values()) clearTimeout(timer)
    this.#timers.clear()
    this.#pending.clear()
  }

  #onApplied(name: DocName, update: Uint8Array, doc: Y.Doc): void {
    const parsed = parseDocName(name)
    if (this.#closed || parsed === null) return
    if (parsed.kind === 'convMeta') {
      const pending = this.#pendingFor(parsed.conv)
      pending.meta = true
      for (const user of membersRemovedBy(update, doc)) pending.removed.add(user)
      this.#schedule(parsed.conv)
    } else if (parsed.kind === 'segment') {
      const ids = messageIdsIn(update, doc)
      const newest = newestMessage(doc, ids)
      const count = messageCount(doc)
      const revised = revisesMessages(doc, ids)
      if (newest === null && !revised && count <= this.#deps.segmentMaxMessages) return
      const pending = this.#pendingFor(parsed.conv)
      pending.counts.set(parsed.segment, count)
      if (revised) pending.revised.add(parsed.segment)
      // The same id again is an edit or a delete of that message: its latest state wins.
      if (newest !== null && (pending.last === null || newest.id >= pending.last.message.id)) {
        pending.last = { segment: parsed.segment, message: newest }
      }
      this.#schedule(parsed.conv)
    }
  }

  #pendingFor(conv: ConvId): Pending {
    let pending = this.#pending.get(conv)
    if (pending === undefined) {
      pending = { meta: false, removed: new Set(), last: null, counts: new Map(), revised: new Set() }
      this.#pending.set(conv, pending)
    }
    return pending
  }

  /** Starts the conversation's projection `debounceMs` after its first pending write. */
  #schedule(conv: ConvId): void {
    if (this.#timers.has(conv)) return
    this.#timers.set(conv, setTimeout(() => void this.#start(conv), this.#deps.debounceMs))
  }

  /** Queues a projection of what is pending for `conv`; the promise never rejects. */
  #start(conv: ConvId): Promise<void> {
    const timer = this.#timers.get(conv)
    if (timer !== undefined) clearTimeout(timer)
    this.#timers.delete(conv)
    const pending = this.#pending.get(conv)
    const previous = this.#running.get(conv) ?? Promise.resolve()
    if (pending === undefined) return previous
    this.#pending.delete(conv)
    const run = previous
      .then(() => this.#project(conv, pending))
      .catch((err: unknown) => this.#deps.logger.error('inbox projection failed', { conv, err: errorText(err) }))
    this.#running.set(conv, run)
    void run.finally(() => {
      if (this.#running.get(conv) === run) this.#running.delete(conv)
    })
    return run
  }

  async #project(conv: ConvId, pending: Pending): Promise<void> {
    const { accounts, hub, logger } = this.#deps
    const members = await accounts.conversationMembers(conv)
    const meta = await hub.read(docName.convMeta(conv), (doc) => ({
      info: readConvInfo(doc),
      segment: currentSegment(doc),
      listed: [...readMembers(doc).keys()],
    }))
    if (meta.info === null) {
      // A command writes the membership rows first and the meta document next; its own
      // meta write projects the conversation again.
      if (members.length > 0) logger.warn('conversation has members but no meta document yet; not projected', { conv })
      return
    }
    let segment = meta.segment
    if ((pending.counts.get(segment) ?? 0) > this.#deps.segmentMaxMessages) segment = await this.#rollOver(conv, segment)
    for (const member of members) {
      const entry = entryFor(meta.info, members, member, segment)
      const last = pending.last !== null && pending.last.segment >= member.firstSegment ? pending.last.message : null
      const revised = [...pending.revised].filter((seg) => seg >= member.firstSegment)
      await this.#each(conv, member.user, () => this.#writeEntry(member.user, conv, entry, last, revised))
    }
    if (!pending.meta) return
    // Former members: taken off the meta list, or still on it but no longer in the table.
    const current = new Set(members.map((m) => m.user))
    for (const user of new Set([...pending.removed, ...meta.listed])) {
      if (!current.has(user)) await this.#each(conv, user, () => this.#removeEntry(user, conv))
    }
  }

  /** Runs one user's part of a projection; a failure is logged and the other users go on. */
  async #each(conv: ConvId, user: UserId, task: () => Promise<void>): Promise<void> {
    try {
      await task()
    } catch (err) {
      this.#deps.logger.error('inbox projection failed for one user', { conv, user, err: errorText(err) })
    }
  }

  /** Sets the entry, keeping the newer of its `last` and `candidate`; writes only a change. */
  #writeEntry(user: UserId, conv: ConvId, entry: InboxEntry, candidate: InboxLastMessage | null, revisedSegments: readonly number[] = []): Promise<void> {
    return this.#deps.hub.change(docName.inbox(user), (doc) => {
      const existing = inboxEntry(doc, conv)
      let last = existing?.last
      if (candidate !== null && (last === undefined || candidate.id >= last.id)) last = candidate
      const next: InboxEntry = last === undefined ? { ...entry } : { ...entry, last }
      const revised = { ...existing?.revised }
      // Strictly increasing per segment, so a device can tell a new revision from one it fetched.
      for (const seg of revisedSegments) revised[String(seg)] = Math.max(this.#deps.now(), (revised[String(seg)] ?? 0) + 1)
      if (Object.keys(revised).length > 0) next.revised = revised
      if (existing === undefined || !isDeepStrictEqual(existing, next)) writeInboxEntry(doc, conv, next, Origin.server)
    })
  }

  #removeEntry(user: UserId, conv: ConvId): Promise<void> {
    return this.#deps.hub.change(docName.inbox(user), (doc) => {
      if (inboxEntry(doc, conv) !== undefined) removeInboxEntry(doc, conv, Origin.server)
    })
  }

  /** Starts the segment after `full` in the meta document; resolves with the current segment. */
  async #rollOver(conv: ConvId, full: number): Promise<number> {
    let current = full
    await this.#deps.hub.change(docName.convMeta(conv), (doc) => {
      current = currentSegment(doc)
      if (current !== full) return
      current = full + 1
      startSegment(doc, current, this.#deps.now(), Origin.server)
    })
    if (current === full + 1) this.#deps.logger.info('segment full; started the next one', { conv, segment: current })
    return current
  }
}

/** One member's summary of the conversation, without `last`. */
function entryFor(info: ConvInfo, members: ConversationMemberRecord[], member: ConversationMemberRecord, segment: number): InboxEntry {
  const entry: InboxEntry = {
    kind: info.kind,
    title: info.title,
    memberCount: members.length,
    readOnly: member.readOnly,
    firstSegment: member.firstSegment,
    segment: Math.max(segment, member.firstSegment),
    joinedAt: member.addedAt,
    createdAt: info.createdAt,
  }
  if (info.kind === 'direct' && members.length <= 2) entry.members = members.map((m) => m.user).sort()
  return entry
}

/** Whether the write edited or deleted (or took back) one of the messages it touched. */
function revisesMessages(doc: Y.Doc, ids: readonly MessageId[]): boolean {
  return ids.some((id) => {
    const m = getMessage(doc, id)
    return m === null || isDeleted(m) || m.editedAt !== undefined
  })
}

/** The newest well-formed message among `ids` in `doc`, as an inbox summary. */
function newestMessage(doc: Y.Doc, ids: readonly MessageId[]): InboxLastMessage | null {
  let newest: InboxLastMessage | null = null
  for (const id of ids) {
    const m = getMessage(doc, id)
    // A value whose id is not its key is malformed; the write gate should not let it in.
    if (m === null || m.id !== id || (newest !== null && m.id < newest.id)) continue
    newest = isDeleted(m)
      ? { id: m.id, author: m.author, time: m.time, preview: '', deleted: true }
      : { id: m.id, author: m.author, time: m.time, preview: previewOf(m.text) }
  }
  return newest
}

function errorText(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err)
}
