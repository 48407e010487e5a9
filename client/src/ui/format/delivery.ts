import type { MessageItem } from '../../bind/model.ts'

/** "Seen by Marco", "Seen by Marco and Ana", "Seen by 3". */
export function seenByText(names: readonly string[]): string {
  const [first, second] = names
  if (first === undefined) return ''
  if (names.length === 1) return `Seen by ${first}`
  if (names.length === 2 && second !== undefined) return `Seen by ${first} and ${second}`
  return `Seen by ${names.length}`
}

/**
 * The delivery line under an own message, or null for none. "Sending…" and "Not sent" show on
 * every such message; "Seen by" on the message a reader reached; "Sent" only on the latest
 * own message (repeating it on every bubble is noise).
 */
export function deliveryText(message: MessageItem, seenBy: readonly string[] | undefined, latestOwn: boolean): string | null {
  if (!message.own || message.deleted) return null
  switch (message.delivery) {
    case 'pending': return 'Sending…'
    case 'rejected': return `Not sent: ${message.rejectReason ?? 'the server refused this message'}`
    case 'sent':
    case 'received':
      if (seenBy !== undefined && seenBy.length > 0) return seenByText(seenBy)
      return latestOwn ? 'Sent' : null
  }
}

/** The id of the newest own message that has reached the server (the one that says "Sent"). */
export function latestSentOwn(messages: readonly MessageItem[]): string | null {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]
    if (m !== undefined && m.own && m.delivery === 'sent') return m.id
  }
  return null
}
