import { useNavigate, useParams } from '@solidjs/router'
import { Show, createSignal, onMount, type JSX } from 'solid-js'
import { useApp } from '../../context.ts'

/** `/join/:token`: joins the group the link is for, then opens it (needs the relay: the token is resolved there). */
export function JoinRoute(): JSX.Element {
  const { model } = useApp()
  const params = useParams<{ token: string }>()
  const navigate = useNavigate()
  const [error, setError] = createSignal<string | null>(null)
  onMount(() => {
    model.groups.joinByLink(params.token).then(
      (conv) => navigate(`/c/${conv}`, { replace: true }),
      (err: unknown) => setError(err instanceof Error ? err.message : String(err)),
    )
  })
  return (
    <section class="no-conversation" aria-live="polite">
      <Show when={error()} fallback={<p>Joining the conversation…</p>}>{(e) => <p role="alert">{e()}</p>}</Show>
    </section>
  )
}
