/**
 * Hiding a conversation takes it out of the inbox until someone writes in it again: it is
 * hidden while its last message is no newer than the moment it was hidden.
 */
export function isHidden(hiddenAt: number | undefined, lastMessageTime: number | undefined): boolean {
  if (hiddenAt === undefined) return false
  return lastMessageTime === undefined || lastMessageTime <= hiddenAt
}
