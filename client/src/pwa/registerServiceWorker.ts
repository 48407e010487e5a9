import { createSignal, type Accessor } from 'solid-js'
import { registerSW } from 'virtual:pwa-register'

/** How often an open app asks the server for a new service worker (besides each page load). */
const UPDATE_CHECK_MS = 60 * 60 * 1000

/**
 * The service worker as the UI sees it (ARCHITECTURE section 5): a new version never replaces
 * the code of an open tab on its own; `needRefresh` turns true and the user chooses `update()`.
 */
export interface ServiceWorkerState {
  /** A new version is installed and waiting for the user's "Reload". */
  readonly needRefresh: Accessor<boolean>
  /** The app shell was cached for the first time: the app now opens without a network. */
  readonly offlineReady: Accessor<boolean>
  /** Activates the waiting version and reloads this tab under it. */
  update(): Promise<void>
  /** "Later": hides the prompt; the new version waits (it starts once every tab is closed). */
  dismissNeedRefresh(): void
  dismissOfflineReady(): void
}

const [needRefresh, setNeedRefresh] = createSignal(false)
const [offlineReady, setOfflineReady] = createSignal(false)
let activateWaiting: (() => Promise<void>) | null = null
let reloading = false

function reload(): void {
  if (reloading) return
  reloading = true
  window.location.reload()
}

/**
 * Once a new version waits, the next controller change means it was activated (by "Reload" here
 * or in another tab of the app): this tab reloads, so it never runs old code against the new
 * worker's cache. The plugin's own reload covers only pages loaded under an older worker.
 */
function reloadOnControllerChange(): void {
  navigator.serviceWorker.addEventListener('controllerchange', reload, { once: true })
}

export const serviceWorker: ServiceWorkerState = {
  needRefresh,
  offlineReady,
  async update() {
    if (activateWaiting === null) return
    reloadOnControllerChange()
    await activateWaiting()
  },
  dismissNeedRefresh: () => setNeedRefresh(false),
  dismissOfflineReady: () => setOfflineReady(false),
}

/**
 * Registers the service worker of the build (`sw.js`, made by vite-plugin-pwa; nothing happens
 * in the dev server) and checks for a new version hourly while online. Call once, from main.tsx.
 */
export function registerServiceWorker(): void {
  if (activateWaiting !== null || !('serviceWorker' in navigator)) return
  activateWaiting = registerSW({
    onNeedRefresh() {
      reloadOnControllerChange()
      setNeedRefresh(true)
    },
    onOfflineReady: () => setOfflineReady(true),
    onNeedReload: reload,
    onRegisteredSW(_url, registration) {
      if (registration === undefined) return
      setInterval(() => {
        if (navigator.onLine) registration.update().catch(() => undefined)
      }, UPDATE_CHECK_MS)
    },
    onRegisterError: (error: unknown) => console.error('Service worker registration failed', error),
  })
}
