import {
  Origin, Reason, WaggleError, clearRecentSearches, randomId, recentSearches, rememberSearch,
  type Colleague, type Contact, type ContactId, type ConvId, type Guest, type InboxEntry, type MessageId, type RelaySearchBody, type RelaySearchHit, type RelaySearchResponse, type UserId,
} from '@waggle/schema'
import * as v from 'valibot'
import { createEffect, createMemo, createSignal, onCleanup, type Accessor } from 'solid-js'
import type * as Y from 'yjs'
import { matchColleagues, matchContacts, matchConversations, phoneNumberOf } from '../search/directoryMatch.ts'
import type { IndexerProgress } from '../search/SearchIndexer.ts'
import type { SearchReaderPort } from '../search/LazyReader.ts'
import { matchRanges, queryTerms } from '@waggle/schema'
import { onDocChange } from './docs.ts'
import type {
  InboxItem, MessageHit, NewContact, Person, RecentItem, RelaySearchState, SearchCategory, SearchIndexStatus, SearchModel, SearchResults, SearchSession,
} from './model.ts'

export interface SearchDirectory {
  colleagues: ReadonlyMap<UserId, Colleague>
  guests: ReadonlyMap<UserId, Guest>
  phonebook: ReadonlyMap<ContactId, Contact>
}

export interface SearchDeps {
  me: UserId
  privateDoc: Y.Doc
  /** Writes to the private document once its stored copy is in. */
  writePrivate: (write: () => void) => void
  inbox: Accessor<InboxItem[]>
  entries: Accessor<ReadonlyMap<ConvId, InboxEntry>>
  directory: Accessor<SearchDirectory>
  person: (id: UserId) => Person | undefined
  reader: SearchReaderPort
  /** The leader's indexer progress; null in other tabs. */
  progress: Accessor<IndexerProgress | null>
  online: Accessor<boolean>
  fetch: typeof fetch
  baseUrl: string
  token: string
  now: () => number
  /** Wait after the last keystroke before asking the relay. */
  relayDelayMs?: number
}

const RELAY_DELAY_MS = 250

/**
 * Search (issue 6), answered from the device: messages from the local inverted index, the
 * rest from the inbox and the directory; messages in segments not on the device are asked of
 * the relay when online, labelled as such. Recent items live in the private document.
 */
export function createSearch(deps: SearchDeps): SearchModel {
  const [privateVersion, setPrivateVersion] = createSignal(0)
  onCleanup(onDocChange(deps.privateDoc, () => setPrivateVersion((n) => n + 1)))
  const recent = createMemo(() => {
    privateVersion()
    const out: Record<SearchCategory, RecentItem[]> = { conversations: [], messages: [], colleagues: [], contacts: [] }
    for (const item of recentSearches(deps.privateDoc)) out[item.category].push(item)
    return out
  })
  const [readerVersion, setReaderVersion] = createSignal(0)
  onCleanup(deps.reader.onChange(() => setReaderVersion((n) => n + 1)))

  const indexStatus = createMemo((): SearchIndexStatus => {
    readerVersion()
    const messages = deps.reader.messageCount()
    const p = deps.progress()
    if (p === null) return { state: deps.reader.ready ? 'ready' : 'building', done: 0, total: 0, messages }
    return { state: p.state === 'building' || !deps.reader.ready ? 'building' : 'ready', done: p.done, total: p.total, messages }
  })

  return {
    session: () => createSession(deps, readerVersion),
    recent,
    remember: (item) => deps.writePrivate(() => rememberSearch(deps.privateDoc, { ...item, at: deps.now() }, Origin.local)),
    clearRecent: (category) => deps.writePrivate(() => clearRecentSearches(deps.privateDoc, category ?? null, Origin.local)),
    createContact: (contact) => createContact(deps, contact),
    indexStatus,
  }
}

function createSession(deps: SearchDeps, readerVersion: Accessor<number>): SearchSession {
  const [query, setQuery] = createSignal('')
  let opened = false
  /** The index is loaded on the first search, not when the field appears. */
  const openReader = () => {
    if (opened) return
    opened = true
    void deps.reader.open()
  }
  const [limit, setLimit] = createSignal(3)
  const inConversations = createMemo(() => new Set(deps.entries().keys()))

  const local = createMemo(() => {
    readerVersion()
    const q = query().trim()
    if (q === '') return null
    const include = inConversations()
    return deps.reader.search(q, { limit: limit(), include: (conv) => include.has(conv) })
  })

  const relay = createRelaySearch(deps, query, limit, readerVersion)

  const results = createMemo((): SearchResults | null => {
    const q = query().trim()
    const found = local()
    if (q === '' || found === null) return null
    const titles = new Map(deps.inbox().map((item) => [item.conv, item.title]))
    const terms = queryTerms(q)
    const toHit = (h: { conv: ConvId; seg: number; id: MessageId; author: UserId; time: number; text: string }, source: MessageHit['source']): MessageHit => ({
      conv: h.conv, convTitle: titles.get(h.conv) ?? 'Conversation', seg: h.seg, id: h.id, author: h.author,
      authorName: deps.person(h.author)?.name ?? 'Someone', time: h.time, text: h.text, ranges: matchRanges(h.text, terms), source,
    })
    const onDevice = deps.reader.segments()
    const fromRelay = relay.hits().filter((h) => !(onDevice.get(h.conv as ConvId)?.includes(h.seg) ?? false))
    const messages = [...found.hits.map((h) => toHit(h, 'device')), ...fromRelay.map((h) => toHit({ ...h, conv: h.conv as ConvId, id: h.id as MessageId, author: h.author as UserId }, 'relay'))]
      .sort((a, b) => b.time - a.time || (a.id < b.id ? 1 : -1))
    const dir = deps.directory()
    return {
      query: q,
      conversations: matchConversations(q, deps.inbox()),
      messages: messages.slice(0, limit()),
      hasMoreMessages: found.total > limit() || relay.more() || messages.length > limit(),
      messageTotal: found.total + fromRelay.length,
      messageTotalExact: !relay.more(),
      colleagues: matchColleagues(q, dir.colleagues, deps.me),
      contacts: matchContacts(q, dir.phonebook, dir.guests, dir.colleagues),
      relay: relay.state(),
      phoneNumber: phoneNumberOf(q),
    }
  })

  return {
    results,
    setQuery: (q) => {
      if (q.trim() !== '') openReader()
      setQuery(q)
    },
    setMessageLimit: (n) => setLimit(Math.max(1, Math.min(1000, Math.floor(n)))),
  }
}

/**
 * The relay's part: asked after typing pauses, only when online and only when some
 * conversation has segments the device does not hold; the answer for an older query is dropped.
 */
function createRelaySearch(deps: SearchDeps, query: Accessor<string>, limit: Accessor<number>, readerVersion: Accessor<number>) {
  const [state, setState] = createSignal<RelaySearchState>({ state: 'idle' })
  const [hits, setHits] = createSignal<RelaySearchHit[]>([])
  const [more, setMore] = createSignal(false)
  /** Conversations with segments not on the device: the inbox knows each one's newest segment. */
  const missing = createMemo(() => {
    readerVersion()
    const onDevice = deps.reader.segments()
    const out: ConvId[] = []
    for (const [conv, entry] of deps.entries()) {
      const have = onDevice.get(conv) ?? []
      for (let seg = 0; seg <= entry.segment; seg++) {
        if (!have.includes(seg)) {
          out.push(conv)
          break
        }
      }
    }
    return out
  })
  createEffect(() => {
    const q = query().trim()
    const n = limit()
    const online = deps.online()
    const needed = missing().length > 0
    setHits([])
    setMore(false)
    if (q === '' || !needed) {
      setState({ state: 'idle' })
      return
    }
    if (!online) {
      setState({ state: 'offline' })
      return
    }
    const abort = new AbortController()
    setState({ state: 'searching' })
    const timer = setTimeout(() => {
      void askRelay(deps, q, n, abort.signal).then(
        (answer) => {
          if (abort.signal.aborted) return
          setHits(answer.hits)
          setMore(answer.more)
          setState({ state: 'done', found: answer.hits.length })
        },
        (err: unknown) => {
          if (!abort.signal.aborted) setState({ state: 'error', message: err instanceof Error ? err.message : String(err) })
        },
      )
    }, deps.relayDelayMs ?? RELAY_DELAY_MS)
    onCleanup(() => {
      clearTimeout(timer)
      abort.abort()
    })
  })
  return { state, hits, more }
}

const RelayAnswer = v.object({
  hits: v.array(v.object({ conv: v.string(), seg: v.number(), id: v.string(), author: v.string(), time: v.number(), text: v.string() })),
  more: v.boolean(),
})

async function askRelay(deps: SearchDeps, q: string, limit: number, signal: AbortSignal): Promise<RelaySearchResponse> {
  const local = [...deps.reader.segments()].map(([conv, segs]) => ({ conv, segs }))
  const body: RelaySearchBody = { q, limit: Math.min(limit, 100), offset: 0, local }
  let res: Response
  try {
    res = await deps.fetch(`${deps.baseUrl}/api/search`, {
      method: 'POST', signal,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${deps.token}` },
      body: JSON.stringify(body),
    })
  } catch (err) {
    if (signal.aborted) throw err
    throw new WaggleError(Reason.unavailable, 'The server could not be reached')
  }
  const json = (await res.json().catch(() => null)) as unknown
  if (!res.ok) throw new WaggleError(Reason.unavailable, errorMessage(json) ?? `The server could not search (${String(res.status)})`)
  const parsed = v.safeParse(RelayAnswer, json)
  if (!parsed.success) throw new WaggleError(Reason.unavailable, 'The server sent an answer this app does not understand')
  return parsed.output
}

const errorMessage = (body: unknown): string | null =>
  typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string' ? (body as { message: string }).message : null

async function createContact(deps: SearchDeps, contact: NewContact): Promise<ContactId> {
  if (!deps.online()) throw new WaggleError(Reason.unavailable, 'You are offline: a contact can be saved to the phonebook once you are connected.')
  const id = randomId() as ContactId
  let res: Response
  try {
    res = await deps.fetch(`${deps.baseUrl}/api/contacts/${id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${deps.token}` },
      body: JSON.stringify(contact),
    })
  } catch {
    throw new WaggleError(Reason.unavailable, 'The server could not be reached: the contact was not saved.')
  }
  if (res.ok) return id
  const body = (await res.json().catch(() => null)) as unknown
  throw new WaggleError(Reason.badRequest, errorMessage(body) ?? `The contact was not saved (${String(res.status)}).`)
}
