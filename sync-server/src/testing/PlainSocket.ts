import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { WebSocket, type RawData } from 'ws'
import { toBytes } from './bytes.ts'
import type { CloseInfo } from './TestClient.ts'
import { waitFor } from './waitFor.ts'

// y-websocket message types and y-protocols sync steps (y-websocket/src/y-websocket.js, y-protocols/sync).
const messageSync = 0
const syncStep1 = 0
const syncStep2 = 1

/** One y-protocols sync message received on the plain endpoint. */
export interface PlainSyncMessage {
  step: number
  data: Uint8Array
}

/**
 * A raw socket on the plain y-websocket endpoint (`/sync/<doc>?token=…`) that records what the
 * relay sends, for tests that need to see exact close codes and sync messages.
 */
export class PlainSocket {
  readonly messages: Uint8Array[] = []
  closeInfo: CloseInfo | null = null
  isOpen = false
  readonly #ws: WebSocket

  constructor(url: string) {
    this.#ws = new WebSocket(url)
    this.#ws.on('open', () => {
      this.isOpen = true
    })
    this.#ws.on('message', (data: RawData) => this.messages.push(toBytes(data)))
    this.#ws.on('close', (code: number, reason: Buffer) => {
      this.closeInfo = { code, reason: reason.toString('utf8') }
    })
    this.#ws.on('error', () => undefined)
  }

  /** Sync messages received so far, decoded. */
  syncMessages(): PlainSyncMessage[] {
    return this.messages.flatMap((bytes) => {
      const d = decoding.createDecoder(bytes)
      if (decoding.readVarUint(d) !== messageSync) return []
      return [{ step: decoding.readVarUint(d), data: decoding.readVarUint8Array(d) }]
    })
  }

  /** Reasons of the y-protocols permission-denied messages received (auth message 2, then 0 and the reason). */
  deniedReasons(): string[] {
    return this.messages.flatMap((bytes) => {
      const d = decoding.createDecoder(bytes)
      if (decoding.readVarUint(d) !== 2 || decoding.readVarUint(d) !== 0) return []
      return [decoding.readVarString(d)]
    })
  }

  /** Resolves once the socket is open (the relay may still close it right after). */
  async opened(timeoutMs = 5_000): Promise<void> {
    await waitFor(() => this.isOpen || this.closeInfo, timeoutMs, 'the plain socket to open')
    if (!this.isOpen) throw new Error(`Plain socket closed before opening: ${this.closeInfo?.code}`)
  }

  /** Sends sync step 1 with `stateVector`; the relay answers with step 2. */
  sendStep1(stateVector: Uint8Array): void {
    this.sendSync(syncStep1, stateVector)
  }

  sendSync(step: number, data: Uint8Array): void {
    const e = encoding.createEncoder()
    encoding.writeVarUint(e, messageSync)
    encoding.writeVarUint(e, step)
    encoding.writeVarUint8Array(e, data)
    this.sendRaw(encoding.toUint8Array(e))
  }

  sendRaw(bytes: Uint8Array): void {
    if (this.#ws.readyState !== WebSocket.OPEN) throw new Error('The plain socket is not open')
    this.#ws.send(bytes)
  }

  /** Resolves with the first step 2 the relay sends. */
  async step2(timeoutMs = 5_000): Promise<Uint8Array> {
    const m = await waitFor(() => this.syncMessages().find((x) => x.step === syncStep2) ?? this.closeInfo, timeoutMs, 'sync step 2')
    if (!('step' in m)) throw new Error(`Closed before step 2: ${m.code} ${m.reason}`)
    return m.data
  }

  async closed(timeoutMs = 5_000): Promise<CloseInfo> {
    return waitFor(() => this.closeInfo, timeoutMs, 'the plain socket to close')
  }

  async close(): Promise<void> {
    if (this.closeInfo !== null) return
    this.#ws.close(1000)
    await this.closed()
  }
}

export const PlainSyncStep = { step1: syncStep1, step2: syncStep2, update: 2 } as const
