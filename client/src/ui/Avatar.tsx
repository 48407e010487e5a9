import type { JSX } from 'solid-js'

/** Initials on a circle coloured by the person's or conversation's hue. Decorative: the name is always next to it. */
export function Avatar(props: { initials: string; hue: number; size?: 'sm' | 'md' | 'lg' }): JSX.Element {
  return (
    <span class={`avatar avatar-${props.size ?? 'md'}`} style={{ '--hue': String(props.hue) }} aria-hidden="true">
      {props.initials}
    </span>
  )
}
