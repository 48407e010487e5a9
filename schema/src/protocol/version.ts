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

/**
 * WebSocket close codes (4000-4999 are for applications, RFC 6455 §7.4.2). Like y-websocket's
 * client, 4400-4499 mirror HTTP 4xx (reconnecting will not help) and 4500-4599 mean "try again".
 */
export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  internal: 1011,
  malformed: 4400,
  unauthorized: 4401,
  forbidden: 4403,
  helloTimeout: 4408,
  tooLarge: 4413,
  clientTooOld: 4426,
  sendQueueFull: 4503,
  serverTooOld: 4505,
  rateLimited: 4529,
} as const
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode]

/** Limits the relay enforces on every frame; clients keep under them. */
export const ProtocolLimits = {
  maxFrameBytes: 4 * 1024 * 1024,
  maxTokenLength: 512,
  maxReasonMessageLength: 500,
  maxDocsPerConnection: 5000,
} as const
