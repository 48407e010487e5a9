import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { isDocName, type DocName } from '../../docNames.ts'
import type { Reason } from '../../errors.ts'
import { FrameType } from '../frameType.ts'
import { readReason, readReasonMessage } from './read.ts'

/** Relay to client: a request about `doc` (or the connection, when `doc` is null) failed. */
export interface ErrorFrame {
  type: 'error'
  doc: DocName | null
  reason: Reason
  message: string
}

export function writeError(e: encoding.Encoder, f: ErrorFrame): void {
  encoding.writeVarUint(e, FrameType.error)
  encoding.writeVarString(e, f.doc ?? '')
  encoding.writeVarString(e, f.reason)
  encoding.writeVarString(e, f.message)
}

export function readError(d: decoding.Decoder): ErrorFrame {
  const name = decoding.readVarString(d)
  return { type: 'error', doc: isDocName(name) ? name : null, reason: readReason(d), message: readReasonMessage(d) }
}
