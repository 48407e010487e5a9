import type { JSX } from 'solid-js'
import { Logo } from '../Logo.tsx'
import { StatusPill } from './StatusPill.tsx'
import { UserMenu } from './UserMenu.tsx'

/** The top bar: name, connection status, account menu. */
export function AppHeader(): JSX.Element {
  return (
    <header class="app-header">
      <a class="skip-link" href="#main">Skip to conversation</a>
      <div class="brand">
        <Logo />
        <span class="brand-name">Waggle</span>
      </div>
      <StatusPill />
      <UserMenu />
    </header>
  )
}
