import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { FrameType } from '../frameType.ts'
import { ProtocolLimits } from '../version.ts'
import { expect } from './read.ts'

/** Client to relay, first frame: the client's protocol version and its session token. */
export interface HelloFrame {
  type: 'hello'
  version: number
  token: string
}

export function writeHello(e: encoding.Encoder, f: HelloFrame): void {
  encoding.writeVarUint(e, FrameType.hello)
  encoding.writeVarUint(e, f.version)
  encoding.writeVarString(e, f.token)
}

export function readHello(d: decoding.Decoder): HelloFrame {
  const version = decoding.readVarUint(d)
  const token = decoding.readVarString(d)
  expect(token.length <= ProtocolLimits.maxTokenLength, 'token too long')
  return { type: 'hello', version, token }
}
