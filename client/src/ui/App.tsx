import { Navigate, Route, Router, type RouteSectionProps } from '@solidjs/router'
import { Show, type JSX } from 'solid-js'
import { ConversationRoute } from './conversation/ConversationRoute.tsx'
import { NoConversation } from './conversation/NoConversation.tsx'
import { JoinRoute } from './conversation/groups/JoinRoute.tsx'
import { createSession } from './session.ts'
import { SignIn } from './SignIn.tsx'
import { UpdatePrompt } from './UpdatePrompt.tsx'
import { Workspace } from './shell/Workspace.tsx'

/** Routes (History API): `/` the inbox, `/c/:conv` a conversation, anything else back to `/`. */
export function App(): JSX.Element {
  return (
    <Router root={Root}>
      <Route path="/" component={NoConversation} />
      <Route path="/c/:conv" component={ConversationRoute} />
      <Route path="/join/:token" component={JoinRoute} />
      <Route path="*" component={() => <Navigate href="/" />} />
    </Router>
  )
}

/** Sign-in until there is a session, then the workspace; one data model per session. */
function Root(props: RouteSectionProps): JSX.Element {
  const [session, setSession] = createSession()
  return (
    <>
      <UpdatePrompt />
      <Show when={session()} keyed fallback={<SignIn onSignedIn={setSession} />}>
        {(s) => <Workspace session={s} onSignedOut={() => setSession(null)}>{props.children}</Workspace>}
      </Show>
    </>
  )
}
