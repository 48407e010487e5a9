import { createSignal, onCleanup, type Accessor, type Setter } from 'solid-js'
import { storedSession, type Session } from '../api/auth.ts'

/**
 * The session of this tab, following other tabs: signing out in one tab (which removes the
 * stored session and fires a `storage` event here) signs this tab out too, and signing in
 * elsewhere picks the new session up.
 */
export function createSession(): [Accessor<Session | null>, Setter<Session | null>] {
  const [session, setSession] = createSignal<Session | null>(storedSession())
  const onStorage = (e: StorageEvent): void => {
    if (e.storageArea !== localStorage) return
    const stored = storedSession()
    if (stored?.token !== session()?.token) setSession(stored)
  }
  window.addEventListener('storage', onStorage)
  onCleanup(() => window.removeEventListener('storage', onStorage))
  return [session, setSession]
}
