import type { DocName } from '@waggle/schema'
import { describe, expect, onTestFinished, test } from 'vitest'
import { join } from 'node:path'
import { removeDir, tempDataDir } from '../testing/relayHarness.ts'
import { MemoryClientIdStore, type ClientIdStore } from './ClientIdStore.ts'
import { SqliteClientIdStore } from './SqliteClientIdStore.ts'
import { openSqlite } from './sqlite.ts'

const doc = 'conv/c1/seg/0' as DocName
const other = 'conv/c1/seg/1' as DocName

function sqliteFile(): string {
  const dir = tempDataDir()
  onTestFinished(() => removeDir(dir))
  return join(dir, 'waggle.sqlite')
}

describe.each([
  ['memory', () => new MemoryClientIdStore()],
  ['sqlite', () => {
    const db = openSqlite(sqliteFile())
    onTestFinished(() => void db.close())
    return new SqliteClientIdStore(db)
  }],
] as [string, () => ClientIdStore][])('%s client id store', (_name, make) => {
  test('binds ids per document; the first owner stays', async () => {
    const store = make()
    expect(await store.load(doc)).toEqual(new Map())
    await store.bind(doc, [1, 4_294_967_295], 'anna')
    await store.bind(doc, [1, 2], 'marco')
    await store.bind(other, [1], 'lena')
    expect(await store.load(doc)).toEqual(new Map([[1, 'anna'], [4_294_967_295, 'anna'], [2, 'marco']]))
    expect(await store.load(other)).toEqual(new Map([[1, 'lena']]))
  })
})

test('SQLite bindings outlive the connection', async () => {
  const file = sqliteFile()
  const db = openSqlite(file)
  await new SqliteClientIdStore(db).bind(doc, [7], 'anna')
  db.close()
  const again = openSqlite(file)
  onTestFinished(() => void again.close())
  expect(await new SqliteClientIdStore(again).load(doc)).toEqual(new Map([[7, 'anna']]))
})
