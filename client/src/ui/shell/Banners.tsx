import { Show, createSignal, type JSX } from 'solid-js'
import { useApp } from '../context.ts'

const DISMISSED_KEY = 'waggle:persistence-note-dismissed'

function readDismissed(): boolean {
  try {
    return localStorage.getItem(DISMISSED_KEY) === '1'
  } catch {
    return false
  }
}

/** Conditions that need the person: the sync problem (as an alert) and unpersisted storage. */
export function Banners(): JSX.Element {
  const app = useApp()
  const status = app.model.status
  const [dismissed, setDismissed] = createSignal(readDismissed())

  function dismiss(): void {
    setDismissed(true)
    try {
      localStorage.setItem(DISMISSED_KEY, '1')
    } catch (err) {
      console.warn('Could not remember the dismissed storage note', err)
    }
  }

  // The server already ended the session, so there is nothing to sign out of there: leave locally.
  const signInAgain = (): void => app.leave()

  return (
    <>
      <Show when={status().detail}>
        {(detail) => (
          <div role="alert" class="banner banner-error">
            <span>{detail()}</span>
            <Show when={status().problem === 'unauthorized'}>
              <button type="button" class="button button-small" onClick={signInAgain}>Sign in again</button>
            </Show>
            <Show when={status().problem === 'client-too-old'}>
              <button type="button" class="button button-small" onClick={() => location.reload()}>Reload</button>
            </Show>
          </div>
        )}
      </Show>
      <Show when={app.model.persisted() === false && !dismissed()}>
        <div class="banner banner-note" role="note">
          <span>This browser may clear Waggle’s offline data when storage runs low.</span>
          <button type="button" class="button button-small button-ghost" onClick={dismiss}>Dismiss</button>
        </div>
      </Show>
    </>
  )
}
