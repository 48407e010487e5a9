import { isId, type ConvId } from '@waggle/schema'
import { Navigate, useParams } from '@solidjs/router'
import { Show, type JSX } from 'solid-js'
import { ConversationView } from './ConversationView.tsx'

/** `/c/:conv`: one conversation view per id (a new id opens a new view); a malformed id goes home. */
export function ConversationRoute(): JSX.Element {
  const params = useParams()
  const conv = (): ConvId | null => {
    const id = params['conv']
    return isId(id) ? (id as ConvId) : null
  }
  return (
    <Show when={conv()} keyed fallback={<Navigate href="/" />}>
      {(id) => <ConversationView conv={id} />}
    </Show>
  )
}
