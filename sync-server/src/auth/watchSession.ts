import type { AuthService, Session } from './AuthService.ts'

/** setTimeout takes at most 2^31 - 1 ms (about 24.8 days); sessions last 30 days. */
const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * Calls `onEnd` once when `session` ends while a connection uses it: at its expiry (a timer on
 * the relay's clock, re-armed in steps past setTimeout's limit) or when it is signed out (an
 * event from {@link AuthService}). Returns a function that stops watching (call it on close).
 */
export function watchSession(auth: AuthService, session: Session, onEnd: (message: string) => void): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null
  let stopped = false
  const stop = (): void => {
    stopped = true
    if (timer !== null) clearTimeout(timer)
    timer = null
    stopEvents()
  }
  const end = (message: string): void => {
    if (stopped) return
    stop()
    onEnd(message)
  }
  const arm = (): void => {
    if (stopped) return
    // The session is refused once `now > expiresAt` (AuthService.session), so end just past it.
    const left = session.expiresAt - auth.now() + 1
    if (left <= 0) return end('Your session has expired; sign in again')
    timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS))
  }
  const stopEvents = auth.onSessionEnded((key) => {
    if (key === session.key) end('You signed out; sign in again')
  })
  arm()
  return stop
}
