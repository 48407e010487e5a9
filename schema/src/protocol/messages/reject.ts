import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import type { DocName } from '../../docNames.ts'
import type { Reason } from '../../errors.ts'
import { FrameType } from '../frameType.ts'
import { readDocName, readReason, readReasonMessage } from './read.ts'

/** Relay to client: the update with this `seq` was refused; nothing of it was applied or stored. */
export interface RejectFrame {
  type: 'reject'
  doc: DocName
  seq: number
  reason: Reason
  message: string
}

export function writeReject(e: encoding.Encoder, f: RejectFrame): void {
  encoding.writeVarUint(e, FrameType.reject)
  encoding.writeVarString(e, f.doc)
  encoding.writeVarUint(e, f.seq)
  encoding.writeVarString(e, f.reason)
  encoding.writeVarString(e, f.message)
}

export function readReject(d: decoding.Decoder): RejectFrame {
  return { type: 'reject', doc: readDocName(d), seq: decoding.readVarUint(d), reason: readReason(d), message: readReasonMessage(d) }
}
