import type { ConvId, UserId } from '@waggle/schema'

/** One upload: its metadata and how far its bytes have arrived. */
export interface FileRecord {
  /** Made on the uploading device (an `AttachmentRef` id). */
  id: string
  conv: ConvId
  owner: UserId
  name: string
  size: number
  /** The checked MIME type (from the allow-list in contentType.ts). */
  type: string
  /** Bytes stored so far; equals `size` once complete. */
  offset: number
  complete: boolean
  createdAt: number
}

/**
 * Uploaded files: metadata plus bytes written in order (a resumable upload, one chunk at a
 * time). `SqliteFileStore` keeps metadata in SQLite and bytes under `<data>/files/`;
 * `MemoryFileStore` is for tests. Both run `fileStore.contract.ts`.
 */
export interface FileStore {
  get(id: string): Promise<FileRecord | null>
  /** Rejects a duplicate id with a `ConstraintError`. */
  create(record: FileRecord): Promise<void>
  /**
   * Appends `chunk` at `offset`, which must equal the stored offset (else a
   * `WaggleError(upload-offset-mismatch)`); resolves with the new offset.
   */
  append(id: string, offset: number, chunk: Uint8Array): Promise<number>
  /** The first `n` bytes (fewer when the file is shorter), for sniffing. */
  head(id: string, n: number): Promise<Uint8Array>
  markComplete(id: string): Promise<void>
  /** The whole file as a stream (only for a complete one). */
  open(id: string): Promise<ReadableStream<Uint8Array>>
  /** Removes metadata and bytes; no error when absent. */
  delete(id: string): Promise<void>
  close(): Promise<void>
}
