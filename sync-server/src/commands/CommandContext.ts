import type { ConvId, Reason } from '@waggle/schema'
import type { InboxProjector } from '../projection/InboxProjector.ts'
import type { AccessEvents } from '../relay/AccessEvents.ts'
import type { DocHub } from '../relay/DocHub.ts'
import type { AccountStore } from '../storage/AccountStore.ts'

/** What command handlers may use: the relay's stores, its hub and its inbox projection. */
export interface CommandContext {
  accounts: AccountStore
  hub: DocHub
  projector: Pick<InboxProjector, 'refresh'>
  now: () => number
  /** Told after a command took access away from members, so their subscriptions are re-checked. */
  access: AccessEvents
}

/**
 * A handler's decision. A rejection is an answer, stored and repeated to every retry; a thrown
 * error is a failure to answer (nothing is stored, the client tries again later).
 */
export type Outcome = { status: 'accepted'; conv?: ConvId } | { status: 'rejected'; reason: Reason; message: string }

export const accepted: Outcome = { status: 'accepted' }

export const rejected = (reason: Reason, message: string): Outcome => ({ status: 'rejected', reason, message })
