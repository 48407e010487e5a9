import type { DocName } from '@waggle/schema'
import type { ClientIdOwner, ClientIdStore } from './ClientIdStore.ts'
import { promised } from './promised.ts'
import type { SqliteDatabase } from './sqlite.ts'

/** {@link ClientIdStore} in the `doc_client_ids` table (migration 7); each call is one transaction. */
export class SqliteClientIdStore implements ClientIdStore {
  readonly #load: (doc: DocName) => Map<number, ClientIdOwner>
  readonly #bind: (doc: DocName, ids: readonly number[], owner: ClientIdOwner) => void

  constructor(db: SqliteDatabase) {
    const select = db.prepare<[string], { client_id: number; owner: string }>('SELECT client_id, owner FROM doc_client_ids WHERE doc = ?')
    const insert = db.prepare<[string, number, string]>('INSERT INTO doc_client_ids (doc, client_id, owner) VALUES (?, ?, ?) ON CONFLICT DO NOTHING')
    this.#load = (doc) => new Map(select.all(doc).map((r) => [r.client_id, r.owner]))
    this.#bind = db.transaction((doc: DocName, ids: readonly number[], owner: ClientIdOwner) => {
      for (const id of ids) insert.run(doc, id, owner)
    })
  }

  load(doc: DocName): Promise<Map<number, ClientIdOwner>> {
    return promised(() => this.#load(doc))
  }

  bind(doc: DocName, ids: readonly number[], owner: ClientIdOwner): Promise<void> {
    return promised(() => this.#bind(doc, ids, owner))
  }
}
