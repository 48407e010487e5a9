import { IDBFactory, IDBKeyRange } from 'fake-indexeddb'
import type { ConvId } from '@waggle/schema'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { StepOutcome, UploadApi } from './uploadHttp.ts'
import { outcomeOf } from './uploadHttp.ts'
import { Uploader } from './Uploader.ts'
import { UploadStore, type UploadRow } from './UploadStore.ts'

async function until(check: () => Promise<boolean> | boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 5))
  }
}

/** A relay double: keeps the bytes per id; `drop` makes the next calls fail like a network drop. */
class FakeRelay implements UploadApi {
  readonly bytes = new Map<string, number[]>()
  readonly calls: string[] = []
  drop = 0
  #fail(): StepOutcome | null {
    if (this.drop === 0) return null
    this.drop--
    return { kind: 'retry' }
  }
  create(row: UploadRow): Promise<StepOutcome> {
    this.calls.push('create')
    const f = this.#fail()
    if (f) return Promise.resolve(f)
    if (!this.bytes.has(row.id)) this.bytes.set(row.id, [])
    return Promise.resolve({ kind: 'offset', offset: this.bytes.get(row.id)?.length ?? 0, complete: false })
  }
  offset(id: string): Promise<StepOutcome> {
    this.calls.push('head')
    const f = this.#fail()
    if (f) return Promise.resolve(f)
    return Promise.resolve({ kind: 'offset', offset: this.bytes.get(id)?.length ?? 0, complete: false })
  }
  async patch(id: string, offset: number, chunk: Blob): Promise<StepOutcome> {
    this.calls.push(`patch@${offset}`)
    const data = [...new Uint8Array(await chunk.arrayBuffer())]
    const have = this.bytes.get(id) ?? []
    if (offset !== have.length) return { kind: 'retry' }
    have.push(...data)
    // A drop after the relay stored the chunk: the answer is lost.
    const f = this.#fail()
    if (f) return f
    return { kind: 'offset', offset: have.length, complete: false }
  }
}

describe('Uploader', () => {
  let store: UploadStore
  let relay: FakeRelay
  let uploader: Uploader
  const delays: number[] = []
  beforeEach(() => {
    store = new UploadStore({ account: `test-${Math.random()}`, indexedDB: new IDBFactory(), IDBKeyRange })
    relay = new FakeRelay()
    delays.length = 0
    uploader = new Uploader({
      store, api: relay, online: () => true, onError: (e) => { throw e }, chunkBytes: 4,
      delay: (attempt) => {
        delays.push(attempt)
        return 1
      },
    })
  })
  afterEach(async () => {
    uploader.dispose()
    await store.destroy()
  })

  const queue = (id: string, bytes: number[]) => store.add({
    id, conv: 'c1' as ConvId, name: `${id}.bin`, size: bytes.length, type: 'application/zip',
    blob: new Blob([new Uint8Array(bytes)]), offset: 0, state: 'pending', createdAt: Date.now(),
  })

  it('sends a stored blob in chunks and marks it done; the blob stays readable from the cache', async () => {
    await queue('a', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    uploader.kick()
    await until(async () => (await store.get('a'))?.state === 'done')
    expect(relay.bytes.get('a')).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(relay.calls).toEqual(['create', 'patch@0', 'patch@4', 'patch@8'])
    expect([...new Uint8Array(await (await store.blob('a'))!.arrayBuffer())]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
  })

  it('after a network drop waits with growing backoff, asks the offset (HEAD) and resumes from it', async () => {
    await queue('b', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    // The second chunk reaches the relay but its answer is lost, then the first HEAD fails too.
    let patches = 0
    const patch = relay.patch.bind(relay)
    relay.patch = (id, offset, chunk) => {
      if (++patches === 2) relay.drop = 2
      return patch(id, offset, chunk)
    }
    uploader.kick()
    await until(async () => (await store.get('b'))?.state === 'done')
    expect(relay.bytes.get('b')).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(relay.calls).toEqual(['create', 'patch@0', 'patch@4', 'head', 'head', 'patch@8'])
    expect(delays).toEqual([0, 1])
  })

  it('marks a refused upload failed with the reason; retry queues it again', async () => {
    await queue('c', [1])
    relay.create = () => Promise.resolve({ kind: 'failed', message: 'Files of type "x" cannot be shared' })
    uploader.kick()
    await until(async () => (await store.get('c'))?.state === 'failed')
    expect((await store.get('c'))?.error).toContain('cannot be shared')
    relay.create = FakeRelay.prototype.create.bind(relay)
    await store.retry('c')
    uploader.kick()
    await until(async () => (await store.get('c'))?.state === 'done')
  })

  it('reads the offset from Upload-Offset and treats 409 offset mismatch as "ask again"', () => {
    expect(outcomeOf({ status: 200, headers: new Headers({ 'upload-offset': '5', 'upload-length': '5' }) }, null)).toEqual({ kind: 'offset', offset: 5, complete: true })
    expect(outcomeOf({ status: 409, headers: new Headers() }, { reason: 'upload-offset-mismatch' })).toEqual({ kind: 'retry' })
    expect(outcomeOf({ status: 415, headers: new Headers() }, { reason: 'file-type-mismatch', message: 'nope' })).toEqual({ kind: 'failed', message: 'nope' })
    expect(outcomeOf({ status: 503, headers: new Headers() }, null)).toEqual({ kind: 'retry' })
  })
})
