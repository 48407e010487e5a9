import { createContext, createSignal, onCleanup, useContext, type Accessor } from 'solid-js'
import type { AppModel } from '../bind/model.ts'

/** What the signed-in screens share: the model and a clock for relative labels (drafts live in the model). */
export interface AppContextValue {
  model: AppModel
  /** The current time, refreshed every minute so "Today" and clock labels stay right. */
  now: Accessor<number>
  /** Signs out through the model, then leaves the workspace. */
  signOut(options: { clearLocalData: boolean }): Promise<void>
  /** Leaves the workspace without asking the server (the session already ended there). */
  leave(): void
}

export const AppContext = createContext<AppContextValue>()

/** The signed-in app's context; only valid under the workspace shell. */
export function useApp(): AppContextValue {
  const value = useContext(AppContext)
  if (value === undefined) throw new Error('useApp() outside the signed-in shell')
  return value
}

/** A clock signal that ticks every `ms` milliseconds while the owner lives. */
export function createNow(ms = 60_000): Accessor<number> {
  const [now, setNow] = createSignal(Date.now())
  const timer = setInterval(() => setNow(Date.now()), ms)
  onCleanup(() => clearInterval(timer))
  return now
}
