import type { ConvId, MessageId } from '@waggle/schema'
import { decideNotifications, lastIds, noticeTag, type Notice, type NotifyState } from './notify.ts'

/** Where notifications go: the browser (`browserNotices.ts`) or a test's list. */
export interface NoticeSink {
  show(notice: Notice): void
  close(tag: string): void
}

/**
 * Runs in the leader tab only (one notification per account however many tabs are open):
 * feeds each new state to {@link decideNotifications} and remembers what it showed, so a
 * notification is withdrawn once its message is read on any device.
 */
export class Notifier {
  #previous: Map<ConvId, MessageId | null> | null = null
  readonly #shown = new Map<ConvId, MessageId>()
  readonly #sink: NoticeSink

  constructor(sink: NoticeSink) {
    this.#sink = sink
  }

  /** Call with every new state once the inbox and private documents are loaded. */
  update(state: NotifyState): void {
    const decision = decideNotifications(this.#previous, state, this.#shown)
    const closing = new Set(decision.close)
    for (const conv of [...this.#shown.keys()]) {
      if (!closing.has(noticeTag(conv))) continue
      this.#shown.delete(conv)
      this.#sink.close(noticeTag(conv))
    }
    for (const notice of decision.show) {
      this.#shown.set(notice.conv, notice.message)
      this.#sink.show(notice)
    }
    this.#previous = lastIds(state.convs)
  }

  /** Withdraws everything this tab showed (it stops leading or the session ends). */
  dispose(): void {
    for (const conv of this.#shown.keys()) this.#sink.close(noticeTag(conv))
    this.#shown.clear()
  }
}
