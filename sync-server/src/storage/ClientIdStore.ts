import type { DocName } from '@waggle/schema'

/** The owner a Yjs client id is bound to: a user id, or {@link SERVER_OWNER} for the relay's own changes. */
export type ClientIdOwner = string

/** The relay's own client ids (not a user id: user ids never start with `@`). */
export const SERVER_OWNER: ClientIdOwner = '@server'

/**
 * Which user first wrote to a document with each Yjs client id (issue 7: a client id is bound
 * to the session that first used it in a document and refused for anyone else). Kept in
 * storage so a restarted relay keeps the bindings.
 */
export interface ClientIdStore {
  /** Every binding of `doc`: client id to owner. */
  load(doc: DocName): Promise<Map<number, ClientIdOwner>>
  /**
   * Binds `ids` of `doc` to `owner`; resolves after the commit. An id already bound keeps its
   * first owner (the caller has checked it is `owner`).
   */
  bind(doc: DocName, ids: readonly number[], owner: ClientIdOwner): Promise<void>
}

/** In-memory {@link ClientIdStore} (tests, and a relay whose persistence keeps none). */
export class MemoryClientIdStore implements ClientIdStore {
  readonly #docs = new Map<DocName, Map<number, ClientIdOwner>>()

  load(doc: DocName): Promise<Map<number, ClientIdOwner>> {
    const copy = new Map<number, ClientIdOwner>()
    for (const [id, owner] of this.#docs.get(doc) ?? []) copy.set(id, owner)
    return Promise.resolve(copy)
  }

  bind(doc: DocName, ids: readonly number[], owner: ClientIdOwner): Promise<void> {
    let bound = this.#docs.get(doc)
    if (bound === undefined) this.#docs.set(doc, (bound = new Map<number, ClientIdOwner>()))
    for (const id of ids) if (!bound.has(id)) bound.set(id, owner)
    return Promise.resolve()
  }
}
