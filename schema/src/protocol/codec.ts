import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { Reason, WaggleError } from '../errors.ts'
import { FrameType } from './frameType.ts'
import { readAccess, writeAccess, type AccessFrame } from './messages/access.ts'
import { readAck, writeAck, type AckFrame } from './messages/ack.ts'
import { readAwareness, writeAwareness, type AwarenessFrame } from './messages/awareness.ts'
import { readError, writeError, type ErrorFrame } from './messages/error.ts'
import { readHello, writeHello, type HelloFrame } from './messages/hello.ts'
import { readReject, writeReject, type RejectFrame } from './messages/reject.ts'
import { readSync, writeSync, type SyncFrame } from './messages/sync.ts'
import { readUnsubscribe, writeUnsubscribe, type UnsubscribeFrame } from './messages/unsubscribe.ts'
import { readUpdate, writeUpdate, type UpdateFrame } from './messages/update.ts'
import { readWelcome, writeWelcome, type WelcomeFrame } from './messages/welcome.ts'
import { ProtocolLimits } from './version.ts'

export type ClientFrame = HelloFrame | SyncFrame | UpdateFrame | AwarenessFrame | UnsubscribeFrame
export type ServerFrame = WelcomeFrame | SyncFrame | AckFrame | RejectFrame | AwarenessFrame | AccessFrame | ErrorFrame
export type Frame = ClientFrame | ServerFrame

export function encodeFrame(frame: Frame): Uint8Array {
  const e = encoding.createEncoder()
  switch (frame.type) {
    case 'hello': writeHello(e, frame); break
    case 'welcome': writeWelcome(e, frame); break
    case 'sync': writeSync(e, frame); break
    case 'update': writeUpdate(e, frame); break
    case 'ack': writeAck(e, frame); break
    case 'reject': writeReject(e, frame); break
    case 'awareness': writeAwareness(e, frame); break
    case 'unsubscribe': writeUnsubscribe(e, frame); break
    case 'access': writeAccess(e, frame); break
    case 'error': writeError(e, frame); break
  }
  return encoding.toUint8Array(e)
}

function readBody(type: number, d: decoding.Decoder): Frame {
  switch (type) {
    case FrameType.hello: return readHello(d)
    case FrameType.welcome: return readWelcome(d)
    case FrameType.sync: return readSync(d)
    case FrameType.update: return readUpdate(d)
    case FrameType.ack: return readAck(d)
    case FrameType.reject: return readReject(d)
    case FrameType.awareness: return readAwareness(d)
    case FrameType.unsubscribe: return readUnsubscribe(d)
    case FrameType.access: return readAccess(d)
    case FrameType.error: return readError(d)
    default: throw new WaggleError(Reason.malformedFrame, `Unknown frame type ${type}`)
  }
}

/**
 * Decodes one frame from untrusted bytes. Throws a {@link WaggleError} (`frame-too-large`,
 * `malformed-frame` or `invalid-doc-name`) for anything that is not exactly one valid frame.
 */
export function decodeFrame(bytes: Uint8Array, maxBytes: number = ProtocolLimits.maxFrameBytes): Frame {
  if (bytes.byteLength > maxBytes) {
    throw new WaggleError(Reason.frameTooLarge, `Frame of ${bytes.byteLength} bytes is over the ${maxBytes}-byte limit`)
  }
  const d = decoding.createDecoder(bytes)
  let frame: Frame
  try {
    frame = readBody(decoding.readVarUint(d), d)
  } catch (err) {
    if (err instanceof WaggleError) throw err
    throw new WaggleError(Reason.malformedFrame, `Malformed frame: ${(err as Error).message}`)
  }
  if (decoding.hasContent(d)) throw new WaggleError(Reason.malformedFrame, 'Malformed frame: trailing bytes')
  return frame
}

const clientTypes = new Set<Frame['type']>(['hello', 'sync', 'update', 'awareness', 'unsubscribe'])
const serverTypes = new Set<Frame['type']>(['welcome', 'sync', 'ack', 'reject', 'awareness', 'access', 'error'])

/** Decodes a frame a client sent; server-only frame types are malformed here. */
export function decodeClientFrame(bytes: Uint8Array, maxBytes?: number): ClientFrame {
  const f = decodeFrame(bytes, maxBytes)
  if (!clientTypes.has(f.type)) throw new WaggleError(Reason.malformedFrame, `A client may not send ${f.type}`)
  return f as ClientFrame
}

/** Decodes a frame the relay sent. */
export function decodeServerFrame(bytes: Uint8Array, maxBytes?: number): ServerFrame {
  const f = decodeFrame(bytes, maxBytes)
  if (!serverTypes.has(f.type)) throw new WaggleError(Reason.malformedFrame, `A server may not send ${f.type}`)
  return f as ServerFrame
}
