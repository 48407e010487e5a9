import type { UserId } from '@waggle/schema'
import { Show, createMemo, type Accessor, type JSX } from 'solid-js'
import type { PersonPresence } from '../bind/model.ts'
import { Avatar } from './Avatar.tsx'
import { useApp } from './context.ts'
import { availabilityLabel, dotLook, presenceLabel, statusText } from './format/presence.ts'
import './presence.css'

/**
 * Reactive presence of `user` (null until their presence document is on the device). Call in a
 * component that is rendered only while the person is shown: `of()` keeps the person's presence
 * document open while the owner lives. The signed-in user's own presence needs no document.
 */
export function usePresence(user: Accessor<UserId | null | undefined>): Accessor<PersonPresence | null> {
  const { model } = useApp()
  // Re-opened only when the user changes; the memo's owner closes the previous one.
  const source = createMemo(() => {
    const id = user()
    if (id === null || id === undefined) return null
    return id === model.me.userId ? model.presence.mine : model.presence.of(id)
  })
  return () => source()?.() ?? null
}

interface PresenceSource {
  /** Whose presence: read with `model.presence.of(user)`. */
  user?: UserId | null | undefined
  /** Or the presence itself, when the caller already reads it (mine, a row showing it twice). */
  presence?: PersonPresence | null | undefined
}

/** The presence from `props.presence` when given, else read for `props.user`. */
function resolve(props: PresenceSource): Accessor<PersonPresence | null> {
  const read = usePresence(() => ('presence' in props ? null : props.user))
  return () => ('presence' in props ? (props.presence ?? null) : read())
}

/**
 * The presence dot: coloured by availability (green, yellow, red), filled while online,
 * outlined while a tab is open but unused, grey when offline. Decorative (`aria-hidden`): put a
 * {@link PresenceText} next to the person's name.
 */
export function PresenceDot(props: PresenceSource & { class?: string }): JSX.Element {
  const presence = resolve(props)
  return (
    <Show when={presence()}>
      {(p) => (
        <span
          class={`presence-dot presence-${p().status.availability} presence-${dotLook(p().online)} ${props.class ?? ''}`}
          title={presenceLabel(p())} aria-hidden="true"
        />
      )}
    </Show>
  )
}

/** An avatar with the presence dot on its corner. */
export function PresenceAvatar(props: PresenceSource & { initials: string; hue: number; size?: 'sm' | 'md' | 'lg' }): JSX.Element {
  const presence = resolve(props)
  return (
    <span class={`presence-avatar presence-avatar-${props.size ?? 'md'}`}>
      <Avatar initials={props.initials} hue={props.hue} size={props.size ?? 'md'} />
      <PresenceDot presence={presence()} />
    </span>
  )
}

/**
 * The dot's text for screen readers ("Available, Online", "Busy, Last seen 5 minutes ago"),
 * visually hidden. With `describes`, it is only the target of an `aria-describedby` (so it does
 * not change the accessible name of the control it sits in).
 */
export function PresenceText(props: PresenceSource & { id?: string; describes?: boolean; prefix?: string }): JSX.Element {
  const presence = resolve(props)
  return (
    <Show when={presence()}>
      {(p) => (
        <span class="sr-only" id={props.id} aria-hidden={props.describes === true ? 'true' : undefined}>
          {`${props.prefix ?? ''}${presenceLabel(p())}`}
        </span>
      )}
    </Show>
  )
}

/**
 * The status line under a name: the emoji and "in conference | until 14:00" or the message,
 * and with `seen`, "Online" / "Last seen 5 minutes ago". Nothing when there is nothing to say.
 */
export function StatusLine(props: PresenceSource & { seen?: boolean; availability?: boolean; class?: string; id?: string }): JSX.Element {
  const presence = resolve(props)
  const parts = (): string[] => {
    const p = presence()
    if (p === null) return []
    const line = statusText(p)
    return [
      ...(props.availability === true ? [availabilityLabel[p.status.availability]] : []),
      ...(props.seen === true ? [p.seen] : []),
      ...(line === null ? [] : [line]),
    ]
  }
  return (
    <Show when={parts().length > 0}>
      <span class={`status-line ${props.class ?? ''}`} id={props.id} title={parts().join(' · ')}>{parts().join(' · ')}</span>
    </Show>
  )
}
