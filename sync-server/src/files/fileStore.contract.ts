import { Reason, type ConvId, type UserId } from '@waggle/schema'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { FileRecord, FileStore } from './FileStore.ts'

export interface FileStoreFixture {
  files: FileStore
  /** A conversation and a user the store may reference (SQLite checks foreign keys). */
  conv: ConvId
  owner: UserId
  cleanup(): Promise<void>
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer())
}

/** The behaviour every {@link FileStore} must have; run by fileStore.test.ts on each one. */
export function fileStoreContract(name: string, make: () => Promise<FileStoreFixture>): void {
  describe(`FileStore contract: ${name}`, () => {
    let f: FileStoreFixture
    beforeEach(async () => {
      f = await make()
    })
    afterEach(async () => {
      await f.cleanup()
    })
    const record = (id: string, size: number): FileRecord => ({
      id, conv: f.conv, owner: f.owner, name: 'a b.txt', size, type: 'text/plain', offset: 0, complete: false, createdAt: 1,
    })

    it('keeps metadata and answers null for an unknown id', async () => {
      await f.files.create(record('f1', 5))
      expect(await f.files.get('f1')).toEqual(record('f1', 5))
      expect(await f.files.get('nope')).toBeNull()
    })

    it('rejects a duplicate id', async () => {
      await f.files.create(record('f1', 5))
      await expect(f.files.create(record('f1', 5))).rejects.toMatchObject({ name: 'ConstraintError', constraint: 'duplicate' })
    })

    it('appends chunks in order, reads the head and the whole file once complete', async () => {
      await f.files.create(record('f1', 6))
      expect(await f.files.append('f1', 0, new Uint8Array([1, 2, 3]))).toBe(3)
      expect((await f.files.get('f1'))?.offset).toBe(3)
      expect(await f.files.append('f1', 3, new Uint8Array([4, 5, 6]))).toBe(6)
      expect([...(await f.files.head('f1', 4))]).toEqual([1, 2, 3, 4])
      expect([...(await f.files.head('f1', 100))]).toEqual([1, 2, 3, 4, 5, 6])
      await f.files.markComplete('f1')
      expect((await f.files.get('f1'))?.complete).toBe(true)
      expect([...(await readAll(await f.files.open('f1')))]).toEqual([1, 2, 3, 4, 5, 6])
    })

    it('refuses a chunk at the wrong offset and keeps the bytes', async () => {
      await f.files.create(record('f1', 6))
      await f.files.append('f1', 0, new Uint8Array([1, 2]))
      await expect(f.files.append('f1', 0, new Uint8Array([9]))).rejects.toMatchObject({ reason: Reason.uploadOffsetMismatch })
      await expect(f.files.append('f1', 5, new Uint8Array([9]))).rejects.toMatchObject({ reason: Reason.uploadOffsetMismatch })
      expect([...(await f.files.head('f1', 10))]).toEqual([1, 2])
    })

    it('deletes metadata and bytes; deleting twice is fine', async () => {
      await f.files.create(record('f1', 1))
      await f.files.append('f1', 0, new Uint8Array([1]))
      await f.files.delete('f1')
      await f.files.delete('f1')
      expect(await f.files.get('f1')).toBeNull()
      // The id can be used again from scratch.
      await f.files.create(record('f1', 1))
      expect([...(await f.files.head('f1', 4))]).toEqual([])
    })
  })
}
