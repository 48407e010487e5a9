import type { DocName } from '@waggle/schema'
import { MemoryPersistence } from '../storage/MemoryPersistence.ts'
import type { Persistence, StoredDoc } from '../storage/Persistence.ts'

/**
 * A {@link Persistence} test double around {@link MemoryPersistence} whose appends a test can
 * hold at a gate (to observe what the relay does before a commit) or make fail.
 */
export class ControlledPersistence implements Persistence {
  /** The storage behind the controls: what has really been committed. */
  readonly inner = new MemoryPersistence()
  /** Appends currently waiting at the closed gate. */
  waiting = 0
  /** Appends that were refused by {@link failAppends}. */
  failed = 0
  #gate: Promise<void> | null = null
  #openGate: (() => void) | null = null
  #failure: Error | null = null

  /** From now on appends wait until {@link openGate}. */
  closeGate(): void {
    if (this.#gate !== null) return
    this.#gate = new Promise<void>((resolve) => {
      this.#openGate = resolve
    })
  }

  /** Lets every waiting and future append through. */
  openGate(): void {
    this.#openGate?.()
    this.#gate = null
    this.#openGate = null
  }

  /** From now on appends reject with `error` (null: succeed again). */
  failAppends(error: Error | null): void {
    this.#failure = error
  }

  async append(doc: DocName, update: Uint8Array): Promise<number> {
    const gate = this.#gate
    if (gate !== null) {
      this.waiting += 1
      try {
        await gate
      } finally {
        this.waiting -= 1
      }
    }
    if (this.#failure !== null) {
      this.failed += 1
      throw this.#failure
    }
    return this.inner.append(doc, update)
  }

  load(doc: DocName): Promise<StoredDoc> {
    return this.inner.load(doc)
  }

  compact(doc: DocName, snapshot: Uint8Array, throughSeq: number): Promise<void> {
    return this.inner.compact(doc, snapshot, throughSeq)
  }

  logLength(doc: DocName): Promise<number> {
    return this.inner.logLength(doc)
  }

  close(): Promise<void> {
    this.openGate()
    return this.inner.close()
  }
}
