import { QueueRunner, type QueueRunnerDeps } from '../QueueRunner.ts'
import type { StepOutcome, UploadApi } from './uploadHttp.ts'
import { CHUNK_BYTES } from './uploadHttp.ts'
import type { UploadRow, UploadStore } from './UploadStore.ts'

export interface UploaderDeps extends QueueRunnerDeps {
  store: Pick<UploadStore, 'pending' | 'setOffset' | 'done' | 'fail'>
  api: UploadApi
  chunkBytes?: number
}

/**
 * Sends the upload queue, oldest first, chunk by chunk (run by the leader tab only). After a
 * network drop it waits (jittered backoff), asks the relay for the offset it has (HEAD) and
 * goes on from there, so no byte is sent twice and none is skipped. `kick()` on a new upload,
 * a reconnect or a retry.
 */
export class Uploader extends QueueRunner<UploadRow> {
  readonly #deps: UploaderDeps
  /** Uploads the relay knows about in this session (created; a HEAD gives their offset). */
  readonly #created = new Set<string>()

  constructor(deps: UploaderDeps) {
    super(deps)
    this.#deps = deps
  }

  protected async next(): Promise<UploadRow | undefined> {
    return (await this.#deps.store.pending())[0]
  }

  /** Returns whether to go on with the next upload. */
  protected async sendOne(row: UploadRow): Promise<boolean> {
    const { api, store } = this.#deps
    // Create (idempotent) the first time in this session, then HEAD: the relay's offset wins.
    let step: StepOutcome = this.#created.has(row.id) ? await api.offset(row.id) : await api.create(row)
    const chunk = this.#deps.chunkBytes ?? CHUNK_BYTES
    for (;;) {
      if (this.disposed) return false
      switch (step.kind) {
        case 'retry':
          this.retryLater()
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
        this.resetBackoff()
        this.#created.delete(row.id)
        await store.done(row.id)
        return true
      }
      await store.setOffset(row.id, offset)
      step = await api.patch(row.id, offset, row.blob.slice(offset, Math.min(row.size, offset + chunk)))
      if (step.kind === 'offset') this.resetBackoff()
    }
  }
}
