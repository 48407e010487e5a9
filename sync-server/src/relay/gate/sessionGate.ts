import type { UpdateLimits } from '@waggle/schema'
import type { ServerConfig } from '../../config.ts'

export { rateLimiterOf } from './WriteRateLimiter.ts'

/** The decoding bounds of client updates from the relay's configuration. */
export function updateLimitsOf(config: Pick<ServerConfig, 'maxUpdateBytes' | 'maxUpdateStructs' | 'maxValueDepth' | 'maxValueSize'>): UpdateLimits {
  return { maxBytes: config.maxUpdateBytes, maxStructs: config.maxUpdateStructs, maxValueDepth: config.maxValueDepth, maxValueSize: config.maxValueSize }
}
