import type { JSX } from 'solid-js'

/** The Waggle mark: a honeycomb cell with a speech tail. Decorative. */
export function Logo(props: { size?: number }): JSX.Element {
  const size = () => props.size ?? 28
  return (
    <svg class="logo" width={size()} height={size()} viewBox="0 0 32 32" aria-hidden="true">
      <path d="M16 2.5 27.5 9v13L16 28.5 10 25l-5.5 4 1.2-6.5L4.5 22V9Z" fill="var(--brand)" />
      <path d="M11 13.5h10M11 18h7" stroke="var(--brand-ink)" stroke-width="2.4" stroke-linecap="round" />
    </svg>
  )
}
