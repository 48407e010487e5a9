import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { ID_PATTERN, type UserId, type WorkspaceId } from '../../ids.ts'
import { FrameType } from '../frameType.ts'
import { expect } from './read.ts'

/** Relay to client after a valid hello: who the session is. */
export interface WelcomeFrame {
  type: 'welcome'
  version: number
  userId: UserId
  workspaceId: WorkspaceId
}

export function writeWelcome(e: encoding.Encoder, f: WelcomeFrame): void {
  encoding.writeVarUint(e, FrameType.welcome)
  encoding.writeVarUint(e, f.version)
  encoding.writeVarString(e, f.userId)
  encoding.writeVarString(e, f.workspaceId)
}

export function readWelcome(d: decoding.Decoder): WelcomeFrame {
  const version = decoding.readVarUint(d)
  const userId = decoding.readVarString(d)
  const workspaceId = decoding.readVarString(d)
  expect(ID_PATTERN.test(userId) && ID_PATTERN.test(workspaceId), 'ids')
  return { type: 'welcome', version, userId: userId as UserId, workspaceId: workspaceId as WorkspaceId }
}
