import type { UserId } from '@waggle/schema'
import { Show, type JSX } from 'solid-js'
import type { PhonebookContact } from '../../bind/model.ts'
import { Avatar } from '../Avatar.tsx'
import { statusText } from '../format/presence.ts'
import { PresenceAvatar, PresenceText, usePresence } from '../Presence.tsx'

/**
 * Avatar, name and a second line (`detailId` names it for `aria-describedby`) of a person in a
 * picker; with `user`, their presence dot, status line and (in the description) presence.
 */
export function PersonText(props: { initials: string; hue: number; name: string; detail: string; detailId?: string; size?: 'sm'; user?: UserId }): JSX.Element {
  return (
    <Show when={props.user} fallback={
      <>
        <Avatar initials={props.initials} hue={props.hue} size={props.size ?? 'md'} />
        <span class="person-text">
          <span class="person-name">{props.name}</span>
          <span class="person-title" id={props.detailId}>{props.detail}</span>
        </span>
      </>
    }>
      {(user) => <PersonWithPresence {...props} user={user()} />}
    </Show>
  )
}

/** The person's presence is read while the row is shown (the pickers' lists are short). */
function PersonWithPresence(props: { initials: string; hue: number; name: string; detail: string; detailId?: string; size?: 'sm'; user: UserId }): JSX.Element {
  const presence = usePresence(() => props.user)
  const status = () => {
    const p = presence()
    return p === null ? null : statusText(p)
  }
  const detail = () => [props.detail, status()].filter((s) => s !== null && s !== '').join(' · ')
  return (
    <>
      <PresenceAvatar presence={presence()} initials={props.initials} hue={props.hue} size={props.size ?? 'md'} />
      <span class="person-text">
        <span class="person-name">{props.name}</span>
        <span class="person-title" id={props.detailId}>{detail()}<PresenceText presence={presence()} prefix=", " /></span>
      </span>
    </>
  )
}

/** A phonebook contact's second line: company and address. */
export const contactDetail = (c: PhonebookContact): string => (c.company === '' ? c.email : `${c.company} · ${c.email}`)
