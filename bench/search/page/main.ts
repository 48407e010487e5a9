/**
 * The search benchmark page: the real search code (MessageIndex, SearchIndexer, SearchReader,
 * SearchStore) over the real document storage (DexieDocStorage) in Chromium, driven by the Node
 * runner through `window.searchBench` (api.ts). The corpus is generated here, not sent over CDP.
 */
import * as Y from 'yjs'
import { DexieDocStorage } from '@waggle/client'
import { Origin, appendMessage, docName, type ConvId, type MessageId, type UserId } from '@waggle/schema'
import { MessageIndex, type IndexedMessage, type StoredChunk } from '../../../client/src/search/MessageIndex.ts'
import { SearchIndexer } from '../../../client/src/search/SearchIndexer.ts'
import { SearchReader } from '../../../client/src/search/SearchReader.ts'
import { SearchStore, chunkKey, searchDbNameFor } from '../../../client/src/search/SearchStore.ts'
import { Rng, WordCounts, conversation, queries, seededSortableId, sentence, vocabulary, type Lang, type Vocabulary } from '../corpus.ts'
import type {
  Blocking,
  BuildResult,
  Distribution,
  GenerateResult,
  KindResult,
  LoadResult,
  NewMessageResult,
  PipelineResult,
  QueryResult,
  SearchBenchApi,
  Shape,
  StorageEstimate,
} from './api.ts'

const ACCOUNT = 'bench.ws.user'
const phase = document.querySelector<HTMLOutputElement>('#phase')

function show(text: string): void {
  if (phase !== null) phase.value = text
  console.log(`[page] ${text}`)
}

function fail(err: unknown): void {
  console.error('[page] error', err)
}

function distribution(values: readonly number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b)
  const n = sorted.length
  const at = (q: number) => sorted[Math.max(0, Math.ceil(q * n) - 1)] ?? 0
  return { n, p50: at(0.5), p95: at(0.95), max: sorted[n - 1] ?? 0, mean: n === 0 ? 0 : sorted.reduce((s, v) => s + v, 0) / n }
}

/** Long tasks and animation-frame gaps over a phase of the benchmark. */
class BlockingMonitor {
  readonly #tasks: PerformanceEntry[] = []
  readonly #observer: PerformanceObserver | null

  constructor() {
    let observer: PerformanceObserver | null
    try {
      observer = new PerformanceObserver((list) => this.#tasks.push(...list.getEntries()))
      observer.observe({ type: 'longtask' })
    } catch {
      observer = null
    }
    this.#observer = observer
  }

  start(): () => Blocking {
    const t0 = performance.now()
    let last = t0
    let longestGap = 0
    let frames = 0
    let on = true
    const tick = () => {
      if (!on) return
      const t = performance.now()
      longestGap = Math.max(longestGap, t - last)
      last = t
      frames++
      requestAnimationFrame(tick)
    }
    requestAnimationFrame(tick)
    return () => {
      on = false
      const t1 = performance.now()
      longestGap = Math.max(longestGap, t1 - last)
      if (this.#observer !== null) this.#tasks.push(...this.#observer.takeRecords())
      const tasks = this.#tasks.filter((e) => e.startTime >= t0 - 1 && e.startTime <= t1)
      return {
        longTasks: tasks.length,
        longestTaskMs: tasks.reduce((m, e) => Math.max(m, e.duration), 0),
        longTaskTotalMs: tasks.reduce((s, e) => s + e.duration, 0),
        longestFrameGapMs: longestGap,
        frames,
      }
    }
  }
}

const monitor = new BlockingMonitor()
const utf8 = new TextEncoder()

async function estimate(): Promise<StorageEstimate | null> {
  try {
    const e = (await navigator.storage.estimate()) as StorageEstimate & { usageDetails?: { indexedDB?: number } }
    return { usage: e.usage, indexedDB: e.usageDetails?.indexedDB ?? null }
  } catch {
    return null
  }
}

function deleteDb(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.deleteDatabase(name)
    req.onsuccess = () => resolve()
    req.onerror = () => reject(req.error ?? new Error(`deleting ${name}`))
    req.onblocked = () => console.warn(`[page] deleting ${name} is blocked`)
  })
}

const macrotask = () => new Promise<void>((resolve) => setTimeout(resolve, 0))

interface State {
  shape: Shape | null
  vocab: Vocabulary | null
  counts: WordCounts
  convs: string[]
  storage: DexieDocStorage | null
  indexer: SearchIndexer | null
  indexerStore: SearchStore | null
  reader: SearchReader | null
  readerStore: SearchStore | null
}

const state: State = {
  shape: null,
  vocab: null,
  counts: new WordCounts(),
  convs: [],
  storage: null,
  indexer: null,
  indexerStore: null,
  reader: null,
  readerStore: null,
}

function need<T>(value: T | null, what: string): T {
  if (value === null) throw new Error(`${what} first`)
  return value
}

function storage(): DexieDocStorage {
  state.storage ??= new DexieDocStorage({ account: ACCOUNT })
  return state.storage
}

/** One segment as ONE Yjs update: every message written in one transaction of a fresh doc. */
function segmentUpdate(messages: readonly IndexedMessage[], clientID: number): Uint8Array {
  const doc = new Y.Doc({ gc: true })
  doc.clientID = clientID
  doc.transact(() => {
    for (const m of messages) appendMessage(doc, m, Origin.remote)
  }, Origin.remote)
  const update = Y.encodeStateAsUpdate(doc)
  doc.destroy()
  return update
}

function messagesOf(chunk: StoredChunk): IndexedMessage[] {
  return chunk.ids.map((id, i) => ({
    id: id as MessageId,
    author: (chunk.authors[i] ?? '') as UserId,
    time: chunk.times[i] ?? 0,
    text: chunk.texts[i] ?? '',
  }))
}

const api: SearchBenchApi = {
  env() {
    let step = Infinity
    for (let i = 0; i < 20; i++) {
      const a = performance.now()
      let b = a
      while (b === a) b = performance.now()
      step = Math.min(step, b - a)
    }
    return Promise.resolve({ crossOriginIsolated, timerResolutionMs: step, userAgent: navigator.userAgent, hardwareConcurrency: navigator.hardwareConcurrency })
  },

  async reset() {
    state.indexer?.dispose()
    state.reader?.dispose()
    state.indexerStore?.close()
    state.readerStore?.close()
    state.storage?.close()
    Object.assign(state, { indexer: null, reader: null, indexerStore: null, readerStore: null, storage: null, convs: [], counts: new WordCounts() })
    await deleteDb(`waggle-${ACCOUNT}`)
    await deleteDb(searchDbNameFor(ACCOUNT))
  },

  async generate(shape) {
    state.shape = shape
    state.vocab = vocabulary(shape.seed)
    state.counts = new WordCounts()
    state.convs = []
    const store = storage()
    const t0 = performance.now()
    let messages = 0
    let rawTextBytes = 0
    let chars = 0
    let updateBytes = 0
    const samples: string[] = []
    const inFlight = new Set<Promise<void>>()
    for (let c = 0; c < shape.conversations; c++) {
      const generated = conversation(shape, c, state.vocab, state.counts)
      state.convs.push(generated.conv)
      const list = generated.messages.map((m) => ({ ...m, id: m.id as MessageId, author: m.author as UserId }))
      for (const m of list) {
        rawTextBytes += utf8.encode(m.text).length
        chars += m.text.length
      }
      if (c < 3) samples.push(...list.slice(0, 4).map((m) => m.text))
      messages += list.length
      const update = segmentUpdate(list, c + 1)
      updateBytes += update.length
      const write: Promise<void> = store.storeRemote(docName.segment(generated.conv as ConvId, 0), update).finally(() => inFlight.delete(write))
      inFlight.add(write)
      if (inFlight.size >= 4) await Promise.race(inFlight)
      if ((c + 1) % 100 === 0) show(`generated ${c + 1} of ${shape.conversations} conversations (${messages} messages, ${Math.round(performance.now() - t0)} ms)`)
    }
    await Promise.all(inFlight)
    const ms = performance.now() - t0
    show(`generated ${messages} messages in ${Math.round(ms)} ms`)
    return {
      conversations: shape.conversations,
      messages,
      rawTextBytes,
      meanChars: messages === 0 ? 0 : chars / messages,
      updateBytes,
      distinctWords: state.counts.counts.size,
      ms,
      samples,
    } satisfies GenerateResult
  },

  async build(batch) {
    const store = new SearchStore({ account: ACCOUNT })
    state.indexerStore = store
    const storageBefore = await estimate()
    let segments = 0
    const stop = monitor.start()
    const t0 = performance.now()
    const indexer = new SearchIndexer({ storage: storage(), store, onError: fail, ...(batch === undefined ? {} : { batch }) })
    state.indexer = indexer
    let lastShown = 0
    let building = true
    indexer.onProgress((p) => {
      if (!building) return
      segments = p.done
      if (p.done - lastShown >= 100 || p.state === 'ready') {
        lastShown = p.done
        show(`indexing: ${p.done} of ${p.total} segments (${Math.round(performance.now() - t0)} ms)`)
      }
    })
    await indexer.start()
    await indexer.settled()
    const ms = performance.now() - t0
    building = false
    const blocking = stop()
    const storageAfter = await estimate()
    return { ms, segments, blocking, storageBefore, storageAfter } satisfies BuildResult
  },

  async load() {
    state.reader?.dispose()
    state.readerStore?.close()
    // A new connection and reader, as a newly opened tab has them.
    const store = new SearchStore({ account: ACCOUNT })
    const reader = new SearchReader(store, fail)
    state.readerStore = store
    state.reader = reader
    await macrotask()
    const stop = monitor.start()
    const t0 = performance.now()
    await reader.open()
    const ms = performance.now() - t0
    const blocking = stop()
    const s0 = performance.now()
    const stats = reader.stats()
    const statsMs = performance.now() - s0
    if (stats === null) throw new Error('the reader has no index after open()')
    show(`reader opened in ${Math.round(ms)} ms: ${stats.messages} messages`)
    return { ms, blocking, statsMs, stats } satisfies LoadResult
  },

  heapBytes() {
    const memory = (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory
    return Promise.resolve(memory?.usedJSHeapSize ?? null)
  },

  async queries(each, limit) {
    const shape = need(state.shape, 'generate()')
    const reader = need(state.reader, 'load()')
    const list = queries(shape.seed, need(state.vocab, 'generate()'), state.counts.counts, each)
    // Interleave the kinds, in a seeded order, so no kind benefits from running after another.
    const rng = new Rng(shape.seed, 0x5eed)
    const order = list.map((_, i) => i)
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.int(i + 1)
      const a = order[i] ?? 0
      order[i] = order[j] ?? 0
      order[j] = a
    }
    const first = list[order[0] ?? 0]
    const f0 = performance.now()
    if (first !== undefined) reader.search(first.q, { limit })
    const firstQueryMs = performance.now() - f0
    // Warm-up (JIT), not measured: a tenth of the queries.
    for (let k = 0; k < Math.ceil(order.length / 10); k++) reader.search(list[order[k] ?? 0]?.q ?? '', { limit })
    const runs: { kind: string; band: string; q: string; ms: number; total: number; hits: number }[] = []
    for (const i of order) {
      const query = list[i]
      if (query === undefined) continue
      const t0 = performance.now()
      const page = reader.search(query.q, { limit })
      const ms = performance.now() - t0
      runs.push({ kind: query.kind, band: query.band ?? '', q: query.q, ms, total: page.total, hits: page.hits.length })
      if (runs.length % 50 === 0) await macrotask()
    }
    const kind = (pick: (r: (typeof runs)[number]) => boolean): KindResult => {
      const rs = runs.filter(pick)
      return {
        ...distribution(rs.map((r) => r.ms)),
        meanTotal: rs.reduce((s, r) => s + r.total, 0) / Math.max(1, rs.length),
        meanHits: rs.reduce((s, r) => s + r.hits, 0) / Math.max(1, rs.length),
        empty: rs.filter((r) => r.total === 0).length,
        slowest: [...rs].sort((a, b) => b.ms - a.ms).slice(0, 5).map((r) => ({ q: r.q, ms: r.ms, total: r.total })),
      }
    }
    const examples = (['word', 'prefix', 'multi'] as const).flatMap((k) => runs.filter((r) => r.kind === k).slice(0, 4).map((r) => ({ kind: r.kind, q: r.q, total: r.total, ms: r.ms })))
    show(`ran ${runs.length} queries`)
    return {
      limit,
      firstQueryMs,
      word: kind((r) => r.kind === 'word'),
      wordCommon: kind((r) => r.kind === 'word' && r.band === 'common'),
      wordRare: kind((r) => r.kind === 'word' && r.band === 'rare'),
      prefix: kind((r) => r.kind === 'prefix'),
      multi: kind((r) => r.kind === 'multi'),
      all: distribution(runs.map((r) => r.ms)),
      examples,
    } satisfies QueryResult
  },

  async newMessage(samples) {
    const shape = need(state.shape, 'generate()')
    const vocab = need(state.vocab, 'generate()')
    const store = need(state.indexerStore, 'build()')
    const rng = new Rng(shape.seed, 0x0e1)
    const putCold: number[] = []
    const putWarm: number[] = []
    const setCold: number[] = []
    const setWarm: number[] = []
    const takeDirty: number[] = []
    const sequence: number[] = []
    let segmentSize = 0
    const fresh = (base: readonly IndexedMessage[], k: number): IndexedMessage => {
      const last = base[base.length - 1]
      const time = (last?.time ?? Date.now()) + 60_000 * (k + 1)
      return { id: seededSortableId(time, rng) as MessageId, author: (last?.author ?? 'u0000') as UserId, time, text: sentence(rng, vocab, rng.pick<Lang>(['en', 'it', 'de', 'es', 'fr'])) }
    }
    for (let i = 0; i < samples; i++) {
      const conv = state.convs[i % state.convs.length] as ConvId
      const [chunk] = await store.get([chunkKey(conv, 0)])
      if (chunk === undefined) throw new Error(`no stored chunk for ${conv}`)
      const base = messagesOf(chunk)
      segmentSize = base.length
      const a = fresh(base, 0)
      const b = fresh(base, 1)
      // put, on the chunk as loaded from the store, then once more on the same chunk.
      const byPut = MessageIndex.fromChunks([chunk])
      let t = performance.now()
      byPut.put(conv, 0, a)
      putCold.push(performance.now() - t)
      t = performance.now()
      byPut.put(conv, 0, b)
      putWarm.push(performance.now() - t)
      // setSegment with every message of the segment, as the indexer calls it.
      const bySet = MessageIndex.fromChunks([chunk])
      t = performance.now()
      bySet.setSegment(conv, 0, [...base, a])
      setCold.push(performance.now() - t)
      t = performance.now()
      bySet.setSegment(conv, 0, [...base, a, b])
      setWarm.push(performance.now() - t)
      t = performance.now()
      bySet.takeDirty()
      takeDirty.push(performance.now() - t)
      if (i % 20 === 0) await macrotask()
    }
    // Successive messages into one chunk: compactions included, as they come.
    const conv = state.convs[0] as ConvId
    const [chunk] = await store.get([chunkKey(conv, 0)])
    if (chunk !== undefined) {
      const index = MessageIndex.fromChunks([chunk])
      const base = messagesOf(chunk)
      for (let k = 0; k < samples; k++) {
        const m = fresh(base, k)
        const t = performance.now()
        index.put(conv, 0, m)
        sequence.push(performance.now() - t)
        base.push(m)
      }
    }
    show(`timed ${samples} new messages`)
    return {
      samples,
      segmentSize,
      putCold: distribution(putCold),
      putWarm: distribution(putWarm),
      setSegmentCold: distribution(setCold),
      setSegmentWarm: distribution(setWarm),
      takeDirty: distribution(takeDirty),
      putSequence: distribution(sequence),
    } satisfies NewMessageResult
  },

  async pipeline(samples) {
    const shape = need(state.shape, 'generate()')
    const indexer = need(state.indexer, 'build()')
    const reader = need(state.reader, 'load()')
    const docs = storage()
    const rng = new Rng(shape.seed, 0x919e)
    const stored: number[] = []
    const saved: number[] = []
    const visible: number[] = []
    let timeouts = 0
    await indexer.settled()
    for (let i = 0; i < samples; i++) {
      // A conversation from the second half, so it is not one newMessage() touched in memory only.
      const conv = state.convs[(state.convs.length >> 1) + (i % Math.max(1, state.convs.length >> 1))] as ConvId
      const token = `pipe${shape.seed}x${i}q${rng.int(1e6)}`
      const time = Date.UTC(2026, 0, 1) + i * 1000
      const message = { id: seededSortableId(time, rng) as MessageId, author: 'u0000' as UserId, time, text: `New message ${token} right now` }
      const update = segmentUpdate([message], 1_000_000 + i)
      let savedAt = 0
      let seenAt = 0
      const t0 = performance.now()
      const done = new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timeouts++
          finish()
        }, 30_000)
        const stopProgress = indexer.onProgress(() => {
          if (savedAt === 0) savedAt = performance.now()
        })
        const check = () => {
          if (seenAt === 0 && reader.search(token, { limit: 1 }).total > 0) {
            seenAt = performance.now()
            finish()
          }
        }
        const stopChange = reader.onChange(check)
        function finish() {
          clearTimeout(timer)
          stopProgress()
          stopChange()
          resolve()
        }
      })
      await docs.storeRemote(docName.segment(conv, 0), update)
      stored.push(performance.now() - t0)
      await done
      if (savedAt > 0) saved.push(savedAt - t0)
      if (seenAt > 0) visible.push(seenAt - t0)
      await indexer.settled()
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    show(`timed ${samples} messages through the pipeline`)
    return { samples, stored: distribution(stored), indexedAndSaved: distribution(saved), visible: distribution(visible), timeouts } satisfies PipelineResult
  },
}

window.searchBench = api
show('ready')
