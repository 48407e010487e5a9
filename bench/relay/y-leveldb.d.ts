/**
 * y-leveldb 0.2.0's `exports` map has no `types` condition, so TypeScript cannot find the
 * declarations it ships (`dist/src/y-leveldb.d.ts`); this declares the part the benchmark uses.
 */
declare module 'y-leveldb' {
  import type * as Y from 'yjs'

  export class LeveldbPersistence {
    constructor(location: string)
    getYDoc(docName: string): Promise<Y.Doc>
    storeUpdate(docName: string, update: Uint8Array): Promise<number>
    destroy(): Promise<void>
  }
}
