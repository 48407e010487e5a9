import { backoffDelay } from '../../sync/index.ts'
import type { StepOutcome, UploadApi } from './uploadHttp.ts'
import { CHUNK_BYTES } from './uploadHttp.ts'
import type { UploadRow, UploadStore } from './UploadStore.ts'

export interface UploaderDeps {
  store: Pick<UploadStore, 'pending' | 'setOffset' | 'done' | 'fail'>
  api: UploadApi
  /** Whether the relay is reachable now (the connection is open). */
  online: () => boolean
  onError: (err: unknown) => void
  delay?: (attempt: number) => number
  chunkBytes?: number
}

/**
 * Sends the upload queue, oldest first, chunk by chunk (run by the leader tab only). After a
 * network drop it waits (jittered backoff), asks the relay for the offset it has (HEAD) and
 * goes on from there, so no byte is sent twice and none is skipped. `kick()` on a new upload,
 * a reconnect or a retry.
 */
export class Uploader {
  readonly #deps: UploaderDeps
  #running = false
  #again = false
  #attempt = 0
  #timer: ReturnType<typeof setTimeout> | null = null
  #disposed = false
  /** Uploads the relay knows about in this session (created; a HEAD gives their offset). */
  readonly #created = new Set<string>()

  constructor(deps: UploaderDeps) {
    this.#deps = deps
  }

  kick(): void {
    if (this.#disposed) return
    if (this.#running) {
      this.#again = true
      return
    }
    void this.#drain()
  }

  dispose(): void {
    this.#disposed = true
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
  }

  async #drain(): Promise<void> {
    this.#running = true
    try {
      do {
        this.#again = false
        if (!this.#deps.online()) return
        const next = (await this.#deps.store.pending())[0]
        if (next === undefined || this.#disposed) return
        if (!(await this.#sendOne(next))) return
      } while (!this.#disposed)
    } catch (err) {
      this.#deps.onError(err)
    } finally {
      this.#running = false
      if (this.#again) this.kick()
    }
  }

  /** Returns whether to go on with the next upload. */
  async #sendOne(row: UploadRow): Promise<boolean> {
    const { api, store } = this.#deps
    // Create (idempotent) the first time in this session, then HEAD: the relay's offset wins.
    let step: StepOutcome = this.#created.has(row.id) ? await api.offset(row.id) : await api.create(row)
    const chunk = this.#deps.chunkBytes ?? CHUNK_BYTES
    for (;;) {
      if (this.#disposed) return false
      switch (step.kind) {
        case 'retry':
          this.#retryLater()
          return false
        case 'unauthorized':
          return false
        case 'failed':
          this.#created.delete(row.id)
          await store.fail(row.id, step.message)
          return true
        case 'offset':
          break
      }
      this.#created.add(row.id)
      const { offset, complete } = step
      if (complete || offset >= row.size) {
        this.#attempt = 0
        this.#created.delete(row.id)
        await store.done(row.id)
        return true
      }
      await store.setOffset(row.id, offset)
      step = await api.patch(row.id, offset, row.blob.slice(offset, Math.min(row.size, offset + chunk)))
      if (step.kind === 'offset') this.#attempt = 0
    }
  }

  #retryLater(): void {
    if (this.#timer !== null || this.#disposed) return
    this.#timer = setTimeout(() => {
      this.#timer = null
      this.kick()
    }, (this.#deps.delay ?? backoffDelay)(this.#attempt++))
  }
}
