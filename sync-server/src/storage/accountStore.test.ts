import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { accountStoreContract } from './accountStore.contract.ts'
import { MemoryAccountStore } from './MemoryAccountStore.ts'
import { SqliteStore } from './SqliteStore.ts'

accountStoreContract('MemoryAccountStore', () => {
  const accounts = new MemoryAccountStore()
  return Promise.resolve({ accounts, cleanup: () => accounts.close() })
})

accountStoreContract('SqliteAccountStore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'waggle-accounts-'))
  let store = SqliteStore.open(dir)
  return Promise.resolve({
    accounts: store.accounts,
    reopen: async () => {
      await store.close()
      store = SqliteStore.open(dir)
      return store.accounts
    },
    cleanup: async () => {
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    },
  })
}, true)
