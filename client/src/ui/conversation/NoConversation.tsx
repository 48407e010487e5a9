import type { JSX } from 'solid-js'
import { Logo } from '../Logo.tsx'

/** The conversation pane at `/` (seen beside the inbox on wide screens). */
export function NoConversation(): JSX.Element {
  return (
    <div class="no-conversation">
      <Logo size={56} />
      <h2>Pick a conversation</h2>
      <p>Choose one from the list, or start a new one. Everything you write works offline and is sent when you are back online.</p>
    </div>
  )
}
