import { DEFAULT_UPDATE_LIMITS, Limits, ProtocolLimits, SEGMENT_MAX_MESSAGES } from '@waggle/schema'

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
  /** Sign-in codes one remote address may request per `codeWindowMs`, over all email addresses. */
  codeRequestsPerIpPerWindow: number
  /** Code verifications one remote address may try per `codeWindowMs`, over all email addresses. */
  codeVerifiesPerIpPerWindow: number
  /** Sockets that have not finished their hello (or, on `/sync/`, their token check) at once: all of them… */
  maxPendingSockets: number
  /** …and from one remote address. Past either, a new socket is closed at once with 4529. */
  maxPendingSocketsPerIp: number
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
  /** Largest client update (bytes) and most structs in one (the write gate's decoding bounds). */
  maxUpdateBytes: number
  maxUpdateStructs: number
  /** Deepest nesting of arrays and objects in one plain value of a client update. */
  maxValueDepth: number
  /** Largest plain value of a client update, as the length of its JSON text (see `UpdateLimits`). */
  maxValueSize: number
  /**
   * Time budget (ms) for decoding and checking one client update in the write gate; one that
   * takes longer is refused (`too-expensive`) and logged.
   */
  gateTimeBudgetMs: number
  /** The content-level write gate; `false` only for the benchmark that compares against no gate (access still applies). */
  writeGate: boolean
  /**
   * Writes to message segments one connection may make per `writeWindowMs` (a token bucket: a
   * burst of this many, refilled evenly over the window); past it they are rejected `rate-limited`.
   */
  segmentWritesPerWindow: number
  /** Writes to presence documents one connection may make per `writeWindowMs`. */
  presenceWritesPerWindow: number
  writeWindowMs: number
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
  codeRequestsPerIpPerWindow: 30,
  codeVerifiesPerIpPerWindow: 60,
  maxPendingSockets: 64,
  maxPendingSocketsPerIp: 8,
  sessionTtlMs: 30 * 24 * 3600_000,
  inboxDebounceMs: 50,
  segmentMaxMessages: SEGMENT_MAX_MESSAGES,
  maxFileBytes: Limits.fileBytes,
  searchesPerWindow: 30,
  searchWindowMs: 10_000,
  contactsPerWindow: 20,
  contactWindowMs: 60_000,
  maxUpdateBytes: DEFAULT_UPDATE_LIMITS.maxBytes,
  maxUpdateStructs: DEFAULT_UPDATE_LIMITS.maxStructs,
  maxValueDepth: DEFAULT_UPDATE_LIMITS.maxValueDepth,
  maxValueSize: DEFAULT_UPDATE_LIMITS.maxValueSize,
  gateTimeBudgetMs: 250,
  writeGate: true,
  segmentWritesPerWindow: 30,
  presenceWritesPerWindow: 20,
  writeWindowMs: 10_000,
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
