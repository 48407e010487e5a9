import type * as Y from 'yjs'
import type { MessageId, UserId } from '../ids.ts'
import type { TxOrigin } from '../origins.ts'

/**
 * Reactions of one segment (`conv/{conv}/seg/{n}/reactions`): a map keyed
 * `message|emoji|user`, so each person's reaction is their own entry (ARCHITECTURE §3).
 */
const REACTIONS = 'reactions'
export const MAX_EMOJI_LENGTH = 32

export function reactionKey(message: MessageId, emoji: string, user: UserId): string {
  return `${message}|${emoji}|${user}`
}

export function parseReactionKey(key: string): { message: MessageId; emoji: string; user: UserId } | null {
  const first = key.indexOf('|')
  const last = key.lastIndexOf('|')
  if (first <= 0 || last === first || last === key.length - 1) return null
  const emoji = key.slice(first + 1, last)
  if (emoji.length === 0 || emoji.length > MAX_EMOJI_LENGTH) return null
  return { message: key.slice(0, first) as MessageId, emoji, user: key.slice(last + 1) as UserId }
}

/** Adds the user's reaction, or removes it if present. Returns whether it is now present. */
export function toggleReaction(doc: Y.Doc, message: MessageId, emoji: string, user: UserId, now: number, origin: TxOrigin): boolean {
  const map = doc.getMap<unknown>(REACTIONS)
  const key = reactionKey(message, emoji, user)
  const present = map.has(key)
  doc.transact(() => (present ? map.delete(key) : map.set(key, now)), origin)
  return !present
}

/** Reactions to one message: emoji to the users who reacted with it. */
export function reactionsFor(doc: Y.Doc, message: MessageId): Map<string, UserId[]> {
  const out = new Map<string, UserId[]>()
  for (const key of doc.getMap<unknown>(REACTIONS).keys()) {
    const parsed = parseReactionKey(key)
    if (parsed === null || parsed.message !== message) continue
    const users = out.get(parsed.emoji) ?? []
    users.push(parsed.user)
    out.set(parsed.emoji, users)
  }
  return out
}

/** Every reaction in the segment: message to emoji to the users who reacted with it (in key order). */
export function allReactions(doc: Y.Doc): Map<MessageId, Map<string, UserId[]>> {
  const out = new Map<MessageId, Map<string, UserId[]>>()
  for (const key of doc.getMap<unknown>(REACTIONS).keys()) {
    const parsed = parseReactionKey(key)
    if (parsed === null) continue
    let byEmoji = out.get(parsed.message)
    if (byEmoji === undefined) out.set(parsed.message, (byEmoji = new Map<string, UserId[]>()))
    const users = byEmoji.get(parsed.emoji) ?? []
    users.push(parsed.user)
    byEmoji.set(parsed.emoji, users)
  }
  return out
}

/** Calls `fn` with the ids of messages whose reactions changed, after each transaction. */
export function observeReactions(doc: Y.Doc, fn: (messages: MessageId[]) => void): () => void {
  const map = doc.getMap<unknown>(REACTIONS)
  const handler = (event: Y.YMapEvent<unknown>) => {
    const ids = new Set<MessageId>()
    for (const key of event.keysChanged as Set<string>) {
      const parsed = parseReactionKey(key)
      if (parsed !== null) ids.add(parsed.message)
    }
    fn([...ids])
  }
  map.observe(handler)
  return () => map.unobserve(handler)
}
