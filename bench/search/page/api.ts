/**
 * The search benchmark page's surface, `window.searchBench`, shared by the page (main.ts) and
 * the Node runner (../run.ts), which calls it through `page.evaluate`. Times are milliseconds
 * from `performance.now()` in the page.
 */

import type { IndexStats } from '../../../client/src/search/MessageIndex.ts'

export interface Shape {
  seed: number
  conversations: number
  perConversation: number
}

export interface Distribution {
  n: number
  p50: number
  p95: number
  max: number
  mean: number
}

/** What the main thread went through during a phase. */
export interface Blocking {
  /** Long tasks (over 50 ms) the browser reported (PerformanceObserver 'longtask'). */
  longTasks: number
  longestTaskMs: number
  longTaskTotalMs: number
  /** The longest gap between two animation frames (a frozen UI shows as a long gap). */
  longestFrameGapMs: number
  frames: number
}

export interface StorageEstimate {
  usage: number
  indexedDB: number | null
}

export interface GenerateResult {
  conversations: number
  messages: number
  rawTextBytes: number
  meanChars: number
  /** Bytes of the Yjs updates written (one per conversation). */
  updateBytes: number
  distinctWords: number
  ms: number
  samples: string[]
}

export interface BuildResult {
  ms: number
  segments: number
  blocking: Blocking
  storageBefore: StorageEstimate | null
  storageAfter: StorageEstimate | null
}

export interface LoadResult {
  ms: number
  blocking: Blocking
  statsMs: number
  stats: IndexStats
}

export interface KindResult extends Distribution {
  /** Mean of `total` (every matching message). */
  meanTotal: number
  /** Mean of the hits returned (at most the limit). */
  meanHits: number
  /** Queries that found nothing. */
  empty: number
  slowest: { q: string; ms: number; total: number }[]
}

export interface QueryResult {
  limit: number
  firstQueryMs: number
  word: KindResult
  wordCommon: KindResult
  wordRare: KindResult
  prefix: KindResult
  multi: KindResult
  all: Distribution
  examples: { kind: string; q: string; total: number; ms: number }[]
}

export interface NewMessageResult {
  samples: number
  segmentSize: number
  /** `index.put` of one new message into a chunk just loaded from the store (as the indexer holds it). */
  putCold: Distribution
  /** `index.put` of one more message into the same chunk (its id map now built). */
  putWarm: Distribution
  /** `index.setSegment` with the segment's 1,000 messages plus the new one, on a chunk just loaded (what the indexer calls). */
  setSegmentCold: Distribution
  /** The same, the chunk already held (a second new message). */
  setSegmentWarm: Distribution
  /** `takeDirty()` after one new message: compacting the chunk for storing. */
  takeDirty: Distribution
  /** Successive `put`s into one chunk, compactions included. */
  putSequence: Distribution
}

export interface PipelineResult {
  samples: number
  /** `storeRemote` of the one-message update until it resolved (committed). */
  stored: Distribution
  /** From before `storeRemote` until the indexer reported the batch saved. */
  indexedAndSaved: Distribution
  /** From before `storeRemote` until a reader's search found the message. */
  visible: Distribution
  timeouts: number
}

export interface PageEnv {
  crossOriginIsolated: boolean
  /** The smallest step of `performance.now()` observed. */
  timerResolutionMs: number
  userAgent: string
  hardwareConcurrency: number
}

export interface SearchBenchApi {
  env(): Promise<PageEnv>
  reset(): Promise<void>
  generate(shape: Shape): Promise<GenerateResult>
  /** `batch`: the indexer's documents per batch (its default when absent), for experiments. */
  build(batch?: number): Promise<BuildResult>
  load(): Promise<LoadResult>
  heapBytes(): Promise<number | null>
  queries(each: number, limit: number): Promise<QueryResult>
  newMessage(samples: number): Promise<NewMessageResult>
  pipeline(samples: number): Promise<PipelineResult>
}

declare global {
  interface Window {
    searchBench: SearchBenchApi
  }
}
