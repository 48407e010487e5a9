import type { SyncStatus } from '@waggle/client'

/** What the test hands the page after signing in over HTTP (the relay's verify response). */
export interface HarnessSession {
  token: string
  userId: string
  workspaceId: string
}

/** An outbox entry as the tests see it (the update bytes stay in the page). */
export interface HarnessOutboxEntry {
  seq: number
  doc: string
  state: 'pending' | 'rejected'
}

/**
 * The test page's surface, `window.harness`, shared by the page (harness.ts) and the tests,
 * which call it through `page.evaluate`. Everything is async so the two sides stay symmetric.
 */
export interface HarnessApi {
  /**
   * Creates the SyncClient for `${workspaceId}.${userId}` with Dexie storage. The relay is the
   * page's `?relay=ws://…/ws` parameter, or `ws://<page host>/ws` when the relay serves the page.
   */
  start(session: HarnessSession): Promise<void>
  /** Opens a document (kept open until the page goes) and waits until its stored copy loaded. */
  open(doc: string): Promise<void>
  /** Appends a message by the signed-in user as a local edit; resolves with its id. */
  send(doc: string, text: string): Promise<string>
  /** The whole state of an open document (`Y.encodeStateAsUpdate`), as bytes (the torture suite's oracle compares it). */
  state(doc: string): Promise<number[]>
  /** Texts of the live messages of an open document, in message order. */
  texts(doc: string): Promise<string[]>
  status(): Promise<SyncStatus>
  isLeader(): Promise<boolean>
  outbox(): Promise<HarnessOutboxEntry[]>
  /** What the relay said this session may do with an open document (null: not yet). */
  access(doc: string): Promise<string | null>
  /**
   * Posts `message` on the account's BroadcastChannel as another tab could (`account` and
   * `update` are filled in when absent: the signed-in account, and an update of a scratch
   * document appending a message with `text` by the signed-in user), e.g. a crafted message.
   */
  postRaw(message: Record<string, unknown>, text?: string): Promise<void>
  /** Resolves once the status is `synced`; rejects with the last status after `timeoutMs`. */
  waitSynced(timeoutMs?: number): Promise<void>
}

declare global {
  interface Window {
    harness: HarnessApi
  }
}
