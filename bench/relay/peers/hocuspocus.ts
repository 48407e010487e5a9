/**
 * Hocuspocus 3.4 with its documented default store, `@hocuspocus/extension-sqlite`, on a file in
 * RELAY_DATA, and nothing else configured (no auth hook: every token is accepted; default
 * debounce of stores, 2 s, at most 10 s). Env: PORT (0: a free one), HOST, RELAY_DATA.
 * Prints `listening on http://HOST:PORT`.
 */
import { join } from 'node:path'
import { Server } from '@hocuspocus/server'
import { SQLite } from '@hocuspocus/extension-sqlite'

const server = new Server({
  port: Number(process.env.PORT ?? 0),
  address: process.env.HOST ?? '127.0.0.1',
  quiet: true,
  stopOnSignals: false,
  extensions: [new SQLite({ database: join(process.env.RELAY_DATA ?? '.', 'hocuspocus.sqlite') })],
})
await server.listen()
// Hocuspocus passes `address` to http's listen(), which reads `host`: it listens on every
// interface whatever is set; the benchmark connects through 127.0.0.1.
console.log(`hocuspocus listening on http://127.0.0.1:${server.address.port}`)

process.on('SIGTERM', () => {
  // destroy() stores every loaded document before it resolves.
  void server.destroy().then(() => process.exit(0))
})
