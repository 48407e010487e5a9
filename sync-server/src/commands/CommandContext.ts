import type { Reason } from '@waggle/schema'
import type { InboxProjector } from '../projection/InboxProjector.ts'
import type { DocHub } from '../relay/DocHub.ts'
import type { AccountStore } from '../storage/AccountStore.ts'

/** What command handlers may use: the relay's stores, its hub and its inbox projection. */
export interface CommandContext {
  accounts: AccountStore
  hub: DocHub
  projector: Pick<InboxProjector, 'refresh'>
  now: () => number
}

/**
 * A handler's decision. A rejection is an answer, stored and repeated to every retry; a thrown
 * error is a failure to answer (nothing is stored, the client tries again later).
 */
export type Outcome = { status: 'accepted' } | { status: 'rejected'; reason: Reason; message: string }

export const accepted: Outcome = { status: 'accepted' }

export const rejected = (reason: Reason, message: string): Outcome => ({ status: 'rejected', reason, message })
