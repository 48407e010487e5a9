import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MemoryPersistence } from './MemoryPersistence.ts'
import { persistenceContract } from './persistence.contract.ts'
import { SqliteStore } from './SqliteStore.ts'

persistenceContract('MemoryPersistence', () => {
  const persistence = new MemoryPersistence()
  return Promise.resolve({ persistence, cleanup: () => persistence.close() })
})

persistenceContract('SqlitePersistence', () => {
  const dir = mkdtempSync(join(tmpdir(), 'waggle-persistence-'))
  let store = SqliteStore.open(dir)
  return Promise.resolve({
    persistence: store.persistence,
    reopen: async () => {
      await store.close()
      store = SqliteStore.open(dir)
      return store.persistence
    },
    cleanup: async () => {
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    },
  })
}, true)
