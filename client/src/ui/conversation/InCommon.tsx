import type { UserId } from '@waggle/schema'
import { A } from '@solidjs/router'
import { For, Show, type JSX } from 'solid-js'
import { useApp } from '../context.ts'

/**
 * "Conversations in common" with the other person of a direct conversation: the groups both
 * are in, each a link. Renders nothing when there are none.
 */
export function InCommon(props: { peer: UserId }): JSX.Element {
  const { model } = useApp()
  const groups = model.conversationsInCommon(props.peer)
  return (
    <Show when={groups().length > 0}>
      <section class="in-common" aria-label="Conversations in common">
        <span class="in-common-label">In common:</span>
        <ul>
          <For each={groups()}>{(g) => <li><A href={`/c/${g.conv}`}>{g.title}</A></li>}</For>
        </ul>
      </section>
    </Show>
  )
}
