import {
  Origin, Reason, WaggleError, appendMessage, deleteMessage, docName, editMessage, forgetMessages, parseDocName, toggleReaction, getMessage, isDeleted, listMessages, markRead, markSeen, messageIdsIn,
  newMessageId, observeMessages, observeReceipts, readConvInfo, readMembers, readPosition, readSegments, receipts,
  type ConvId, type ConvInfo, type ConvMember, type InboxEntry, type MessageId, type Receipt, type StoredMessage, type SystemEvent, type UserId,
} from '@waggle/schema'
import type * as Y from 'yjs'
import { createEffect, createMemo, createRoot, createSignal, on, type Accessor } from 'solid-js'
import type { DocHandle, OutboxEntry, SyncClient, UnstoredUpdate } from '../sync/index.ts'
import type { CreationRow } from './LocalIndex.ts'
import type { ConversationInfo, ConversationModel, MessageItem, Person, ReactionSummary, SendOptions } from './model.ts'
import { SegmentReactions, summarize } from './reactions.ts'
import { forwardMessage } from './forward.ts'
import { Disposers, onDocChange } from './docs.ts'
import { deliveryOf, outboxMarks, sameMarks, seenBy, type OutboxLike, type OutboxMark } from './delivery.ts'
import { peerOf } from './inbox.ts'
import { avatarOf, nameOf, toPersonOrStub } from './people.ts'
import { SortedMessages } from './SortedMessages.ts'

/** What a conversation view needs from the app model. */
export interface ConversationDeps {
  me: UserId
  sync: Pick<SyncClient, 'open' | 'outbox' | 'onOutboxChange' | 'resend' | 'discard' | 'resubscribe' | 'access' | 'whenSynced'>
  /** Reactive: the relay connection is open (a document with nothing stored waits for it then). */
  online: Accessor<boolean>
  /** Reactive: the inbox projection's entry for a conversation. */
  inboxEntry: (conv: ConvId) => InboxEntry | undefined
  /** Reactive: the queued creation of a conversation. */
  command: (conv: ConvId) => CreationRow | undefined
  people: Accessor<ReadonlyMap<UserId, Person>>
  /** The private document (kept open by the app model) and when its stored copy is loaded. */
  privateDoc: Y.Doc
  privateLoaded: Promise<void>
  now: () => number
  /** Read receipts are published at most this often (the latest is flushed on dispose). */
  receiptIntervalMs?: number
  onError: (err: unknown) => void
  onDispose?: () => void
}

export const CannotSend = {
  readOnly: 'This conversation is read-only for you.',
  creationPending: 'This conversation will open for messages once it is created; it is waiting to be sent.',
} as const

/** One loaded segment: its document and its messages kept sorted change by change. */
interface Slot {
  n: number
  handle: DocHandle
  list: SortedMessages
  loaded: Accessor<boolean>
  /** Caught up with the relay in this session. */
  synced: Accessor<boolean>
  version: Accessor<number>
  stop: () => void
}

/** Cached view of a message, rebuilt only when one of its inputs changed. */
interface Cached {
  src: StoredMessage
  mark: OutboxMark | undefined
  name: string
  item: MessageItem
}

const MISSING_REASON = 'The server refused to create this conversation.'

/** Opens one conversation for a view (ARCHITECTURE §5); see {@link ConversationModel}. */
export function createConversationModel(deps: ConversationDeps, conv: ConvId): ConversationModel {
  return createRoot((disposeRoot) => build(deps, conv, disposeRoot))
}

function build(deps: ConversationDeps, conv: ConvId, disposeRoot: () => void): ConversationModel {
  const { me, sync } = deps
  const disposers = new Disposers()
  disposers.add(disposeRoot)
  const entry = () => deps.inboxEntry(conv)
  const command = () => deps.command(conv)

  // --- meta and receipts --------------------------------------------------------------------
  const meta = sync.open(docName.convMeta(conv))
  const [metaVersion, setMetaVersion] = createSignal(0)
  disposers.add(onDocChange(meta.doc, () => setMetaVersion((v) => v + 1)))
  const metaInfo = createMemo((): { info: ConvInfo | null; members: Map<UserId, ConvMember>; segments: number[] } => {
    metaVersion()
    return { info: readConvInfo(meta.doc), members: readMembers(meta.doc), segments: readSegments(meta.doc) }
  })

  const receiptsDoc = sync.open(docName.receipts(conv))
  const [seen, setSeen] = createSignal<ReadonlyMap<UserId, Receipt>>(new Map())
  const readReceipts = () => setSeen(receipts(receiptsDoc.doc))
  disposers.add(observeReceipts(receiptsDoc.doc, readReceipts))
  void receiptsDoc.loaded.then(readReceipts)

  // --- segments -----------------------------------------------------------------------------
  const slots = new Map<number, Slot>()
  const [loadedSegments, setLoadedSegments] = createSignal<number[]>([])
  const firstSegment = createMemo(() => entry()?.firstSegment ?? metaInfo().members.get(me)?.firstSegment ?? 0)
  /** The segment new messages go to: the projection's, else the metadata's newest, else 0 for a creation. */
  const newest = createMemo((): number | null => entry()?.segment ?? metaInfo().segments.at(-1) ?? (command() !== undefined ? 0 : null))

  function openSegment(n: number): Slot {
    const existing = slots.get(n)
    if (existing !== undefined) return existing
    const handle = sync.open(docName.segment(conv, n))
    const list = new SortedMessages()
    const [version, setVersion] = createSignal(0)
    const [loaded, setLoaded] = createSignal(false)
    const [synced, setSynced] = createSignal(false)
    void sync.whenSynced(handle.name).then(() => setSynced(true))
    let ready = false
    // Before the stored copy is in, the full read below covers every change.
    const stop = observeMessages(handle.doc, (ids) => {
      if (!ready) return
      for (const id of ids) list.set(id, getMessage(handle.doc, id))
      setVersion((v) => v + 1)
    })
    void handle.loaded.then(() => {
      if (disposers.disposed) return
      ready = true
      list.reset(listMessages(handle.doc))
      setLoaded(true)
      setVersion((v) => v + 1)
    })
    const slot: Slot = { n, handle, list, loaded, synced, version, stop }
    slots.set(n, slot)
    setLoadedSegments([...slots.keys()].sort((a, b) => a - b))
    return slot
  }

  createEffect(on(newest, (n) => {
    if (n !== null) openSegment(n)
  }))

  // Each loaded segment's reactions document is opened with it.
  const reactions = new SegmentReactions((name) => sync.open(name), conv)
  disposers.add(() => reactions.dispose())
  createEffect(on(loadedSegments, (ns) => {
    for (const n of ns) reactions.open(n)
  }))

  // Once the server created the conversation, ask again for what the relay refused before.
  createEffect(on(() => entry() !== undefined, (listed) => {
    if (!listed) return
    for (const handle of [meta, receiptsDoc, ...[...slots.values()].map((s) => s.handle), ...reactions.handles()]) {
      if (sync.access(handle.name) === 'none') sync.resubscribe(handle.name)
    }
  }))

  // --- outbox -> delivery -------------------------------------------------------------------
  const [outbox, setOutbox] = createSignal<{ entries: readonly OutboxEntry[]; unstored: readonly UnstoredUpdate[] }>({ entries: [], unstored: [] })
  let heard = false
  disposers.add(sync.onOutboxChange((entries, unstored) => {
    heard = true
    setOutbox({ entries, unstored })
  }))
  sync.outbox().then((entries) => {
    if (!heard && !disposers.disposed) setOutbox({ entries, unstored: [] })
  }, deps.onError)
  /** Message ids of each stored outbox entry, decoded once per entry. */
  let idsBySeq = new Map<number, MessageId[]>()
  const marks = createMemo(() => {
    const { entries, unstored } = outbox()
    const known = idsBySeq
    idsBySeq = new Map()
    const idsOf = (e: OutboxLike & { update: Uint8Array }): MessageId[] => {
      // Edits and deletes name their message only through the value they replace: decode
      // against the segment's replica, and keep the result once that replica is loaded.
      const parsed = parseDocName(e.doc)
      const slot = parsed?.kind === 'segment' && parsed.conv === conv ? slots.get(parsed.segment) : undefined
      const loaded = slot?.loaded() ?? false
      if (e.seq === undefined) return messageIdsIn(e.update, slot?.handle.doc)
      const ids = known.get(e.seq) ?? messageIdsIn(e.update, slot?.handle.doc)
      if (loaded || slot === undefined) idsBySeq.set(e.seq, ids)
      return ids
    }
    return outboxMarks<OutboxLike & { update: Uint8Array }>([...entries, ...unstored], conv, idsOf)
  }, new Map<MessageId, OutboxMark>(), { equals: sameMarks })

  // --- messages -----------------------------------------------------------------------------
  let cache = new Map<MessageId, Cached>()
  const messages = createMemo((): MessageItem[] => {
    const people = deps.people()
    const m = marks()
    const next = new Map<MessageId, Cached>()
    const out: MessageItem[] = []
    for (const n of loadedSegments()) {
      const slot = slots.get(n)
      if (slot === undefined) continue
      slot.version()
      for (const src of slot.list.items) {
        const mark = src.author === me ? m.get(src.id) : undefined
        const name = nameOf(people, src.author)
        const old = cache.get(src.id)
        const cached = old !== undefined && old.src === src && old.mark === mark && old.name === name ? old : { src, mark, name, item: toItem(src, name, me, m, people) }
        next.set(src.id, cached)
        out.push(cached.item)
      }
    }
    cache = next
    return out
  })

  // --- state for the view -------------------------------------------------------------------
  /**
   * A segment is loading until its stored copy is in and, when this device stored none of its
   * messages (a new device), while the relay's copy is on its way.
   */
  const slotLoading = (slot: Slot | undefined) => {
    if (slot === undefined || !slot.loaded()) return true
    slot.version()
    return slot.list.items.length === 0 && !slot.synced() && deps.online()
  }
  const loading = createMemo(() => {
    const n = newest()
    loadedSegments()
    return n === null || slotLoading(slots.get(n))
  })
  const olderTarget = createMemo((): number | null => {
    const lowest = loadedSegments()[0]
    if (lowest === undefined) return null
    const first = firstSegment()
    const known = metaInfo().segments.filter((s) => s >= first && s < lowest)
    if (known.length > 0) return known.at(-1) ?? null
    return metaInfo().segments.length === 0 && lowest > first ? lowest - 1 : null
  })
  const [openingOlder, setOpeningOlder] = createSignal(false)
  const loadingOlder = createMemo(() => openingOlder() || loadedSegments().some((n) => n !== newest() && slotLoading(slots.get(n))))

  const cannotSend = createMemo((): string | null => {
    const listed = entry()
    const creation = command()
    if (listed === undefined && creation !== undefined) {
      return creation.state === 'pending' ? CannotSend.creationPending : (creation.message ?? creation.reason ?? MISSING_REASON)
    }
    const readOnly = listed?.readOnly ?? metaInfo().members.get(me)?.readOnly ?? false
    return readOnly ? CannotSend.readOnly : null
  })

  const info = createMemo((): ConversationInfo | null => infoOf(conv, me, metaInfo(), entry(), command(), deps.people()))

  const [readPositionAtOpen, setReadPositionAtOpen] = createSignal<MessageId | null>(null)
  void deps.privateLoaded.then(() => setReadPositionAtOpen(readPosition(deps.privateDoc, conv) ?? null))

  const seenByMap = createMemo(() => {
    const own: MessageId[] = []
    // Whoever writes has seen what came before: a member's own latest message counts as a receipt.
    const positions = new Map(seen())
    for (const m of messages()) {
      if (m.own) own.push(m.id)
      else if ((positions.get(m.author)?.message ?? '') < m.id) positions.set(m.author, { message: m.id, at: m.time })
    }
    const people = deps.people()
    return seenBy(own, positions, me, (id) => nameOf(people, id))
  })

  /** The latest message by someone else at or before `upTo`: what reading up to `upTo` means. */
  const latestOthersUpTo = (upTo: MessageId): MessageId | null => {
    const list = messages()
    for (let i = list.length - 1; i >= 0; i--) {
      const m = list[i]
      if (m !== undefined && m.id <= upTo && !m.own) return m.id
    }
    return null
  }

  // --- read receipts, coalesced -------------------------------------------------------------
  const interval = deps.receiptIntervalMs ?? 1000
  let receiptWanted: MessageId | null = null
  let receiptTimer: ReturnType<typeof setTimeout> | null = null
  let lastReceiptAt = -Infinity
  const flushReceipt = () => {
    if (receiptTimer !== null) clearTimeout(receiptTimer)
    receiptTimer = null
    const upTo = receiptWanted
    if (upTo === null) return
    receiptWanted = null
    lastReceiptAt = deps.now()
    // Written on the stored copy, so it is compared with the receipt already there.
    void receiptsDoc.loaded.then(() => markSeen(receiptsDoc.doc, me, upTo, deps.now(), Origin.local)).catch((err: unknown) => {
      // The relay said this session may not write the receipts (no longer a member): nothing to tell.
      if (!(err instanceof WaggleError && err.reason === Reason.readOnly)) deps.onError(err)
    })
  }
  const publishReceipt = (upTo: MessageId) => {
    if (receiptWanted === null || upTo > receiptWanted) receiptWanted = upTo
    if (receiptTimer !== null) return
    const wait = lastReceiptAt + interval - deps.now()
    if (wait <= 0) flushReceipt()
    else receiptTimer = setTimeout(flushReceipt, wait)
  }

  // --- outbox entry of a message ------------------------------------------------------------
  /** The loaded segment holding `message`. */
  const slotHolding = (message: MessageId): Slot => {
    for (const slot of slots.values()) if (getMessage(slot.handle.doc, message) !== null) return slot
    throw new WaggleError(Reason.notFound, 'This message is not loaded')
  }
  /** An own, not deleted message (what this user may edit or delete). */
  const ownLive = (message: MessageId): Slot => {
    const slot = slotHolding(message)
    const m = getMessage(slot.handle.doc, message)
    if (m === null || m.author !== me || isDeleted(m)) throw new WaggleError(Reason.forbidden, 'Only your own messages can be changed')
    return slot
  }
  const reactionSummaries = createMemo(() => {
    const people = deps.people()
    const mine = metaInfo().members.get(me)
    const anonymous = mine?.role === 'guest' && mine.readOnly
    const out = new Map<MessageId, ReactionSummary[]>()
    for (const [id, byEmoji] of reactions.all()) {
      const list = summarize(byEmoji, me, (u) => nameOf(people, u), anonymous)
      if (list.length > 0) out.set(id, list)
    }
    return out
  })

  const entryHolding = (message: MessageId): OutboxEntry | undefined => {
    const seq = marks().get(message)?.seq ?? null
    return seq === null ? undefined : outbox().entries.find((e) => e.seq === seq)
  }

  const model: ConversationModel = {
    conv,
    info,
    messages,
    loading,
    hasOlder: () => olderTarget() !== null,
    loadingOlder,
    async loadOlder() {
      const target = olderTarget()
      if (target === null || loadingOlder() || disposers.disposed) return
      setOpeningOlder(true)
      try {
        // Resolves with the stored copy; `loadingOlder` stays true while the relay's is on its way.
        await openSegment(target).handle.loaded
      } finally {
        setOpeningOlder(false)
      }
    },
    cannotSend,
    send(text: string, options?: SendOptions) {
      const refusal = cannotSend()
      if (refusal !== null) throw new WaggleError(refusal === CannotSend.readOnly ? Reason.readOnly : Reason.forbidden, refusal)
      const files = options?.attachments ?? []
      if (text.trim() === '' && files.length === 0) throw new WaggleError(Reason.badRequest, 'A message cannot be empty')
      const n = newest()
      if (n === null) throw new WaggleError(Reason.notFound, 'This conversation is not on this device yet')
      const now = deps.now()
      const id = newMessageId(now)
      const extra = { ...(options?.replyTo !== undefined ? { replyTo: options.replyTo } : {}), ...(options?.mentions !== undefined ? { mentions: options.mentions } : {}), ...(files.length > 0 ? { attachments: files } : {}) }
      appendMessage(openSegment(n).handle.doc, { id, author: me, time: now, text, ...extra }, Origin.local)
      // An own message already tells the others (seen by) and, once the relay has it, this user's
      // devices that what came before was read; the read position moves only if messages of
      // others were still unread, so the count drops at once, offline too. Usually a no-op.
      model.markRead(id)
    },
    edit(message: MessageId, text: string, mentions?: UserId[]) {
      if (text.trim() === '') throw new WaggleError(Reason.badRequest, 'A message cannot be empty')
      editMessage(ownLive(message).handle.doc, message, text, deps.now(), Origin.local, mentions)
    },
    remove(message: MessageId) {
      deleteMessage(ownLive(message).handle.doc, message, deps.now(), Origin.local)
    },
    toggleReaction(message: MessageId, emoji: string) {
      const handle = reactions.open(slotHolding(message).n)
      toggleReaction(handle.doc, message, emoji, me, deps.now(), Origin.local)
    },
    reactions: reactionSummaries,
    forward(message: MessageId, to: ConvId) {
      const src = getMessage(slotHolding(message).handle.doc, message)
      if (src === null || isDeleted(src)) throw new WaggleError(Reason.notFound, 'A deleted message cannot be forwarded')
      forwardMessage(deps, src, conv, to)
    },
    markRead(upTo: MessageId) {
      if (disposers.disposed) return
      // Only messages of others need reading; own ones are read by being written.
      const target = latestOthersUpTo(upTo)
      if (target === null) return
      void deps.privateLoaded.then(() => markRead(deps.privateDoc, conv, target, Origin.local))
      publishReceipt(target)
    },
    readPositionAtOpen,
    seenBy: seenByMap,
    async retry(message: MessageId) {
      // Sent again as a fresh write (the message forgotten on this device and appended again with
      // the same id under a fresh Yjs client id, the refused entry discarded), so it does not build
      // on what the relay refused; refused again, it shows the new reason.
      const held = entryHolding(message)
      if (held?.state === 'rejected') await sync.resend(held.seq)
    },
    async discard(message: MessageId) {
      const held = entryHolding(message)
      if (held?.state !== 'rejected') return
      const ids = messageIdsIn(held.update)
      await sync.discard(held.seq, (doc) => forgetMessages(doc, ids, Origin.localOnly))
    },
    dispose() {
      if (disposers.disposed) return
      flushReceipt()
      for (const slot of slots.values()) {
        slot.stop()
        slot.handle.release()
      }
      meta.release()
      // Released once the last receipt is written.
      void receiptsDoc.loaded.finally(() => receiptsDoc.release())
      disposers.dispose()
      deps.onDispose?.()
    },
  }
  return model
}

function toItem(src: StoredMessage, name: string, me: UserId, marks: ReadonlyMap<MessageId, OutboxMark>, people: ReadonlyMap<UserId, Person>): MessageItem {
  const deleted = isDeleted(src)
  const live = deleted ? null : src
  const forwarded = live?.forwarded
  return {
    id: src.id, author: src.author, authorName: name, own: src.author === me, time: src.time,
    text: live?.text ?? '', deleted, editedAt: live?.editedAt ?? null,
    ...deliveryOf(src, me, marks),
    replyTo: live?.replyTo ?? null, mentions: live?.mentions ?? [],
    forwarded: forwarded === undefined ? null : { author: forwarded.author, authorName: nameOf(people, forwarded.author), time: forwarded.time },
    ...(live?.attachments !== undefined ? { attachments: live.attachments } : {}),
    ...(live?.system !== undefined ? { system: live.system as SystemEvent } : {}),
  }
}

function infoOf(
  conv: ConvId, me: UserId, meta: { info: ConvInfo | null; members: Map<UserId, ConvMember> },
  entry: InboxEntry | undefined, creation: CreationRow | undefined, people: ReadonlyMap<UserId, Person>,
): ConversationInfo | null {
  const person = (id: UserId) => toPersonOrStub(people, id)
  if (meta.info !== null) {
    const { info } = meta
    const memberIds = [...meta.members.keys()]
    const peer = info.kind === 'direct' ? peerOf(memberIds, me) : null
    const title = peer !== null ? nameOf(people, peer) : info.title
    return {
      conv, kind: info.kind, title, description: info.description ?? '', peer, avatar: avatarOf(peer ?? conv, title),
      members: memberIds.map(person), memberCount: memberIds.length, createdByName: nameOf(people, info.createdBy), createdAt: info.createdAt,
    }
  }
  if (entry !== undefined) {
    // The projection is on the device before the metadata: enough for the header.
    const peer = entry.kind === 'direct' ? peerOf(entry.members, me) : null
    const title = peer !== null ? nameOf(people, peer) : entry.title
    return {
      conv, kind: entry.kind, title, description: '', peer, avatar: avatarOf(peer ?? conv, title),
      members: (entry.members ?? []).map(person), memberCount: entry.memberCount, createdByName: '', createdAt: entry.createdAt,
    }
  }
  if (creation !== undefined) {
    const { command } = creation
    const peer = command.kind === 'direct' ? (command.members[0] ?? null) : null
    const title = peer !== null ? nameOf(people, peer) : command.title
    const members = [me, ...command.members]
    return {
      conv, kind: command.kind, title, description: command.description ?? '', peer, avatar: avatarOf(peer ?? conv, title),
      members: members.map(person), memberCount: members.length, createdByName: nameOf(people, me), createdAt: creation.createdAt,
    }
  }
  return null
}
