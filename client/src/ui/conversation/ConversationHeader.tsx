import { A } from '@solidjs/router'
import { Show, onMount, type JSX } from 'solid-js'
import type { ConversationModel } from '../../bind/model.ts'
import { Avatar } from '../Avatar.tsx'
import { useApp } from '../context.ts'
import { PresenceAvatar, StatusLine, usePresence } from '../Presence.tsx'
import { InCommon } from './InCommon.tsx'
import { GroupInfoButton } from './groups/GroupInfoPanel.tsx'

/**
 * Avatar, title and who is in it (in a direct conversation: the other person's presence, status
 * line and "Online" / "Last seen …"); a back link to the inbox on narrow screens.
 */
export function ConversationHeader(props: { conversation: ConversationModel; titleId: string }): JSX.Element {
  const { model } = useApp()
  const info = () => props.conversation.info()
  const inboxItem = () => model.inbox().find((i) => i.conv === props.conversation.conv)
  const title = () => info()?.title ?? inboxItem()?.title ?? 'Conversation'
  const avatar = () => info()?.avatar ?? inboxItem()?.avatar
  const subtitle = (): string => {
    const i = info()
    if (i === null) return ''
    if (i.kind === 'direct') {
      const peer = i.peer === null ? undefined : model.person(i.peer)
      return peer === undefined ? '' : [peer.title, peer.email].filter((s) => s !== '').join(' · ')
    }
    const members = `${i.memberCount} ${i.memberCount === 1 ? 'member' : 'members'}`
    return i.description === '' ? members : `${members} · ${i.description}`
  }
  const peer = () => {
    const i = info()
    return i?.kind === 'direct' ? i.peer : null
  }
  const presence = usePresence(peer)
  const memberNames = () => info()?.members.map((p) => p.name).join(', ')
  let heading!: HTMLHeadingElement
  // One pane at a time: the link that opened this view is gone, so the view's heading takes the focus.
  onMount(() => {
    if (!matchMedia('(min-width: 768px)').matches) heading.focus({ preventScroll: true })
  })

  return (
    <header class="conversation-header">
      <A href="/" class="icon-button back-link" aria-label="Back to conversations">
        <svg width="20" height="20" viewBox="0 0 20 20" aria-hidden="true"><path d="M12.5 4.5 7 10l5.5 5.5" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" /></svg>
      </A>
      <Show when={avatar()}>
        {(a) => (
          <Show when={peer() !== null} fallback={<Avatar initials={a().initials} hue={a().hue} />}>
            <PresenceAvatar presence={presence()} initials={a().initials} hue={a().hue} />
          </Show>
        )}
      </Show>
      <div class="conversation-heading">
        <h2 ref={(e) => (heading = e)} id={props.titleId} tabIndex={-1}>{title()}</h2>
        <Show when={presence()}>
          {(p) => (
            <p class="conversation-presence"><StatusLine presence={p()} availability seen /></p>
          )}
        </Show>
        <Show when={subtitle() !== ''}>
          <p class="conversation-sub" title={info()?.kind === 'group' ? memberNames() : undefined}>{subtitle()}</p>
        </Show>
        <Show when={info()?.kind === 'direct' ? info()?.peer : null}>{(peer) => <InCommon peer={peer()} />}</Show>
      </div>
      <Show when={info()?.kind === 'group'}><GroupInfoButton conv={props.conversation.conv} /></Show>
    </header>
  )
}
