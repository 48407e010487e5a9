import { Show, createEffect, onCleanup, type JSX } from 'solid-js'
import { serviceWorker } from '../pwa/registerServiceWorker.ts'
import '../pwa/updatePrompt.css'

/** How long the "ready to work offline" notice stays unless dismissed earlier. */
const OFFLINE_READY_MS = 8_000

/**
 * The service worker's notices: "a new version is available" (stays until the user picks
 * "Reload" or "Later"; code is never swapped under an open tab) and a one-time "ready to work
 * offline". Both are polite live regions that exist before their text appears, so screen
 * readers announce it; neither takes the focus.
 */
export function UpdatePrompt(): JSX.Element {
  createEffect(() => {
    if (!serviceWorker.offlineReady()) return
    const timer = setTimeout(() => serviceWorker.dismissOfflineReady(), OFFLINE_READY_MS)
    onCleanup(() => clearTimeout(timer))
  })
  return (
    <div class="pwa-notices">
      <div class="pwa-notice" role="status" aria-live="polite">
        <Show when={serviceWorker.needRefresh()}>
          <p>A new version of Waggle is available.</p>
          <div class="pwa-actions">
            <button type="button" class="button button-primary button-small" onClick={() => void serviceWorker.update()}>Reload</button>
            <button type="button" class="button button-small" onClick={() => serviceWorker.dismissNeedRefresh()}>Later</button>
          </div>
        </Show>
      </div>
      <div class="pwa-notice" role="status" aria-live="polite">
        <Show when={serviceWorker.offlineReady() && !serviceWorker.needRefresh()}>
          <p>Waggle is ready to work offline.</p>
          <div class="pwa-actions">
            <button type="button" class="button button-ghost button-small" onClick={() => serviceWorker.dismissOfflineReady()}>Dismiss</button>
          </div>
        </Show>
      </div>
    </div>
  )
}
