import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import type { DocName } from '../../docNames.ts'
import { FrameType } from '../frameType.ts'
import { readDocName } from './read.ts'

/**
 * Client to relay: a local Yjs update that the client keeps in its outbox until the relay
 * answers `ack` (committed to storage) or `reject` with the same `seq`.
 */
export interface UpdateFrame {
  type: 'update'
  doc: DocName
  seq: number
  update: Uint8Array
}

export function writeUpdate(e: encoding.Encoder, f: UpdateFrame): void {
  encoding.writeVarUint(e, FrameType.update)
  encoding.writeVarString(e, f.doc)
  encoding.writeVarUint(e, f.seq)
  encoding.writeVarUint8Array(e, f.update)
}

export function readUpdate(d: decoding.Decoder): UpdateFrame {
  const doc = readDocName(d)
  const seq = decoding.readVarUint(d)
  return { type: 'update', doc, seq, update: decoding.readVarUint8Array(d) }
}
