import { useMatch, useNavigate } from '@solidjs/router'
import type { JSX } from 'solid-js'
import { forgetSession, type Session } from '../../api/auth.ts'
import { createAppModel } from '../../bind/createAppModel.ts'
import { AppContext, createNow, type AppContextValue } from '../context.ts'
import { Inbox } from '../inbox/Inbox.tsx'
import { AppHeader } from './AppHeader.tsx'
import { Banners } from './Banners.tsx'
import './shell.css'

/**
 * The signed-in shell: header, banners, the inbox and the routed conversation pane. From 768 px
 * both panes show side by side; below, the route decides which one.
 */
export function Workspace(props: { session: Session; onSignedOut: () => void; children?: JSX.Element }): JSX.Element {
  // Disposed with this component (createAppModel ties itself to the current owner).
  const model = createAppModel({ session: props.session })
  const navigate = useNavigate()
  const inConversation = useMatch(() => '/c/:conv')

  const context: AppContextValue = {
    model,
    now: createNow(),
    async signOut(options) {
      await model.signOut(options)
      context.leave()
    },
    leave() {
      forgetSession()
      navigate('/', { replace: true })
      props.onSignedOut()
    },
  }

  return (
    <AppContext.Provider value={context}>
      <div class="app">
        <AppHeader />
        <Banners />
        <div class="panes" classList={{ 'panes-conversation': inConversation() !== undefined }}>
          <Inbox />
          <main class="conversation-pane" id="main">{props.children}</main>
        </div>
      </div>
    </AppContext.Provider>
  )
}
