import { Show, createSignal, type JSX } from 'solid-js'
import { useApp } from '../context.ts'
import { Dialog } from '../Dialog.tsx'

/** Confirms sign-out and asks whether this account's data should also leave this device. */
export function SignOutDialog(props: { email: string; onClose: () => void }): JSX.Element {
  const app = useApp()
  const [clear, setClear] = createSignal(false)
  const [busy, setBusy] = createSignal(false)
  const [error, setError] = createSignal<string | null>(null)

  async function signOut(): Promise<void> {
    setBusy(true)
    setError(null)
    try {
      await app.signOut({ clearLocalData: clear() })
    } catch (err) {
      console.error('Sign-out failed', err)
      setError(err instanceof Error ? err.message : String(err))
      setBusy(false)
    }
  }

  return (
    <Dialog title="Sign out of Waggle?" onClose={() => props.onClose()} class="dialog-narrow">
      {(close) => (
        <form class="dialog-form" method="dialog" aria-busy={busy()} onSubmit={(e) => { e.preventDefault(); void signOut() }}>
          <p>You are signed in as <strong>{props.email}</strong>.</p>
          <label class="check">
            <input type="checkbox" checked={clear()} onChange={(e) => setClear(e.currentTarget.checked)} />
            <span>Also remove my data from this device</span>
          </label>
          <p class="hint">
            {clear()
              ? 'Your conversations and any changes not yet sent are deleted from this browser.'
              : 'Your conversations stay on this device for the next time you sign in here.'}
          </p>
          <Show when={error()}>{(m) => <p role="alert" class="form-error">{m()}</p>}</Show>
          <div class="dialog-actions">
            <button type="button" class="button" onClick={close}>Cancel</button>
            <button type="submit" class="button button-primary" disabled={busy()} autofocus>Sign out</button>
          </div>
        </form>
      )}
    </Dialog>
  )
}
