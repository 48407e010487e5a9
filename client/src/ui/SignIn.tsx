import { For, Show, createResource, createSignal, type JSX } from 'solid-js'
import { demoAccounts, startSignIn, verifySignIn, type Session } from '../api/auth.ts'
import { Logo } from './Logo.tsx'
import './signin.css'

/** Email, then code. In demo mode the demo accounts are offered and the code is filled in. */
export function SignIn(props: { onSignedIn: (s: Session) => void }): JSX.Element {
  const [email, setEmail] = createSignal('')
  const [code, setCode] = createSignal('')
  const [step, setStep] = createSignal<'email' | 'code'>('email')
  const [error, setError] = createSignal<string | null>(null)
  const [busy, setBusy] = createSignal(false)
  const [demo] = createResource(demoAccounts)

  async function run(task: () => Promise<void>): Promise<void> {
    setBusy(true)
    setError(null)
    try {
      await task()
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err))
    } finally {
      setBusy(false)
    }
  }

  const requestCode = (address: string) => run(async () => {
    setEmail(address)
    const r = await startSignIn(address)
    if (r.devCode !== undefined) setCode(r.devCode)
    setStep('code')
  })

  const submit = (e: SubmitEvent) => {
    e.preventDefault()
    if (step() === 'email') void requestCode(email())
    else void run(async () => props.onSignedIn(await verifySignIn(email(), code())))
  }

  return (
    <main class="signin">
      <div class="signin-card">
        <div class="signin-brand">
          <Logo size={40} />
          <h1>Sign in to Waggle</h1>
          <p>{step() === 'email' ? 'We will email you a one-time code.' : `Enter the code we sent to ${email()}.`}</p>
        </div>
        <form class="signin-form" onSubmit={submit} aria-busy={busy()}>
          <label class="field">
            <span>Email</span>
            <input type="email" name="email" autocomplete="email" required value={email()} onInput={(e) => setEmail(e.currentTarget.value)} />
          </label>
          <Show when={step() === 'code'}>
            <label class="field">
              <span>Code</span>
              <input inputmode="numeric" name="code" autocomplete="one-time-code" pattern="[0-9]{6}" required value={code()} onInput={(e) => setCode(e.currentTarget.value)} />
            </label>
          </Show>
          <button type="submit" class="button button-primary signin-submit" disabled={busy()}>{step() === 'email' ? 'Send code' : 'Sign in'}</button>
          <Show when={error()}>{(m) => <p role="alert" class="form-error">{m()}</p>}</Show>
          <Show when={(demo() ?? []).length > 0 && step() === 'email'}>
            <fieldset class="demo-accounts">
              <legend>Demo accounts</legend>
              <For each={demo()}>{(a) => <button type="button" class="button" disabled={busy()} onClick={() => void requestCode(a.email)}>{a.name}</button>}</For>
            </fieldset>
          </Show>
        </form>
      </div>
    </main>
  )
}
