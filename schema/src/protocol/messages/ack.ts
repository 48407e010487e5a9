import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import type { DocName } from '../../docNames.ts'
import { FrameType } from '../frameType.ts'
import { readDocName } from './read.ts'

/** Relay to client: the update with this `seq` is committed to storage (durable acknowledgement). */
export interface AckFrame {
  type: 'ack'
  doc: DocName
  seq: number
}

export function writeAck(e: encoding.Encoder, f: AckFrame): void {
  encoding.writeVarUint(e, FrameType.ack)
  encoding.writeVarString(e, f.doc)
  encoding.writeVarUint(e, f.seq)
}

export function readAck(d: decoding.Decoder): AckFrame {
  return { type: 'ack', doc: readDocName(d), seq: decoding.readVarUint(d) }
}
