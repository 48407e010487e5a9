import * as v from 'valibot'

/** HTTP request bodies, validated by the relay and typed for the client. */
export const EMAIL_PATTERN = /^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]{1,63}$/

const email = v.pipe(v.string(), v.trim(), v.toLowerCase(), v.maxLength(320), v.regex(EMAIL_PATTERN, 'Enter a valid email address'))

export const AuthStartBody = v.object({ email })
export type AuthStartBody = v.InferOutput<typeof AuthStartBody>

export const AuthVerifyBody = v.object({
  email,
  code: v.pipe(v.string(), v.trim(), v.regex(/^\d{6}$/, 'The code has 6 digits')),
})
export type AuthVerifyBody = v.InferOutput<typeof AuthVerifyBody>

export interface AuthStartResponse {
  ok: true
  /** Demo mode only: the code, so the demo and the tests can sign in without email. */
  devCode?: string
}
export interface AuthVerifyResponse {
  token: string
  userId: string
  workspaceId: string
  /** The account's workspace role, so the device can shape the UI (a guest manages nothing). */
  role: 'member' | 'admin' | 'guest'
  /** The account's display name. */
  name: string
  /** Holder of the "can modify presence" permission: may set colleagues' presence. */
  canModifyPresence: boolean
}
export interface DemoAccount {
  name: string
  email: string
}
/** Every error body of the HTTP API. */
export interface ApiError {
  reason: string
  message: string
}
