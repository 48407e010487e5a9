import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { messageYjsSyncStep1, messageYjsSyncStep2, messageYjsUpdate } from 'y-protocols/sync'
import type { DocName } from '../../docNames.ts'
import { FrameType } from '../frameType.ts'
import { expect, readDocName } from './read.ts'

/**
 * A y-protocols sync message (step 1 = state vector, step 2 = missing updates, update) for one
 * document. A client's step 1 subscribes it to the document; the relay answers with step 2 and
 * its own step 1, and the client's step 2 sends whatever the relay lacks.
 */
export interface SyncFrame {
  type: 'sync'
  doc: DocName
  step: 'step1' | 'step2' | 'update'
  data: Uint8Array
}

const stepCode = { step1: messageYjsSyncStep1, step2: messageYjsSyncStep2, update: messageYjsUpdate } as const

export function writeSync(e: encoding.Encoder, f: SyncFrame): void {
  encoding.writeVarUint(e, FrameType.sync)
  encoding.writeVarString(e, f.doc)
  encoding.writeVarUint(e, stepCode[f.step])
  encoding.writeVarUint8Array(e, f.data)
}

export function readSync(d: decoding.Decoder): SyncFrame {
  const doc = readDocName(d)
  const code = decoding.readVarUint(d)
  const step = code === messageYjsSyncStep1 ? 'step1' : code === messageYjsSyncStep2 ? 'step2' : code === messageYjsUpdate ? 'update' : null
  expect(step !== null, `unknown sync step ${code}`)
  return { type: 'sync', doc, step, data: decoding.readVarUint8Array(d) }
}
