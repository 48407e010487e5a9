import { liveQuery, type Dexie, type EntityTable } from 'dexie'
import { Reason, WaggleError, type ConvId } from '@waggle/schema'
import { openAccountDb, type AccountDbOptions } from '../../sync/index.ts'

/** A file this device is sending: the bytes stay here until the relay has all of them. */
export interface UploadRow {
  id: string
  conv: ConvId
  name: string
  size: number
  type: string
  blob: Blob
  /** Bytes the relay confirmed. */
  offset: number
  state: 'pending' | 'done' | 'failed'
  /** Why it failed (shown with "Retry"). */
  error?: string
  createdAt: number
}

/** A file fetched from the relay (or sent from here), kept so it opens offline. */
export interface CachedFile {
  id: string
  blob: Blob
}

type FilesDb = Dexie & {
  uploads: EntityTable<UploadRow, 'id'>
  cache: EntityTable<CachedFile, 'id'>
}

export type UploadStoreOptions = AccountDbOptions

/**
 * The account's upload queue and file cache in their own Dexie database (`waggle-<account>-files`),
 * shared by the tabs: the leader's uploader writes progress, every tab watches it through
 * `liveQuery`. Blobs are stored in IndexedDB, so a queued upload survives a reload or a crash.
 */
export class UploadStore {
  readonly #db: FilesDb

  constructor(options: UploadStoreOptions) {
    if (options.account.length === 0) throw new WaggleError(Reason.badRequest, 'An account is required to open the upload queue')
    // Every tab watches progress through liveQuery.
    this.#db = openAccountDb(`waggle-${options.account}-files`, options, true) as FilesDb
    this.#db.version(1).stores({ uploads: 'id, state, createdAt', cache: 'id' })
  }

  async add(row: UploadRow): Promise<void> {
    await this.#db.uploads.put(row)
  }

  async get(id: string): Promise<UploadRow | undefined> {
    return this.#db.uploads.get(id)
  }

  /** Uploads still to send, oldest first. */
  async pending(): Promise<UploadRow[]> {
    return (await this.#db.uploads.orderBy('createdAt').toArray()).filter((r) => r.state === 'pending')
  }

  async setOffset(id: string, offset: number): Promise<void> {
    await this.#db.uploads.update(id, { offset })
  }

  /** All bytes are on the relay: the blob moves to the cache (it stays readable offline). */
  async done(id: string): Promise<void> {
    await this.#db.transaction('rw', this.#db.uploads, this.#db.cache, async () => {
      const row = await this.#db.uploads.get(id)
      if (row === undefined) return
      await this.#db.cache.put({ id, blob: row.blob })
      // The bytes live on in the cache only, so they are not stored twice.
      await this.#db.uploads.update(id, { state: 'done', offset: row.size, blob: new Blob([]) })
    })
  }

  async fail(id: string, error: string): Promise<void> {
    await this.#db.uploads.update(id, { state: 'failed', error })
  }

  async retry(id: string): Promise<void> {
    await this.#db.uploads.where('id').equals(id).modify((row) => {
      if (row.state !== 'failed') return
      row.state = 'pending'
      delete row.error
    })
  }

  /** The file's bytes if this device has them: its own upload, or a cached download. */
  async blob(id: string): Promise<Blob | undefined> {
    return (await this.#db.cache.get(id))?.blob ?? (await this.#db.uploads.get(id))?.blob
  }

  async cache(id: string, blob: Blob): Promise<void> {
    await this.#db.cache.put({ id, blob })
  }

  /** Progress of every upload (without the blobs), now and after every change in any tab. */
  watch(next: (rows: Omit<UploadRow, 'blob'>[]) => void, error: (err: unknown) => void): () => void {
    const sub = liveQuery(async () => (await this.#db.uploads.toArray()).map(({ blob: _blob, ...rest }) => rest)).subscribe({ next, error })
    return () => sub.unsubscribe()
  }

  async destroy(): Promise<void> {
    await this.#db.delete()
  }

  close(): void {
    this.#db.close()
  }
}
