/**
 * Branded identifiers. Every id is made where the thing is made (often on a device, offline),
 * so ids are random and, where order matters (messages), time-sortable like ULIDs.
 */
declare const brand: unique symbol
export type Brand<T, B extends string> = T & { readonly [brand]: B }

export type UserId = Brand<string, 'UserId'>
export type WorkspaceId = Brand<string, 'WorkspaceId'>
export type ConvId = Brand<string, 'ConvId'>
export type MessageId = Brand<string, 'MessageId'>
export type ServiceId = Brand<string, 'ServiceId'>
export type ContactId = Brand<string, 'ContactId'>
export type CommandId = Brand<string, 'CommandId'>

/** Ids are URL- and document-name-safe: letters, digits, `_` and `-`, 1 to 64 characters. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/

export function isId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value)
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
let lastTime = -1
let lastRandom: number[] = []

function randomDigits(count: number): number[] {
  const bytes = new Uint8Array(count)
  crypto.getRandomValues(bytes)
  return Array.from(bytes, (b) => b & 31)
}

/**
 * A 26-character, lexicographically time-sortable id (ULID layout: 10 characters of
 * millisecond time, 16 of randomness). Ids made in the same millisecond by this process
 * increase monotonically, so messages sent in a burst keep their order.
 */
export function timeSortableId(now: number = Date.now()): string {
  let random: number[]
  if (now === lastTime && lastRandom.length === 16) {
    random = [...lastRandom]
    for (let i = 15; i >= 0; i--) {
      const digit = random[i] ?? 0
      if (digit < 31) {
        random[i] = digit + 1
        break
      }
      random[i] = 0
    }
  } else {
    random = randomDigits(16)
  }
  lastTime = now
  lastRandom = random
  let time = ''
  let t = now
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD.charAt(t % 32) + time
    t = Math.floor(t / 32)
  }
  return time + random.map((d) => CROCKFORD.charAt(d)).join('')
}

/** Milliseconds since the epoch encoded in a {@link timeSortableId}. */
export function timeOfId(id: string): number {
  let t = 0
  for (const ch of id.slice(0, 10)) t = t * 32 + CROCKFORD.indexOf(ch)
  return t
}

/** A random id of 22 base64url characters (128 bits), for things whose order does not matter. */
export function randomId(): string {
  const bytes = new Uint8Array(16)
  crypto.getRandomValues(bytes)
  let s = ''
  for (const b of bytes) s += String.fromCharCode(b)
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

export const newMessageId = (now?: number): MessageId => timeSortableId(now) as MessageId
export const newConvId = (): ConvId => timeSortableId() as ConvId
export const newCommandId = (): CommandId => timeSortableId() as CommandId
