import type { ApiError, AuthStartResponse, AuthVerifyResponse, DemoAccount } from '@waggle/schema'

/** A signed-in session as kept on the device (survives reload and works offline). */
export interface Session {
  token: string
  userId: string
  workspaceId: string
  email: string
  /** Absent in sessions stored before the relay reported it: treated as a member. */
  role?: 'member' | 'admin' | 'guest'
  /** The "can modify presence" permission (absent in older stored sessions: false). */
  canModifyPresence?: boolean
}

const SESSION_KEY = 'waggle:session'

export class ApiRequestError extends Error {
  override readonly name = 'ApiRequestError'
  constructor(readonly reason: string, message: string) {
    super(message)
  }
}

async function post<T>(path: string, body: unknown): Promise<T> {
  let res: Response
  try {
    res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  } catch {
    throw new ApiRequestError('offline', 'Cannot reach the server. Check your connection and try again.')
  }
  const json = (await res.json().catch(() => null)) as unknown
  if (!res.ok) {
    const err = json as Partial<ApiError> | null
    throw new ApiRequestError(err?.reason ?? 'internal', err?.message ?? `Request failed (${res.status})`)
  }
  return json as T
}

export const startSignIn = (email: string) => post<AuthStartResponse>('/api/auth/email/start', { email })

export async function verifySignIn(email: string, code: string): Promise<Session> {
  const r = await post<AuthVerifyResponse>('/api/auth/email/verify', { email, code })
  const session: Session = { token: r.token, userId: r.userId, workspaceId: r.workspaceId, email, role: r.role, canModifyPresence: r.canModifyPresence }
  localStorage.setItem(SESSION_KEY, JSON.stringify(session))
  return session
}

export async function demoAccounts(): Promise<DemoAccount[]> {
  try {
    const res = await fetch('/api/demo')
    return res.ok ? ((await res.json()) as DemoAccount[]) : []
  } catch {
    return []
  }
}

export function storedSession(): Session | null {
  try {
    const raw = localStorage.getItem(SESSION_KEY)
    return raw === null ? null : (JSON.parse(raw) as Session)
  } catch {
    return null
  }
}

export function forgetSession(): void {
  localStorage.removeItem(SESSION_KEY)
}
