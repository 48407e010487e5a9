import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import type { DocName } from '../../docNames.ts'
import { FrameType } from '../frameType.ts'
import { readDocName } from './read.ts'

/** Both ways: a y-protocols awareness update for one document (ephemeral, never stored). */
export interface AwarenessFrame {
  type: 'awareness'
  doc: DocName
  update: Uint8Array
}

export function writeAwareness(e: encoding.Encoder, f: AwarenessFrame): void {
  encoding.writeVarUint(e, FrameType.awareness)
  encoding.writeVarString(e, f.doc)
  encoding.writeVarUint8Array(e, f.update)
}

export function readAwareness(d: decoding.Decoder): AwarenessFrame {
  return { type: 'awareness', doc: readDocName(d), update: decoding.readVarUint8Array(d) }
}
