import Dexie from 'dexie'

/** Where an account's IndexedDB databases come from: the browser's, or fake-indexeddb in Node tests. */
export interface AccountDbOptions {
  /** The signed-in account; each account gets its own databases. */
  account: string
  /** Lets Node tests pass fake-indexeddb; browsers use the global one. */
  indexedDB?: IDBFactory
  IDBKeyRange?: typeof IDBKeyRange
}

/**
 * Opens one of the account's Dexie databases with strict durability (TOOLCHAIN: Chrome commits
 * relaxed by default, and these hold what must survive a crash). With `live`, an injected
 * IndexedDB is also registered globally, because Dexie's `liveQuery` runs only where Dexie found
 * an IndexedDB when it loaded (Node has none); a browser's own is never replaced.
 */
export function openAccountDb(name: string, options: AccountDbOptions, live = false): Dexie {
  if (live && !Dexie.dependencies.indexedDB && options.indexedDB) {
    Dexie.dependencies.indexedDB = options.indexedDB
    if (options.IDBKeyRange) Dexie.dependencies.IDBKeyRange = options.IDBKeyRange
  }
  return new Dexie(name, {
    chromeTransactionDurability: 'strict',
    // Spread only what was given: Dexie falls back to the globals for missing dependencies.
    ...(options.indexedDB ? { indexedDB: options.indexedDB } : {}),
    ...(options.IDBKeyRange ? { IDBKeyRange: options.IDBKeyRange } : {}),
  })
}
