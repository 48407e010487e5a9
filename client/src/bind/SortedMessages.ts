import type { MessageId, StoredMessage } from '@waggle/schema'

/**
 * One segment's messages in id (= time) order, kept up to date change by change: an
 * incoming message is spliced in by binary search, so a 5,000-message segment is parsed once
 * when it loads and never again for each new message.
 */
export class SortedMessages {
  #items: StoredMessage[] = []

  get items(): readonly StoredMessage[] {
    return this.#items
  }

  /** Replaces everything (`messages` sorted by id, as `listMessages` returns them). */
  reset(messages: StoredMessage[]): void {
    this.#items = messages
  }

  /** Inserts or replaces `message`, or removes `id` when `message` is null. */
  set(id: MessageId, message: StoredMessage | null): void {
    const at = this.#indexOf(id)
    const found = this.#items[at]?.id === id
    if (message === null) {
      if (found) this.#items.splice(at, 1)
    } else if (found) {
      this.#items[at] = message
    } else {
      this.#items.splice(at, 0, message)
    }
  }

  /** The first position whose id is not less than `id`. */
  #indexOf(id: MessageId): number {
    const items = this.#items
    // Appends are the common case: check the end first.
    const tail = items[items.length - 1]
    if (tail === undefined || tail.id < id) return items.length
    let lo = 0
    let hi = items.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if ((items[mid]?.id ?? '') < id) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}
