import type { ConvId, UserId, WorkspaceId } from '@waggle/schema'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { SqliteStore } from '../storage/SqliteStore.ts'
import { fileStoreContract } from './fileStore.contract.ts'
import { MemoryFileStore } from './MemoryFileStore.ts'

const conv = 'c1' as ConvId
const owner = 'u1' as UserId

fileStoreContract('MemoryFileStore', () => Promise.resolve({ files: new MemoryFileStore(), conv, owner, cleanup: () => Promise.resolve() }))

async function sqliteStore(dir: string): Promise<SqliteStore> {
  const store = SqliteStore.open(dir)
  await store.accounts.createWorkspace({ id: 'w1' as WorkspaceId, name: 'W', createdAt: 1 })
  await store.accounts.createUser({ id: owner, workspaceId: 'w1' as WorkspaceId, email: 'u1@example.com', name: 'U', role: 'member', canModifyPresence: false, createdAt: 1 })
  await store.accounts.createConversation({ id: conv, workspaceId: 'w1' as WorkspaceId, kind: 'group', createdBy: owner, createdAt: 1 })
  return store
}

fileStoreContract('SqliteFileStore', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'waggle-files-'))
  const store = await sqliteStore(dir)
  return {
    files: store.files, conv, owner,
    cleanup: async () => {
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
})

it('SqliteFileStore keeps the bytes under <data>/files/<id> and survives a reopen', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'waggle-files-'))
  try {
    const store = await sqliteStore(dir)
    await store.files.create({ id: 'f1', conv, owner, name: 'n.txt', size: 2, type: 'text/plain', offset: 0, complete: false, createdAt: 1 })
    await store.files.append('f1', 0, new Uint8Array([7]))
    await store.close()
    expect(existsSync(join(dir, 'files', 'f1'))).toBe(true)
    const again = SqliteStore.open(dir)
    expect((await again.files.get('f1'))?.offset).toBe(1)
    expect(await again.files.append('f1', 1, new Uint8Array([8]))).toBe(2)
    expect([...(await again.files.head('f1', 4))]).toEqual([7, 8])
    await again.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
