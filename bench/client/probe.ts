/**
 * The client benchmark's page side: an init script that every load of the app runs before the
 * app's own code (`context.addInitScript`), recording into `window.clientBench`. Times are
 * `performance.now()`, which counts from the navigation's start (the document's time origin).
 *
 * - Load: a MutationObserver notices the inbox list holding `expected` rows, each with a
 *   non-empty preview (`shownAt`); the task after the next animation frame is `paintedAt` (the
 *   frame that shows it has been produced). At `shownAt` the page calls the Node binding
 *   `clientBenchListShown`, which presses Shift through CDP: a real input, queued like a key
 *   press, whose keydown listener time and `event.timeStamp` give how long the main thread
 *   made it wait. Long tasks (`longtask`, over 50 ms) are recorded from the start.
 * - Send: a capture keydown listener on `window` (it runs before the app's listeners) takes
 *   Enter in the composer; from its `event.timeStamp` (when the browser received the key) to
 *   the MutationObserver seeing the message's row with its text (`domAt`), and to the task
 *   after the first animation frame whose callback finds the row in the document (`paintAt`).
 *   Event Timing entries (`event`, keydown, duration ≥ 16 ms) are recorded as a second method.
 *
 * The function is serialised into the page: it must not use anything from outside itself.
 */

export interface LongTask {
  start: number
  duration: number
}

export interface SendSample {
  text: string
  /** `event.timeStamp` of the Enter keydown. */
  keyAt: number
  /** When the capture listener ran (the main thread got to the key). */
  listenerAt: number
  domAt: number | null
  paintAt: number | null
}

export interface EventEntry {
  name: string
  startTime: number
  duration: number
  processingStart: number
  processingEnd: number
}

export interface ProbeState {
  expected: number
  longTasks: LongTask[]
  shownAt: number | null
  paintedAt: number | null
  /** The Shift press sent when the list was shown: its `event.timeStamp` and when its keydown listener ran. */
  input: { keyAt: number; handledAt: number; frameAt: number | null } | null
  sends: SendSample[]
  events: EventEntry[]
}

declare global {
  interface Window {
    clientBench: ProbeState
    clientBenchListShown?: () => Promise<void>
  }
}

/** Runs in the page before the app (see the file's comment). `expected`: inbox rows to wait for. */
export function installProbe(expected: number): void {
  const state: ProbeState = { expected, longTasks: [], shownAt: null, paintedAt: null, input: null, sends: [], events: [] }
  window.clientBench = state
  /** The task after the next frame: MessageChannel posts run after the frame's rendering steps. */
  const afterFrame = (then: (t: number) => void): void => {
    requestAnimationFrame(() => {
      const channel = new MessageChannel()
      channel.port1.onmessage = () => then(performance.now())
      channel.port2.postMessage(null)
    })
  }
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) state.longTasks.push({ start: e.startTime, duration: e.duration })
  }).observe({ type: 'longtask', buffered: true })
  // durationThreshold (Event Timing) is missing from TypeScript's DOM types, hence the cast.
  new PerformanceObserver((list) => {
    for (const e of list.getEntries() as PerformanceEventTiming[]) {
      if (e.name === 'keydown') state.events.push({ name: e.name, startTime: e.startTime, duration: e.duration, processingStart: e.processingStart, processingEnd: e.processingEnd })
    }
  }).observe({ type: 'event', durationThreshold: 16, buffered: true } as PerformanceObserverInit)

  // --- load: the inbox list, complete --------------------------------------------------------
  const listComplete = (): boolean => {
    const rows = document.querySelectorAll('ul[aria-label="Conversations"] > li.conv-item')
    if (rows.length < expected) return false
    for (const row of rows) if ((row.querySelector('.conv-preview')?.textContent ?? '').trim() === '') return false
    return true
  }
  const listWatch = new MutationObserver(() => {
    if (state.shownAt !== null || !listComplete()) return
    state.shownAt = performance.now()
    listWatch.disconnect()
    afterFrame((t) => (state.paintedAt = t))
    void window.clientBenchListShown?.()
  })
  listWatch.observe(document, { childList: true, subtree: true, characterData: true })

  // --- keys: the probe input (Shift) and sends (Enter in the composer) ---------------------------
  addEventListener('keydown', (e) => {
    const now = performance.now()
    if (e.key === 'Shift' && state.input === null && state.shownAt !== null) {
      const input = { keyAt: e.timeStamp, handledAt: now, frameAt: null as number | null }
      state.input = input
      afterFrame((t) => (input.frameAt = t))
      return
    }
    const box = e.target
    if (e.key !== 'Enter' || !(box instanceof HTMLTextAreaElement) || box.getAttribute('aria-label') !== 'Message') return
    const text = box.value.trim()
    const sample: SendSample = { text, keyAt: e.timeStamp, listenerAt: now, domAt: null, paintAt: null }
    state.sends.push(sample)
    const present = (): boolean => {
      for (const row of document.querySelectorAll('[aria-label="Messages"] .msg-row .bubble')) if (row.textContent?.includes(text) === true) return true
      return false
    }
    const watch = new MutationObserver(() => {
      if (sample.domAt !== null || !present()) return
      sample.domAt = performance.now()
      watch.disconnect()
    })
    watch.observe(document.body, { childList: true, subtree: true, characterData: true })
    const frame = (t: number): void => {
      if (present()) {
        sample.paintAt = t
        if (sample.domAt === null) sample.domAt = t
        watch.disconnect()
      } else if (t - sample.keyAt < 5000) afterFrame(frame)
      else watch.disconnect()
    }
    afterFrame(frame)
  }, { capture: true })
}
