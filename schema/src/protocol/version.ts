/**
 * Wire protocol version. Bump on any incompatible change and say what changed here.
 *
 * History:
 * - 1 (2026-11): hello/welcome handshake; y-protocols sync and awareness inside frames that
 *   name the document; acknowledged updates (update/ack/reject); access and error frames.
 */
export const PROTOCOL_VERSION = 1
/** The oldest client version this relay still serves. */
export const MIN_CLIENT_PROTOCOL_VERSION = 1

/** WebSocket close codes (4000-4999 are for applications, RFC 6455 §7.4.2). */
export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  tooLarge: 1009,
  unauthorized: 4001,
  forbidden: 4003,
  helloTimeout: 4008,
  clientTooOld: 4010,
  serverTooOld: 4011,
  malformed: 4400,
  sendQueueFull: 4429,
  rateLimited: 4430,
} as const
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode]

/** Limits the relay enforces on every frame; clients keep under them. */
export const ProtocolLimits = {
  maxFrameBytes: 4 * 1024 * 1024,
  maxTokenLength: 512,
  maxReasonMessageLength: 500,
  maxDocsPerConnection: 5000,
} as const
