import type { Logger, ServerConfig } from '../config.ts'
import type { AuthService } from '../auth/AuthService.ts'
import type { AccountStore } from '../storage/AccountStore.ts'
import type { AccessEvents } from './AccessEvents.ts'
import type { DocHub } from './DocHub.ts'
import type { FrameCache } from './FrameCache.ts'

/** What every connection of one relay instance shares (passed in, never module state). */
export interface RelayContext {
  config: ServerConfig
  logger: Logger
  hub: DocHub
  auth: AuthService
  accounts: AccountStore
  /** Membership changes: connections re-check their subscriptions to the conversation. */
  access: AccessEvents
  connections: Set<{ close(code: number, reason: string): void }>
  /** Frames encoded once for many connections. */
  frames: FrameCache
}
