import { Limits, ProtocolLimits, SEGMENT_MAX_MESSAGES } from '@waggle/schema'

/** Everything a relay instance can be tuned with; `main.ts` fills it from the environment. */
export interface ServerConfig {
  /** Demo mode: seed a demo workspace, serve `/api/demo`, return `devCode` on sign-in. */
  demo: boolean
  /** Where the built client is served from, if anywhere. */
  staticDir: string | null
  maxFrameBytes: number
  maxDocsPerConnection: number
  /** Bytes queued on one socket before it is closed (it resyncs; nothing is silently dropped). */
  sendQueueBytes: number
  /** A document with no subscribers is unloaded after this long. */
  docIdleMs: number
  /** Compact a document's update log into a snapshot past this many updates. */
  compactThreshold: number
  /** A socket that has not said hello by then is closed. */
  helloTimeoutMs: number
  codeTtlMs: number
  maxCodeAttempts: number
  /** Sign-in codes one email may request per `codeWindowMs`. */
  codeRequestsPerWindow: number
  codeWindowMs: number
  sessionTtlMs: number
  /**
   * Inbox projection waits this long after a conversation's first unprojected write, so a
   * burst of messages updates each member's inbox once (0: on the next turn of the event loop).
   */
  inboxDebounceMs: number
  /** A segment holding more messages than this is closed: the relay starts the next one. */
  segmentMaxMessages: number
  /** Largest file one upload may declare (bytes). */
  maxFileBytes: number
  /** `POST /api/search` calls one session may make per `searchWindowMs` (then 429). */
  searchesPerWindow: number
  searchWindowMs: number
  /** `PUT /api/contacts/:id` calls one session may make per `contactWindowMs` (then 429). */
  contactsPerWindow: number
  contactWindowMs: number
}

export const defaultConfig: ServerConfig = {
  demo: false,
  staticDir: null,
  maxFrameBytes: ProtocolLimits.maxFrameBytes,
  maxDocsPerConnection: ProtocolLimits.maxDocsPerConnection,
  sendQueueBytes: 16 * 1024 * 1024,
  docIdleMs: 30_000,
  compactThreshold: 500,
  helloTimeoutMs: 10_000,
  codeTtlMs: 10 * 60_000,
  maxCodeAttempts: 5,
  codeRequestsPerWindow: 5,
  codeWindowMs: 10 * 60_000,
  sessionTtlMs: 30 * 24 * 3600_000,
  inboxDebounceMs: 50,
  segmentMaxMessages: SEGMENT_MAX_MESSAGES,
  maxFileBytes: Limits.fileBytes,
  searchesPerWindow: 30,
  searchWindowMs: 10_000,
  contactsPerWindow: 20,
  contactWindowMs: 60_000,
}

/** Minimal structured logger; tests pass a silent one. */
export interface Logger {
  info(message: string, context?: Record<string, unknown>): void
  warn(message: string, context?: Record<string, unknown>): void
  error(message: string, context?: Record<string, unknown>): void
}

export const consoleLogger: Logger = {
  info: (m, c) => console.log(m, c ?? ''),
  warn: (m, c) => console.warn(m, c ?? ''),
  error: (m, c) => console.error(m, c ?? ''),
}

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} }
