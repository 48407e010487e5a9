import { For, Show, type JSX } from 'solid-js'
import type { ConversationModel, MessageItem } from '../../bind/model.ts'

/** The emoji the picker offers. */
export const COMMON_EMOJI = ['👍', '❤️', '😂', '😮', '😢', '🎉', '🙏', '👀'] as const

const logError = (what: string) => (err: unknown): void => console.error(what, err)

function toggle(c: ConversationModel, id: MessageItem['id'], emoji: string): void {
  try {
    c.toggleReaction(id, emoji)
  } catch (err) {
    logError('Could not react')(err)
  }
}

/** Chips under a message: emoji and count, pressed when mine; who reacted in the title. */
export function ReactionChips(props: { message: MessageItem; conversation: ConversationModel }): JSX.Element {
  const list = () => props.conversation.reactions().get(props.message.id) ?? []
  return (
    <Show when={list().length > 0 && !props.message.deleted}>
      <div class="reactions" role="group" aria-label="Reactions">
        <For each={list()}>
          {(r) => (
            <button type="button" class="reaction-chip" classList={{ 'reaction-mine': r.mine }} aria-pressed={r.mine}
              title={r.names.length === 0 ? `Reacted with ${r.emoji}` : `Reacted with ${r.emoji}: ${r.names.join(', ')}`} onClick={() => toggle(props.conversation, props.message.id, r.emoji)}>
              {r.emoji} {r.count}
            </button>
          )}
        </For>
      </div>
    </Show>
  )
}

/** The picker's grid of emoji buttons (inside the "Add reaction" dialog). */
export function EmojiPicker(props: { onPick: (emoji: string) => void }): JSX.Element {
  return (
    <div class="emoji-picker" role="group" aria-label="Emoji">
      <For each={COMMON_EMOJI}>
        {(emoji) => <button type="button" class="emoji-button" aria-label={emoji} onClick={() => props.onPick(emoji)}>{emoji}</button>}
      </For>
    </div>
  )
}

export { toggle as toggleReaction }
