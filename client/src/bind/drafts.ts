/** Timer functions, injectable so tests control time. */
export interface Timers {
  setTimeout: (fn: () => void, ms: number) => unknown
  clearTimeout: (handle: unknown) => void
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}

/** Saves a composer's text as a draft at most every `delayMs` while typing, and at once on `flush()`. */
export interface DraftSaver<K> {
  /** The text of `key` changed; it is saved after `delayMs` without further changes. */
  change(key: K, text: string): void
  /** Saves what is waiting now (switching conversation, `pagehide`). */
  flush(): void
  /** Forgets what is waiting without saving (the text was sent and the draft cleared). */
  cancel(): void
}

/** Debounces draft writes (about 500 ms) so every keystroke is not a document update. */
export function makeDraftSaver<K>(save: (key: K, text: string) => void, delayMs = 500, timers: Timers = realTimers): DraftSaver<K> {
  let waiting: { key: K; text: string } | null = null
  let timer: unknown = null
  const stop = () => {
    if (timer !== null) timers.clearTimeout(timer)
    timer = null
  }
  const flush = () => {
    stop()
    const w = waiting
    waiting = null
    if (w !== null) save(w.key, w.text)
  }
  return {
    change(key, text) {
      // Another conversation's pending text is saved first, never dropped.
      if (waiting !== null && waiting.key !== key) flush()
      stop()
      waiting = { key, text }
      timer = timers.setTimeout(flush, delayMs)
    },
    flush,
    cancel() {
      stop()
      waiting = null
    },
  }
}
