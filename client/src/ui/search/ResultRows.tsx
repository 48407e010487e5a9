import { Show, type JSX } from 'solid-js'
import type { ColleagueHit, ContactHit, ConversationHit, MessageHit, RecentItem } from '../../bind/model.ts'
import { Avatar } from '../Avatar.tsx'
import { useApp } from '../context.ts'
import { snippet } from '../format/search.ts'
import { fullTime, inboxTime } from '../format/time.ts'
import { PresenceAvatar, PresenceText, usePresence } from '../Presence.tsx'
import { Highlight } from './Highlight.tsx'

/**
 * One result (or recent item) of the search panel: a button that opens it. Every row carries
 * the `search-item` class: Up and Down move between them.
 */

export function ConversationResult(props: { hit: ConversationHit; onOpen: () => void }): JSX.Element {
  const presence = usePresence(() => props.hit.peer)
  return (
    <button type="button" class="search-item search-row" onClick={() => props.onOpen()}>
      <PresenceAvatar presence={presence()} initials={props.hit.avatar.initials} hue={props.hit.avatar.hue} size="sm" />
      <span class="search-text">
        <span class="search-title"><Highlight text={props.hit.title} ranges={props.hit.ranges} /></span>
        <span class="search-sub">{props.hit.kind === 'group' ? 'Group' : 'Direct conversation'}<PresenceText presence={presence()} prefix=", " /></span>
      </span>
    </button>
  )
}

export function MessageResult(props: { hit: MessageHit; onOpen: () => void }): JSX.Element {
  const { model, now } = useApp()
  const person = () => model.person(props.hit.author)
  const author = () => (props.hit.author === model.me.userId ? 'You' : props.hit.authorName)
  const excerpt = () => snippet(props.hit.text, props.hit.ranges)
  return (
    <button type="button" class="search-item search-row search-message" onClick={() => props.onOpen()}>
      <Avatar initials={person()?.initials ?? props.hit.authorName.charAt(0).toUpperCase()} hue={person()?.hue ?? 30} size="sm" />
      <span class="search-text">
        <span class="search-line">
          <span class="search-author">{author()}</span>
          <span class="search-in">in {props.hit.convTitle}</span>
          <time class="search-time" datetime={new Date(props.hit.time).toISOString()} title={fullTime(props.hit.time)}>
            <span class="sr-only">, </span>{inboxTime(props.hit.time, now())}
          </time>
        </span>
        <span class="search-snippet"><span class="sr-only">: </span><Highlight text={excerpt().text} ranges={excerpt().ranges} /></span>
        <Show when={props.hit.source === 'relay'}>
          <span class="search-source"><span class="sr-only">, </span>From the server</span>
        </Show>
      </span>
    </button>
  )
}

export function ColleagueResult(props: { hit: ColleagueHit; onOpen: () => void }): JSX.Element {
  const presence = usePresence(() => props.hit.person.id)
  const p = () => props.hit.person
  return (
    <button type="button" class="search-item search-row" onClick={() => props.onOpen()}>
      <PresenceAvatar presence={presence()} initials={p().initials} hue={p().hue} size="sm" />
      <span class="search-text">
        <span class="search-title"><Highlight text={p().name} ranges={props.hit.ranges.name} /><PresenceText presence={presence()} prefix=", " /></span>
        <Show when={p().title !== ''}><span class="search-sub"><span class="sr-only">, </span><Highlight text={p().title} ranges={props.hit.ranges.title} /></span></Show>
        <span class="search-sub search-details">
          <span class="sr-only">, </span>
          <span class="search-email"><Highlight text={p().email} ranges={props.hit.ranges.email} /></span>
          <Phones phones={props.hit.phones} />
        </span>
      </span>
    </button>
  )
}

export function ContactResult(props: { hit: ContactHit; onOpen: () => void }): JSX.Element {
  const c = () => props.hit
  return (
    <button type="button" class="search-item search-row" onClick={() => props.onOpen()}>
      <Avatar initials={c().initials} hue={c().hue} size="sm" />
      <span class="search-text">
        <span class="search-title">
          <Highlight text={c().name} ranges={c().ranges.name} />
          <Show when={c().source === 'guest'}><span class="search-tag"><span class="sr-only">, </span>External</span></Show>
        </span>
        <Show when={c().company !== ''}><span class="search-sub"><span class="sr-only">, </span>{c().company}</span></Show>
        <Show when={c().email !== '' || c().phones.length > 0}>
          <span class="search-sub search-details">
            <span class="sr-only">, </span>
            <Show when={c().email !== ''}><span class="search-email"><Highlight text={c().email} ranges={c().ranges.email} /></span></Show>
            <Phones phones={c().phones} />
          </span>
        </Show>
      </span>
    </button>
  )
}

function Phones(props: { phones: readonly string[] }): JSX.Element {
  return (
    <Show when={props.phones.length > 0}>
      <span class="search-phones"><span class="sr-only">, </span>{props.phones.join(', ')}</span>
    </Show>
  )
}

/** An item opened before, from the private document (the same on this user's devices). */
export function RecentResult(props: { item: RecentItem; onOpen: () => void }): JSX.Element {
  const { model } = useApp()
  const look = (): { initials: string; hue: number; title: string; sub: string } => {
    const item = props.item
    switch (item.category) {
      case 'conversations': {
        const listed = model.inbox().find((i) => i.conv === item.conv)
        return { initials: listed?.avatar.initials ?? initialsOf(item.title), hue: listed?.avatar.hue ?? 30, title: listed?.title ?? item.title, sub: 'Conversation' }
      }
      case 'messages':
        return { initials: '“', hue: 40, title: item.text.replace(/\s+/g, ' ').trim(), sub: `in ${item.convTitle}` }
      case 'colleagues': {
        const person = model.person(item.user)
        return { initials: person?.initials ?? initialsOf(item.name), hue: person?.hue ?? 30, title: person?.name ?? item.name, sub: person?.title ?? 'Colleague' }
      }
      case 'contacts':
        return { initials: initialsOf(item.name), hue: 200, title: item.name, sub: [item.email, item.phone].filter((s) => s !== '').join(' · ') }
    }
  }
  return (
    <button type="button" class="search-item search-row search-recent-row" onClick={() => props.onOpen()}>
      <Avatar initials={look().initials} hue={look().hue} size="sm" />
      <span class="search-text">
        <span class="search-title search-clamp">{look().title}</span>
        <Show when={look().sub !== ''}><span class="search-sub"><span class="sr-only">, </span>{look().sub}</span></Show>
      </span>
    </button>
  )
}

function initialsOf(name: string): string {
  const words = name.trim().split(/\s+/).filter((w) => w !== '')
  const letters = words.length > 1 ? [words[0], words.at(-1)] : [words[0]]
  return letters.map((w) => (w === undefined ? '' : [...w][0] ?? '')).join('').toUpperCase() || '?'
}
