import { join } from 'node:path'
import { SqliteFileStore } from '../files/SqliteFileStore.ts'
import { SqliteMessageSearch } from '../search/SqliteMessageSearch.ts'
import { SqliteAccountStore } from './SqliteAccountStore.ts'
import { SqlitePersistence } from './SqlitePersistence.ts'
import { openSqlite, type SqliteDatabase } from './sqlite.ts'

/** The relay's database file inside its data directory. */
export const SQLITE_FILE_NAME = 'waggle.sqlite'

/**
 * The relay's SQLite storage: one connection to `<dir>/waggle.sqlite`, shared by document
 * {@link SqlitePersistence} and {@link SqliteAccountStore}. This object owns the connection;
 * the two stores only borrow it, so close the store, not them.
 */
export class SqliteStore {
  readonly persistence: SqlitePersistence
  readonly accounts: SqliteAccountStore
  /** Uploaded files: metadata in this database, bytes in `<dir>/files/`. */
  readonly files: SqliteFileStore
  /** The message search index (FTS5), next to the documents it indexes. */
  readonly search: SqliteMessageSearch

  private constructor(readonly db: SqliteDatabase, dir: string) {
    this.persistence = new SqlitePersistence(db)
    this.accounts = new SqliteAccountStore(db)
    this.files = new SqliteFileStore(db, join(dir, 'files'))
    this.search = new SqliteMessageSearch(db)
  }

  /** Opens (creating and migrating if needed) the database in `dir`. */
  static open(dir: string): SqliteStore {
    return new SqliteStore(openSqlite(join(dir, SQLITE_FILE_NAME)), dir)
  }

  /** Closes the connection; safe to call twice. */
  async close(): Promise<void> {
    await this.persistence.close()
    await this.accounts.close()
    if (this.db.open) this.db.close()
  }
}
