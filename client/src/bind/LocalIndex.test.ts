import { IDBFactory, IDBKeyRange } from 'fake-indexeddb'
import type { ConvId, MessageId } from '@waggle/schema'
import { describe, expect, it } from 'vitest'
import { LocalIndex } from './LocalIndex.ts'

describe('LocalIndex conversation rows', () => {
  it('reads back what the indexer stored, including what the device has fetched', async () => {
    const index = new LocalIndex({ account: 'demo.anna', indexedDB: new IDBFactory(), IDBKeyRange })
    const row = { conv: 'c1' as ConvId, unread: 2, segment: 1, last: 'M2' as MessageId, read: 'M1' as MessageId, mentioned: true, fetched: 'M2' as MessageId }
    await index.putConvRows([row, { ...row, conv: 'c2' as ConvId, fetched: null }])
    expect(await index.convRows()).toEqual([row, { ...row, conv: 'c2', fetched: null }])
  })

  it('drops a malformed row so it is recomputed', async () => {
    const index = new LocalIndex({ account: 'demo.anna', indexedDB: new IDBFactory(), IDBKeyRange })
    await index.putConvRows([{ conv: 'c1' as ConvId, unread: -1, segment: 0, last: null, read: null }])
    expect(await index.convRows()).toEqual([])
  })
})
