/**
 * Child process for sqlite.test.ts: appends to the database file given as argv[2] forever,
 * printing each sequence number once `append` has resolved (the point where the relay would
 * acknowledge). The test kills it with SIGKILL and checks that every printed number is stored.
 */
import type { DocName } from '@waggle/schema'
import { SqlitePersistence } from './SqlitePersistence.ts'
import { openSqlite } from './sqlite.ts'

const file = process.argv[2]
if (file === undefined) throw new Error('usage: appendUntilKilled.fixture.ts <file>')
const persistence = new SqlitePersistence(openSqlite(file))
const doc = 'conv/killed/seg/0' as DocName
for (let i = 0; ; i++) {
  const seq = await persistence.append(doc, Uint8Array.from([i & 0xff, (i >> 8) & 0xff]))
  process.stdout.write(`${seq}\n`)
}
