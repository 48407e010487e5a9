import type * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import type { DocName } from '../../docNames.ts'
import { FrameType } from '../frameType.ts'
import { readDocName } from './read.ts'

/** Client to relay: stop sending updates for this document. */
export interface UnsubscribeFrame {
  type: 'unsubscribe'
  doc: DocName
}

export function writeUnsubscribe(e: encoding.Encoder, f: UnsubscribeFrame): void {
  encoding.writeVarUint(e, FrameType.unsubscribe)
  encoding.writeVarString(e, f.doc)
}

export function readUnsubscribe(d: decoding.Decoder): UnsubscribeFrame {
  return { type: 'unsubscribe', doc: readDocName(d) }
}
