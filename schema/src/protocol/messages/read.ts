import * as decoding from 'lib0/decoding'
import { Reason, WaggleError, isReason, type Reason as ReasonCode } from '../../errors.ts'
import { isDocName, type DocName } from '../../docNames.ts'
import { ProtocolLimits } from '../version.ts'

/** Shared readers for frame fields; each one validates what it reads. */
export function expect(condition: boolean, what: string): asserts condition {
  if (!condition) throw new WaggleError(Reason.malformedFrame, `Malformed frame: ${what}`)
}

export function readDocName(d: decoding.Decoder): DocName {
  const name = decoding.readVarString(d)
  if (!isDocName(name)) throw new WaggleError(Reason.invalidDocName, `Not a document name: ${JSON.stringify(name.slice(0, 100))}`)
  return name
}

export function readReason(d: decoding.Decoder): ReasonCode {
  const reason = decoding.readVarString(d)
  return isReason(reason) ? reason : Reason.internal
}

export function readReasonMessage(d: decoding.Decoder): string {
  return decoding.readVarString(d).slice(0, ProtocolLimits.maxReasonMessageLength)
}
