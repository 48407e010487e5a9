import type { AuthStartResponse, AuthVerifyResponse } from '@waggle/schema'
import type { HarnessSession } from '../harness/api.ts'

async function postJson<T>(url: string, body: unknown): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  if (!res.ok) throw new Error(`POST ${url} answered ${res.status}: ${await res.text()}`)
  return (await res.json()) as T
}

/**
 * Signs in over the relay's HTTP API from Node with the demo-mode code (the same two calls the
 * app's sign-in screen makes); the session is then handed to a page through `harness.start`.
 */
export async function signIn(relayUrl: string, email: string): Promise<HarnessSession> {
  const started = await postJson<AuthStartResponse>(`${relayUrl}/api/auth/email/start`, { email })
  if (started.devCode === undefined) throw new Error('No devCode: is the relay in demo mode?')
  const { token, userId, workspaceId } = await postJson<AuthVerifyResponse>(`${relayUrl}/api/auth/email/verify`, { email, code: started.devCode })
  if (token.length === 0) throw new Error(`Sign-in of ${email} returned no token`)
  return { token, userId, workspaceId }
}
