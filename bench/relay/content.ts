/**
 * The workload's documents and messages, built once with Yjs through the schema's
 * `appendMessage` (the same bytes go to every relay): a large chat segment, small ones, and
 * single-message updates whose text carries a marker (`bench#<n>;`) the clients find in the
 * raw update bytes, so a delivery is matched to its send time without applying it.
 */
import { Origin, appendMessage, newMessageId, type UserId } from '@waggle/schema'
import * as Y from 'yjs'

/** The demo's sales team (demo/seed.ts): members who may read and write `conv/sales-team/*`. */
export const SALES_TEAM = ['anna', 'marco', 'diego', 'emma', 'priya'] as const

const WORDS = ('the pipeline review call customer offer Verona invoice follow-up trunk SIP firmware router ' +
  'install Munich ticket escalation meeting pricing brochure lead contract Müller GmbH tomorrow afternoon ' +
  'checked working fine update please thanks numbers quarter renewal discount schedule').split(' ')

/** Deterministic text of exactly `length` characters from the word list. */
function text(length: number, salt: number): string {
  let out = ''
  for (let i = salt; out.length < length; i = (i * 7 + 3) % 9973) out += `${WORDS[i % WORDS.length] ?? 'x'} `
  return out.slice(0, length)
}

function segment(messages: number, textLength: number, startTime: number): Y.Doc {
  const doc = new Y.Doc()
  doc.transact(() => {
    for (let i = 0; i < messages; i++) {
      const time = startTime + i * 60_000
      const author = SALES_TEAM[i % SALES_TEAM.length] as UserId
      appendMessage(doc, { id: newMessageId(time), author, time, text: text(textLength, i) }, Origin.seed)
    }
  }, Origin.seed)
  return doc
}

/**
 * A chat segment of `messages` messages whose encoded state is about `targetBytes` (the text
 * length is calibrated on a first build); returns the state as one update.
 */
export function largeSegment(targetBytes: number, messages: number): Uint8Array {
  const start = Date.now() - messages * 60_000
  const probeLength = 500
  const probe = Y.encodeStateAsUpdate(segment(messages, probeLength, start)).byteLength
  const overhead = probe / messages - probeLength
  const length = Math.max(1, Math.round(targetBytes / messages - overhead))
  return Y.encodeStateAsUpdate(segment(messages, length, start))
}

/** A small segment: `messages` chat-sized messages (about 60 characters each). */
export function smallSegment(messages: number, salt: number): Uint8Array {
  return Y.encodeStateAsUpdate(segment(messages, 60 + (salt % 20), Date.now() - 86_400_000))
}

/** Builds single-message updates as one author's device does (one Y.Doc, so one client id). */
export class MessageWriter {
  readonly #doc = new Y.Doc()

  constructor(readonly author: string) {}

  /** One new message of about `length` characters whose text carries marker `n`. */
  next(n: number, length = 80): Uint8Array {
    const updates: Uint8Array[] = []
    const capture = (u: Uint8Array): void => void updates.push(u)
    this.#doc.on('update', capture)
    const time = Date.now()
    const marker = `bench#${n};`
    appendMessage(this.#doc, { id: newMessageId(time), author: this.author as UserId, time, text: marker + text(length - marker.length, n) }, Origin.local)
    this.#doc.off('update', capture)
    const [only] = updates
    if (only === undefined || updates.length !== 1) throw new Error('appendMessage made no single update')
    return only
  }
}

const MARKER = Buffer.from('bench#')

/** The marker number in an update's bytes, or -1. */
export function markerOf(update: Uint8Array): number {
  const buf = Buffer.from(update.buffer, update.byteOffset, update.byteLength)
  const at = buf.indexOf(MARKER)
  if (at < 0) return -1
  let n = 0
  for (let i = at + MARKER.length; i < buf.length; i++) {
    const c = buf[i] ?? 0
    if (c === 0x3b) return n // ';'
    if (c < 0x30 || c > 0x39) return -1
    n = n * 10 + (c - 0x30)
  }
  return -1
}
