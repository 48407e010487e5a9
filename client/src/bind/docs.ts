import type * as Y from 'yjs'

/** Calls `fn` after every change to `doc`, whatever its origin; returns the disposer. */
export function onDocChange(doc: Y.Doc, fn: () => void): () => void {
  const handler = () => fn()
  doc.on('update', handler)
  return () => doc.off('update', handler)
}

/** Collects disposers and runs each once, newest first; later additions run at once. */
export class Disposers {
  #list: (() => void)[] = []
  #disposed = false

  get disposed(): boolean {
    return this.#disposed
  }

  add(fn: () => void): void {
    if (this.#disposed) fn()
    else this.#list.push(fn)
  }

  dispose(): void {
    if (this.#disposed) return
    this.#disposed = true
    for (const fn of this.#list.reverse()) fn()
    this.#list = []
  }
}
