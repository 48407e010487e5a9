import {
  EMAIL_PATTERN, Limits, Origin, Reason, WaggleError, archived, directConvId, docName, guestUserId, inboxEntries, newCommandId, newConvId, pins, readColleagues,
  readGuests, readPhonebook,
  readPosition, readPositions, setArchived, setPinned, drafts, hidden, muted, setDraft, setHidden, setMuted, setSetting, setting,
  type ConversationCommand, type CreateConversationCommand, type ConvId, type InboxEntry, type UserId, type WorkspaceId,
} from '@waggle/schema'
import { createMemo, createRoot, createSignal, getOwner, onCleanup } from 'solid-js'
import { forgetSession, type Session } from '../api/auth.ts'
import { DexieDocStorage, SyncClient, type DocStorage, type SyncClientOptions, type SyncStatus, type TabEnvironment } from '../sync/index.ts'
import { CommandSender, postCommand } from './CommandSender.ts'
import { createConversationModel } from './ConversationModel.ts'
import { Disposers, onDocChange } from './docs.ts'
import { browserNoticeSink, notifyPermission, requestNotifyPermission } from './browserNotices.ts'
import { createConversationsInCommon } from './inCommon.ts'
import { composeInbox } from './inbox.ts'
import { makeNotifications, watchPageFocus } from './notifications.ts'
import { parseNotifySetting, type NotifySetting } from './notify.ts'
import { Indexer } from './Indexer.ts'
import { makeGroupActions } from './groups.ts'
import { LocalIndex, isCreation, type CommandRow, type ConvIndexRow } from './LocalIndex.ts'
import type { AppModel, ConversationModel, NewGroup, Person, PhonebookContact } from './model.ts'
import { directoryPeople, phonebookContacts } from './people.ts'
import { createPresence } from './presence.ts'
import { createFiles } from './uploads/createFiles.ts'
import { createSearch, type SearchDirectory } from './search.ts'
import type { IndexerProgress } from '../search/SearchIndexer.ts'
import { LazyReader } from '../search/LazyReader.ts'
import { SearchStore } from '../search/SearchStore.ts'
import type { Uploader } from './uploads/Uploader.ts'
import { UploadStore } from './uploads/UploadStore.ts'

export interface AppModelOptions {
  session: Session
  /** Origin of the HTTP API; '' (the default) is the page's own origin. */
  baseUrl?: string
  /** The relay's WebSocket endpoint; by default `/ws` on `baseUrl`, or on the page's host. */
  wsUrl?: string
  /** The documents' storage; by default IndexedDB through Dexie (`waggle-<account>`). */
  storage?: DocStorage
  /** IndexedDB for the default storage and the local index (fake-indexeddb in Node tests). */
  indexedDB?: IDBFactory
  IDBKeyRange?: typeof IDBKeyRange
  WebSocket?: typeof WebSocket
  network?: SyncClientOptions['network']
  /** Tab coordination; null: this tab leads alone (Node tests). */
  tabs?: TabEnvironment | null
  fetch?: typeof fetch
  /** `navigator.storage` by default; null when there is none. */
  storageManager?: Pick<StorageManager, 'persist'> | null
  /** How long a document no view uses stays open. */
  releaseDelayMs?: number
  now?: () => number
}

const isOpen = (s: SyncStatus) => s.state === 'syncing' || s.state === 'synced'
/** How long an accepted creation stays listed from the outbox while the projection catches up. */
const LISTED_WAIT_MS = 10_000

/**
 * Everything the signed-in app reads and does (the contract in `model.ts`), made once per
 * session. Call inside a Solid owner (a component or `createRoot`): it is disposed with it,
 * or by `dispose()`. Keeps the private, inbox and directory documents open for the session;
 * the leader tab also runs the indexer (unread counts) and the command outbox sender.
 */
export function createAppModel(options: AppModelOptions): AppModel {
  const outer = getOwner()
  const model = createRoot((disposeRoot) => build(options, disposeRoot))
  if (outer !== null) onCleanup(() => model.dispose())
  return model
}

function build(options: AppModelOptions, disposeRoot: () => void): AppModel {
  const { session } = options
  const me = session.userId as UserId
  const account = `${session.workspaceId}.${session.userId}`
  const baseUrl = options.baseUrl ?? ''
  const now = options.now ?? Date.now
  const fetchFn = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init))
  const idb = { ...(options.indexedDB ? { indexedDB: options.indexedDB } : {}), ...(options.IDBKeyRange ? { IDBKeyRange: options.IDBKeyRange } : {}) }
  const storage = options.storage ?? new DexieDocStorage({ account, ...idb })
  const index = new LocalIndex({ account, ...idb })
  const uploadStore = new UploadStore({ account, ...idb })
  const searchStore = new SearchStore({ account, ...idb })
  const sync = new SyncClient({
    account, url: options.wsUrl ?? defaultWsUrl(baseUrl), token: session.token, storage,
    ...(options.WebSocket ? { WebSocket: options.WebSocket } : {}),
    ...(options.network !== undefined ? { network: options.network } : {}),
    ...(options.tabs !== undefined ? { tabs: options.tabs } : {}),
    ...(options.releaseDelayMs !== undefined ? { releaseDelayMs: options.releaseDelayMs } : {}),
  })
  const disposers = new Disposers()
  const conversations = new Set<ConversationModel>()
  /** Set in the leader tab only. */
  let sender: CommandSender | null = null
  /** Set in the leader tab only: sends the attachment upload queue. */
  let uploader: Uploader | null = null

  // --- problems this layer meets (storage), shown through the status ---------------------
  const [problem, setProblem] = createSignal<string | null>(null)
  const onError = (err: unknown) => {
    // Work still running when the model was disposed meets a closed database: nothing is lost
    // (the outbox commits before anything depends on it), and nobody is left to tell.
    if (disposers.disposed) return
    console.error('waggle: local index', err)
    setProblem(err instanceof Error && err.name === 'QuotaExceededError'
      ? 'This device is out of storage space for Waggle: free some space, or changes cannot be saved.'
      : `Could not save on this device: ${String(err)}`)
  }

  // --- the session's documents ---------------------------------------------------------------
  const privateDoc = sync.open(docName.private(me))
  const inboxDoc = sync.open(docName.inbox(me))
  const directoryDoc = sync.open(docName.directory(session.workspaceId as WorkspaceId))
  for (const handle of [privateDoc, inboxDoc, directoryDoc]) disposers.add(() => handle.release())
  let privateReady = false
  const privateLoaded = privateDoc.loaded.then(() => {
    privateReady = true
  })

  const [entries, setEntries] = createSignal<ReadonlyMap<ConvId, InboxEntry>>(new Map())
  const readInbox = () => setEntries(inboxEntries(inboxDoc.doc))
  disposers.add(onDocChange(inboxDoc.doc, readInbox))

  const [privateVersion, setPrivateVersion] = createSignal(0)
  disposers.add(onDocChange(privateDoc.doc, () => setPrivateVersion((v) => v + 1)))
  const privateState = createMemo(() => {
    privateVersion()
    return {
      pins: pins(privateDoc.doc), archived: archived(privateDoc.doc), readPositions: readPositions(privateDoc.doc),
      hidden: hidden(privateDoc.doc), muted: muted(privateDoc.doc), drafts: drafts(privateDoc.doc),
      notifications: parseNotifySetting(setting(privateDoc.doc, 'notifications')),
    }
  })

  const [people, setPeople] = createSignal<ReadonlyMap<UserId, Person>>(new Map())
  const [contacts, setContacts] = createSignal<PhonebookContact[]>([])
  const [directory, setDirectory] = createSignal<SearchDirectory>({ colleagues: new Map(), guests: new Map(), phonebook: new Map() })
  const readDirectory = () => {
    const read = { colleagues: readColleagues(directoryDoc.doc), guests: readGuests(directoryDoc.doc), phonebook: readPhonebook(directoryDoc.doc) }
    setDirectory(read)
    setPeople(directoryPeople(read.colleagues, read.guests))
    setContacts(phonebookContacts(read.phonebook))
  }
  disposers.add(onDocChange(directoryDoc.doc, readDirectory))
  void directoryDoc.loaded.then(readDirectory)

  // --- the local index -------------------------------------------------------------------------
  const [indexRows, setIndexRows] = createSignal<ReadonlyMap<ConvId, ConvIndexRow> | null>(null)
  disposers.add(index.watchConvs((rows) => setIndexRows(new Map(rows.map((r) => [r.conv, r]))), onError))
  const [storedCommands, setStoredCommands] = createSignal<readonly CommandRow[] | null>(null)
  /** Commands queued in this tab, listed until the index read shows them. */
  const [queued, setQueued] = createSignal<readonly { row: CommandRow; stored: boolean }[]>([])
  disposers.add(index.watchCommands((rows) => {
    const ids = new Set(rows.map((r) => r.id))
    setQueued((q) => q.filter((c) => !c.stored && !ids.has(c.row.id)))
    setStoredCommands(rows)
    if (sender !== null) sender.kick()
  }, onError))
  const commands = createMemo((): readonly CommandRow[] => {
    const stored = storedCommands() ?? []
    const ids = new Set(stored.map((r) => r.id))
    const local = queued().filter((c) => !ids.has(c.row.id)).map((c) => c.row)
    return local.length === 0 ? stored : [...stored, ...local]
  })
  const commandFor = createMemo(() => new Map(commands().filter(isCreation).map((row) => [row.conv, row])))

  const [docsLoaded, setDocsLoaded] = createSignal(false)
  void Promise.all([inboxDoc.loaded, privateLoaded]).then(() => {
    readInbox()
    setDocsLoaded(true)
  })

  const inbox = createMemo(() => {
    const p = privateState()
    return composeInbox({
      me, entries: entries(), commands: commands().filter(isCreation), pins: p.pins, archived: p.archived, readPositions: p.readPositions,
      hidden: p.hidden, muted: p.muted, drafts: p.drafts,
      index: indexRows() ?? new Map(), people: people(),
    })
  })

  // --- status ------------------------------------------------------------------------------------
  const [syncStatus, setSyncStatus] = createSignal(sync.status.get())
  disposers.add(sync.status.subscribe((s) => {
    const opened = isOpen(s) && !isOpen(syncStatus())
    setSyncStatus(s)
    if (opened) sender?.kick()
    if (opened) uploader?.kick()
  }))
  const status = createMemo((): SyncStatus => {
    const s = syncStatus()
    const rows = storedCommands() ?? []
    const pending = rows.filter((r) => r.state === 'pending').length + queued().filter((c) => !c.stored).length
    const rejected = rows.filter((r) => r.state === 'rejected').length
    const local = problem()
    return {
      ...s,
      state: s.state === 'synced' && pending > 0 ? 'syncing' : s.state,
      pending: s.pending + pending,
      rejected: s.rejected + rejected,
      ...(s.problem === null && local !== null ? { problem: 'storage' as const, detail: local } : {}),
    }
  })

  // --- leader work: indexer and command sender ---------------------------------------------
  /** Resolves once the projection lists `conv` (the relay sends it soon after accepting), after a while, or on dispose. */
  const waits = new Set<() => void>()
  disposers.add(() => {
    for (const finish of [...waits]) finish()
  })
  const listed = (conv: ConvId) => new Promise<void>((resolve) => {
    const finish = () => {
      if (!waits.delete(finish)) return
      stop()
      clearTimeout(timer)
      resolve()
    }
    const check = () => {
      if (entries().has(conv)) finish()
    }
    waits.add(finish)
    const stop = onDocChange(inboxDoc.doc, check)
    const timer = setTimeout(finish, LISTED_WAIT_MS)
    check()
  })

  // --- attachments: the upload queue (sent by the leader tab) and files ------------------------
  const files = createFiles({ store: uploadStore, fetch: fetchFn, baseUrl, token: session.token, now, online: () => isOpen(sync.status.get()), onError })
  disposers.add(() => files.dispose())

  /** The search index: the leader keeps it in step with stored segments; every tab reads it. */
  // The index code loads with import(): it is not needed to show the inbox.
  const searchReader = new LazyReader(async () => new (await import('../search/SearchReader.ts')).SearchReader(searchStore, onError))
  disposers.add(() => searchReader.dispose())
  const [indexProgress, setIndexProgress] = createSignal<IndexerProgress | null>(null)
  const startSearchIndexer = async () => {
    const { SearchIndexer } = await import('../search/SearchIndexer.ts')
    if (disposers.disposed) return
    const searchIndexer = new SearchIndexer({ storage, store: searchStore, onError })
    disposers.add(() => searchIndexer.dispose())
    disposers.add(searchIndexer.onProgress(setIndexProgress))
    await searchIndexer.start()
  }

  const startLeaderWork = () => {
    if (sender !== null || disposers.disposed) return
    startSearchIndexer().catch(onError)
    const indexer = new Indexer({
      me, index, onError, open: (name) => sync.open(name),
      stored: async (name) => (await storage.logLength(name)) > 0,
      whenSynced: (name) => sync.whenSynced(name),
      entries,
      readPosition: (conv) => readPosition(privateDoc.doc, conv),
    })
    const commandSender = new CommandSender({
      index, onError, online: () => isOpen(sync.status.get()),
      // Only a creation waits for its inbox entry; other commands' effects arrive through their documents.
      settled: (command) => (command.type === 'createConversation' ? listed(command.conv) : Promise.resolve()),
      post: (command) => postCommand(fetchFn, baseUrl, session.token, command),
    })
    sender = commandSender
    disposers.add(() => indexer.dispose())
    disposers.add(() => commandSender.dispose())
    // Counting before the read positions are in would show everything as unread.
    void Promise.all([inboxDoc.loaded, privateLoaded]).then(() => {
      if (disposers.disposed) return
      disposers.add(onDocChange(inboxDoc.doc, () => indexer.schedule()))
      disposers.add(onDocChange(privateDoc.doc, () => indexer.schedule()))
      indexer.schedule()
    })
    commandSender.kick()
    uploader = files.startUploader()
    // Only the leader notifies, so an account shows each notification once however many tabs are open.
    const sink = browserNoticeSink(openFromNotice)
    if (sink !== null) {
      disposers.add(makeNotifications({
        me, sink, inbox, entries, myName: () => people().get(me)?.name ?? session.email,
        readPositions: () => privateState().readPositions, muted: () => privateState().muted,
        setting: () => privateState().notifications, focused: anyTabFocused, ready: docsLoaded,
      }))
    }
  }
  const [anyTabFocused, setAnyTabFocused] = createSignal(sync.anyTabFocused.get())
  disposers.add(sync.anyTabFocused.subscribe(setAnyTabFocused))
  disposers.add(watchPageFocus((focused) => sync.setFocused(focused)))
  const [permission, setPermission] = createSignal(notifyPermission())
  /** A click on a notification opens its conversation (the router follows `popstate`). */
  const openFromNotice = (conv: ConvId) => {
    history.pushState(null, '', `/c/${conv}`)
    dispatchEvent(new PopStateEvent('popstate'))
  }
  if (sync.isLeader.get()) startLeaderWork()
  else disposers.add(sync.isLeader.subscribe((leader) => leader && startLeaderWork()))

  // --- persistent storage ----------------------------------------------------------------------
  const [persisted, setPersisted] = createSignal<boolean | null>(null)
  const manager = options.storageManager !== undefined ? options.storageManager : defaultStorageManager()
  if (manager !== null) manager.persist().then(setPersisted, () => setPersisted(null))

  // --- actions -------------------------------------------------------------------------------------
  const queue = (command: ConversationCommand) => {
    const row: CommandRow = { seq: Number.MAX_SAFE_INTEGER, id: command.id, conv: command.conv, command, state: 'pending', createdAt: now() }
    const entry = { row, stored: false }
    setQueued((q) => [...q, entry])
    index.queue(command, row.createdAt).then(
      () => setQueued((q) => q.map((c) => (c === entry ? { row, stored: true } : c))),
      (err: unknown) => {
        setQueued((q) => q.filter((c) => c !== entry))
        onError(err)
      },
    )
  }

  /** Writes to the private document once its stored copy is in (so the write merges with it). */
  const writePrivate = (write: () => void) => {
    if (privateReady) write()
    else void privateLoaded.then(write)
  }

  let closed = false
  const dispose = () => {
    if (closed) return
    closed = true
    for (const c of [...conversations]) c.dispose()
    disposers.dispose()
    sync.close()
    index.close()
    uploadStore.close()
    searchStore.close()
    if (options.storage === undefined) storage.close()
    disposeRoot()
  }

  /** The direct conversation with `peer`, created through the outbox unless it exists or is on its way. */
  const openDirect = (peer: UserId, email: string | null): ConvId => {
    if (peer === me) throw new WaggleError(Reason.badRequest, 'A direct conversation is with someone else')
    const conv = directConvId(me, peer)
    if (entries().has(conv)) return conv
    const existing = commandFor().get(conv)
    if (existing?.state === 'pending') return conv
    // Asked again after a refusal: the old refusal goes, the new request is queued.
    if (existing?.state === 'rejected') index.remove(existing.id).catch(onError)
    const other = email === null ? { members: [peer] } : { members: [], emails: [email] }
    queue({ id: newCommandId(), type: 'createConversation', conv, kind: 'direct', title: '', ...other })
    return conv
  }

  const presence = createPresence({
    me, sync, privateDoc: privateDoc.doc, writePrivate, privateVersion, canModifyOthers: session.canModifyPresence === true, now,
  })
  disposers.add(() => presence.dispose())

  const search = createSearch({
    me, privateDoc: privateDoc.doc, writePrivate, inbox, entries, directory, person: (id) => people().get(id), reader: searchReader,
    progress: indexProgress, online: () => isOpen(syncStatus()), fetch: fetchFn, baseUrl, token: session.token, now,
  })

  const model: AppModel = {
    me: {
      userId: me, workspaceId: session.workspaceId, email: session.email, name: () => people().get(me)?.name ?? session.email,
      isAdmin: session.role === 'admin', isGuest: session.role === 'guest',
    },
    status,
    inbox,
    inboxReady: () => docsLoaded() && indexRows() !== null && storedCommands() !== null,
    colleagues: createMemo(() => [...people().values()].filter((p) => p.id !== me && !p.external).sort((a, b) => a.name.localeCompare(b.name))),
    guests: createMemo(() => [...people().values()].filter((p) => p.id !== me && p.external).sort((a, b) => a.name.localeCompare(b.name))),
    contacts,
    presence,
    person: (id) => people().get(id),
    openConversation(conv) {
      const conversation = createConversationModel({
        me, sync, now, onError, privateDoc: privateDoc.doc, privateLoaded, people, online: () => isOpen(syncStatus()),
        inboxEntry: (c) => entries().get(c),
        command: (c) => commandFor().get(c),
        onDispose: () => conversations.delete(conversation),
      }, conv)
      conversations.add(conversation)
      return conversation
    },
    createDirect: (peer) => openDirect(peer, null),
    createDirectWith(email) {
      const address = email.trim().toLowerCase()
      if (!EMAIL_PATTERN.test(address)) throw new WaggleError(Reason.badRequest, `${email} is not an email address`)
      const colleague = [...people().values()].find((p) => p.email.toLowerCase() === address)
      if (colleague !== undefined) return openDirect(colleague.id, null)
      return openDirect(guestUserId(address), address)
    },
    createGroup(group: NewGroup) {
      const command = groupCommand(group, me)
      queue(command)
      return command.conv
    },
    setPinned(conv, pinned) {
      writePrivate(() => setPinned(privateDoc.doc, conv, pinned, now(), Origin.local))
    },
    setArchived(conv, value) {
      writePrivate(() => setArchived(privateDoc.doc, conv, value, now(), Origin.local))
    },
    groups: makeGroupActions({
      me, isAdmin: () => session.role === 'admin', sync, people, queue,
      post: async (body) => {
        const res = await fetchFn(`${baseUrl}/api/commands`, {
          method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${session.token}` }, body: JSON.stringify(body),
        })
        return { status: res.status, body: (await res.json().catch(() => null)) as unknown }
      },
    }),
    setHidden(conv, value) {
      writePrivate(() => setHidden(privateDoc.doc, conv, value, now(), Origin.local))
    },
    setMuted(conv, value) {
      writePrivate(() => setMuted(privateDoc.doc, conv, value, now(), Origin.local))
    },
    draft: (conv) => privateState().drafts.get(conv)?.text ?? '',
    setDraft(conv, text) {
      writePrivate(() => {
        if ((privateState().drafts.get(conv)?.text ?? '') !== text) setDraft(privateDoc.doc, conv, text, now(), Origin.local)
      })
    },
    conversationsInCommon: (peer) => createConversationsInCommon({ me, inbox, open: (name) => sync.open(name) }, peer),
    notificationSetting: () => privateState().notifications,
    setNotificationSetting(value: NotifySetting) {
      writePrivate(() => setSetting(privateDoc.doc, 'notifications', value, Origin.local))
    },
    notificationPermission: permission,
    async enableNotifications() {
      setPermission(await requestNotifyPermission())
    },
    files: files.model,
    search,
    persisted,
    async signOut({ clearLocalData }) {
      try {
        await fetchFn(`${baseUrl}/api/auth/signout`, { method: 'POST', headers: { authorization: `Bearer ${session.token}` } })
      } catch {
        // Offline: the token expires on the server by itself; signing out here must not wait.
      }
      if (clearLocalData) {
        // Stop every writer first, then delete both databases.
        sync.close()
        await Promise.all([storage.destroy(), index.destroy(), uploadStore.destroy(), searchStore.destroy()])
      }
      dispose()
      if (typeof localStorage !== 'undefined') forgetSession()
    },
    dispose,
  }
  return model
}

/** Validates a new group and makes its command (the conversation id is made here, on the device). */
export function groupCommand(group: NewGroup, me: UserId): CreateConversationCommand {
  const title = group.title.trim()
  if (title === '') throw new WaggleError(Reason.badRequest, 'A group needs a name')
  if (title.length > Limits.titleLength) throw new WaggleError(Reason.badRequest, `A group name is at most ${Limits.titleLength} characters`)
  const description = group.description?.trim() ?? ''
  if (description.length > Limits.descriptionLength) throw new WaggleError(Reason.badRequest, `A description is at most ${Limits.descriptionLength} characters`)
  const members = [...new Set(group.members)].filter((m) => m !== me)
  const emails = [...new Set((group.emails ?? []).map((e) => e.trim().toLowerCase()))]
  const bad = emails.find((e) => !EMAIL_PATTERN.test(e))
  if (bad !== undefined) throw new WaggleError(Reason.badRequest, `${bad} is not an email address`)
  if (members.length + emails.length > Limits.membersPerConversation - 1) {
    throw new WaggleError(Reason.tooManyMembers, `A group has at most ${Limits.membersPerConversation} members, you included`)
  }
  return {
    id: newCommandId(), type: 'createConversation', conv: newConvId(), kind: 'group', title, members,
    ...(description === '' ? {} : { description }),
    ...(emails.length === 0 ? {} : { emails }),
    ...(group.readOnly === true ? { readOnly: true } : {}),
    ...(group.byLink === true ? { byLink: true } : {}),
  }
}

function defaultWsUrl(baseUrl: string): string {
  if (/^https?:\/\//.test(baseUrl)) return `${baseUrl.replace(/^http/, 'ws').replace(/\/$/, '')}/ws`
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`
}

function defaultStorageManager(): Pick<StorageManager, 'persist'> | null {
  if (typeof navigator === 'undefined') return null
  const manager = (navigator as { storage?: StorageManager }).storage
  return typeof manager?.persist === 'function' ? manager : null
}

