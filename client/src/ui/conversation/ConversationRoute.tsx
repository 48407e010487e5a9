import { isId, type ConvId } from '@waggle/schema'
import { Navigate, useParams, useSearchParams } from '@solidjs/router'
import { Show, type JSX } from 'solid-js'
import { ConversationView } from './ConversationView.tsx'

/**
 * `/c/:conv`: one conversation view per id (a new id opens a new view); a malformed id goes home.
 * `?m=<message>` (a search result) jumps to that message; the parameter is dropped once it is
 * handled, so opening the same result again jumps again.
 */
export function ConversationRoute(): JSX.Element {
  const params = useParams()
  const [search, setSearch] = useSearchParams()
  const conv = (): ConvId | null => {
    const id = params['conv']
    return isId(id) ? (id as ConvId) : null
  }
  const target = (): string | null => {
    const m = search['m']
    return typeof m === 'string' && m !== '' ? m : null
  }
  return (
    <Show when={conv()} keyed fallback={<Navigate href="/" />}>
      {(id) => <ConversationView conv={id} target={target()} onTargetHandled={() => setSearch({ m: undefined }, { replace: true })} />}
    </Show>
  )
}
