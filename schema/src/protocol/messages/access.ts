import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import type { DocName } from '../../docNames.ts'
import type { Access } from '../../policy/access.ts'
import { FrameType } from '../frameType.ts'
import { expect, readDocName } from './read.ts'

/** Relay to client: what this session may do with a document, sent on subscribe and on change. */
export interface AccessFrame {
  type: 'access'
  doc: DocName
  access: Access
}

export function writeAccess(e: encoding.Encoder, f: AccessFrame): void {
  encoding.writeVarUint(e, FrameType.access)
  encoding.writeVarString(e, f.doc)
  encoding.writeVarString(e, f.access)
}

export function readAccess(d: decoding.Decoder): AccessFrame {
  const doc = readDocName(d)
  const access = decoding.readVarString(d)
  expect(access === 'none' || access === 'read' || access === 'write', 'access')
  return { type: 'access', doc, access }
}
