import type { JSX } from 'solid-js'
import type { PhonebookContact } from '../../bind/model.ts'
import { Avatar } from '../Avatar.tsx'

/** Avatar, name and a second line (`detailId` names it for `aria-describedby`) of a person in a picker. */
export function PersonText(props: { initials: string; hue: number; name: string; detail: string; detailId?: string; size?: 'sm' }): JSX.Element {
  return (
    <>
      <Avatar initials={props.initials} hue={props.hue} size={props.size ?? 'md'} />
      <span class="person-text">
        <span class="person-name">{props.name}</span>
        <span class="person-title" id={props.detailId}>{props.detail}</span>
      </span>
    </>
  )
}

/** A phonebook contact's second line: company and address. */
export const contactDetail = (c: PhonebookContact): string => (c.company === '' ? c.email : `${c.company} · ${c.email}`)
