import {
  Reason, RelaySearchBody, WaggleError, canRead, docAccess, queryTerms,
  type ConvId, type Principal, type RelaySearchResponse,
} from '@waggle/schema'
import type { Context, Hono } from 'hono'
import { RateLimiter } from '../auth/RateLimiter.ts'
import { jsonBody, sessionRateKey } from '../http/validate.ts'
import type { AccountStore } from '../storage/AccountStore.ts'
import type { MessageSearch, ReadableConversation } from './MessageSearch.ts'

export interface SearchRoutesDeps {
  index: MessageSearch
  accounts: AccountStore
  signedIn: (c: Context) => Promise<Principal>
  /** Searches one session may run per `windowMs`. */
  searchesPerWindow: number
  windowMs: number
  now: () => number
}

/**
 * `POST /api/search` (README "Search"): messages the relay finds in segments the session may
 * read and the device did not search itself. Register before the `/api/*` catch-all.
 */
export function mountSearchRoutes(app: Hono, deps: SearchRoutesDeps): void {
  const limiter = new RateLimiter(deps.searchesPerWindow, deps.windowMs, deps.now)

  app.post('/api/search', async (c) => {
    const who = await deps.signedIn(c)
    // Per session: typing fires a search per pause, a script firing hundreds is stopped here.
    if (!limiter.take(sessionRateKey(c))) {
      throw new WaggleError(Reason.rateLimited, 'Too many searches in a short time; wait a few seconds and search again')
    }
    const body = await jsonBody(c, RelaySearchBody)
    const words = queryTerms(body.q)
    const readable = words.length === 0 ? [] : await readableConversations(deps.accounts, who)
    const page = await deps.index.search({
      words, readable,
      local: body.local.flatMap((l) => l.segs.map((seg) => ({ conv: l.conv as ConvId, seg }))),
      limit: body.limit, offset: body.offset,
    })
    const answer: RelaySearchResponse = page
    return c.json(answer)
  })
}


/**
 * The conversations `who` belongs to and the first segment of each they may read: the
 * membership rows (server-authoritative; `firstSegment` is hidden history) judged by the same
 * access policy as a subscription to that segment, so search never shows what syncing would not.
 */
export async function readableConversations(accounts: AccountStore, who: Principal): Promise<ReadableConversation[]> {
  const out: ReadableConversation[] = []
  for (const conv of await accounts.conversationsOf(who.userId)) {
    const m = await accounts.conversationMember(conv, who.userId)
    if (m === null) continue
    const facts = { conversationMember: { readOnly: m.readOnly, firstSegment: m.firstSegment } }
    // The policy allows a segment from firstSegment on (and none below it): ask at that bound.
    if (canRead(docAccess({ kind: 'segment', conv, segment: m.firstSegment }, who, facts))) out.push({ conv, firstSegment: m.firstSegment })
  }
  return out
}
