import { Show, createSignal, onCleanup, type JSX } from 'solid-js'
import { forgetSession, storedSession, type Session } from '../api/auth.ts'
import { createSyncStatus, makeSyncClient } from '../bind/sync.ts'
import { SignIn } from './SignIn.tsx'

/** The shell: sign-in, then the signed-in view (the inbox and conversations come next). */
export function App(): JSX.Element {
  const [session, setSession] = createSignal<Session | null>(storedSession())
  return (
    <main class="shell">
      <h1>Waggle</h1>
      <Show when={session()} fallback={<SignIn onSignedIn={setSession} />}>
        {(s) => <SignedIn session={s()} onSignOut={() => { forgetSession(); setSession(null) }} />}
      </Show>
    </main>
  )
}

const stateText = { offline: 'Offline', connecting: 'Connecting…', syncing: 'Syncing…', synced: 'Synced' } as const

function SignedIn(props: { session: Session; onSignOut: () => void }): JSX.Element {
  const client = makeSyncClient(props.session)
  onCleanup(() => client.close())
  const status = createSyncStatus(client)
  return (
    <section aria-labelledby="who">
      <h2 id="who">Signed in as {props.session.email}</h2>
      <p role="status" aria-live="polite" class={`sync sync-${status().state}`}>
        {stateText[status().state]}
        <Show when={status().pending > 0}> · {status().pending} change(s) waiting to be sent</Show>
      </p>
      <Show when={status().detail}>{(d) => <p role="alert">{d()}</p>}</Show>
      <p>Your conversations appear here in the next release of the app.</p>
      <button type="button" onClick={() => props.onSignOut()}>Sign out</button>
    </section>
  )
}
