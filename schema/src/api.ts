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

const idString = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/, 'Not an id'))
const segmentNumber = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(999_999))

/** A search query as people type it: at most this many characters. */
export const SEARCH_QUERY_MAX = 200

/**
 * `POST /api/search`: messages found by the relay in segments the device does not hold
 * (issue 6). The device lists the segments it searches itself; the relay leaves them out and
 * searches only what the session may read (hidden history included).
 */
export const RelaySearchBody = v.object({
  q: v.pipe(v.string(), v.trim(), v.minLength(1, 'Type something to search for'), v.maxLength(SEARCH_QUERY_MAX, `A search is at most ${SEARCH_QUERY_MAX} characters`)),
  limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100)), 30),
  offset: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(10_000)), 0),
  local: v.optional(v.pipe(v.array(v.object({ conv: idString, segs: v.pipe(v.array(segmentNumber), v.maxLength(1000)) })), v.maxLength(5000)), []),
})
export type RelaySearchBody = v.InferOutput<typeof RelaySearchBody>

/** One message the relay found; the device highlights it itself. */
export interface RelaySearchHit {
  conv: string
  seg: number
  id: string
  author: string
  time: number
  text: string
}
export interface RelaySearchResponse {
  /** Newest first. */
  hits: RelaySearchHit[]
  /** More hits past `offset + limit`. */
  more: boolean
}

const optionalText = (max: number) => v.optional(v.pipe(v.string(), v.trim(), v.maxLength(max)))

/** `PUT /api/contacts/:id`: a new contact in the workspace phonebook (the id is made on the device, so a retry is harmless). */
export const CreateContactBody = v.object({
  name: v.pipe(v.string(), v.trim(), v.minLength(1, 'A contact needs a name'), v.maxLength(200)),
  phones: v.pipe(v.array(v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(40), v.regex(/^\+?[0-9 ()./-]{1,40}$/, 'A phone number has digits, spaces and an optional leading +'))), v.minLength(1, 'A contact needs a phone number'), v.maxLength(5)),
  email: v.optional(email),
  company: optionalText(200),
})
export type CreateContactBody = v.InferOutput<typeof CreateContactBody>
export interface CreateContactResponse {
  id: string
}
