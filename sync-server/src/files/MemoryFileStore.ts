import { Reason, WaggleError } from '@waggle/schema'
import { ConstraintError } from '../storage/ConstraintError.ts'
import type { FileRecord, FileStore } from './FileStore.ts'

/** Runs `fn` and answers as a promise (a throw becomes a rejection), as a real store would. */
const later = <T>(fn: () => T): Promise<T> => new Promise((resolve) => resolve(fn()))

/** In-memory {@link FileStore} for tests and the default of `createServer`. */
export class MemoryFileStore implements FileStore {
  readonly #records = new Map<string, FileRecord>()
  readonly #chunks = new Map<string, Uint8Array[]>()

  get(id: string): Promise<FileRecord | null> {
    return later(() => {
      const r = this.#records.get(id)
      return r === undefined ? null : { ...r }
    })
  }

  create(record: FileRecord): Promise<void> {
    return later(() => {
      if (this.#records.has(record.id)) throw new ConstraintError('duplicate', `file ${record.id} exists`)
      this.#records.set(record.id, { ...record })
      this.#chunks.set(record.id, [])
    })
  }

  append(id: string, offset: number, chunk: Uint8Array): Promise<number> {
    return later(() => {
      const r = this.#records.get(id)
      if (r === undefined) throw new WaggleError(Reason.notFound, 'No such upload')
      if (r.offset !== offset) throw new WaggleError(Reason.uploadOffsetMismatch, `The upload is at ${r.offset}, not ${offset}`)
      this.#chunks.get(id)?.push(chunk.slice())
      r.offset += chunk.byteLength
      return r.offset
    })
  }

  head(id: string, n: number): Promise<Uint8Array> {
    return later(() => {
      return this.#bytes(id).slice(0, n)
    })
  }

  markComplete(id: string): Promise<void> {
    return later(() => {
      const r = this.#records.get(id)
      if (r !== undefined) r.complete = true
    })
  }

  open(id: string): Promise<ReadableStream<Uint8Array>> {
    return later(() => {
      const bytes = this.#bytes(id)
      return new ReadableStream({
        start(controller) {
          controller.enqueue(bytes)
          controller.close()
        },
      })
    })
  }

  delete(id: string): Promise<void> {
    return later(() => {
      this.#records.delete(id)
      this.#chunks.delete(id)
    })
  }

  close(): Promise<void> {
    return Promise.resolve()
  }

  #bytes(id: string): Uint8Array {
    const chunks = this.#chunks.get(id) ?? []
    const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0))
    let at = 0
    for (const c of chunks) {
      out.set(c, at)
      at += c.byteLength
    }
    return out
  }
}
