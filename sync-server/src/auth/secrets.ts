import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto'

/** A 6-digit sign-in code, uniformly random. */
export const newCode = (): string => String(randomInt(0, 1_000_000)).padStart(6, '0')

/** A bearer token: 256 random bits, base64url. */
export const newToken = (): string => randomBytes(32).toString('base64url')

export const newSalt = (): string => randomBytes(16).toString('hex')

/** Tokens are stored only as their SHA-256 (they are long and random, so no salt is needed). */
export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex')

/** Codes are short, so each is hashed with its own salt. */
export const hashCode = (code: string, salt: string): string => createHash('sha256').update(`${salt}:${code}`).digest('hex')

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex')
  const y = Buffer.from(b, 'hex')
  return x.length === y.length && timingSafeEqual(x, y)
}
