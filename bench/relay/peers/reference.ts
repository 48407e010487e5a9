/**
 * The reference relay: a minimal y-protocols WebSocket server of the kind the y-websocket README
 * describes (the classic `y-websocket/bin/utils.js` `setupWSConnection`): one Y.Doc per room
 * (the URL path), sync step 1/2, update broadcast and awareness, persisted with y-leveldb in
 * RELAY_DATA. `@y/websocket-server` targets Yjs 14 and does not install with Yjs 13 (TOOLCHAIN.md).
 * One difference from utils.js, on purpose: a connection's messages wait until the room's stored
 * state is loaded, so a client's sync step 2 is never an empty document that is filled later.
 * Env: PORT (0: a free one), HOST, RELAY_DATA. Prints `listening on http://HOST:PORT`.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate, removeAwarenessStates } from 'y-protocols/awareness'
import * as syncProtocol from 'y-protocols/sync'
import { LeveldbPersistence } from 'y-leveldb'
import { WebSocketServer, type RawData, type WebSocket } from 'ws'
import * as Y from 'yjs'

const MESSAGE_SYNC = 0
const MESSAGE_AWARENESS = 1
const PING_MS = 30_000

const ldb = new LeveldbPersistence(process.env.RELAY_DATA ?? './reference-data')

/** One room: its document, awareness, connections (with the awareness ids each set) and load. */
class Room extends Y.Doc {
  readonly conns = new Map<WebSocket, Set<number>>()
  readonly awareness = new Awareness(this)
  readonly loaded: Promise<void>

  constructor(readonly name: string) {
    super({ gc: true })
    this.awareness.setLocalState(null)
    this.awareness.on('update', ({ added, updated, removed }: AwarenessChange, origin: unknown) => {
      const ids = this.conns.get(origin as WebSocket)
      if (ids !== undefined) {
        for (const id of added) ids.add(id)
        for (const id of removed) ids.delete(id)
      }
      const e = encoding.createEncoder()
      encoding.writeVarUint(e, MESSAGE_AWARENESS)
      encoding.writeVarUint8Array(e, encodeAwarenessUpdate(this.awareness, [...added, ...updated, ...removed]))
      this.broadcast(encoding.toUint8Array(e))
    })
    this.on('update', (update: Uint8Array) => {
      const e = encoding.createEncoder()
      encoding.writeVarUint(e, MESSAGE_SYNC)
      syncProtocol.writeUpdate(e, update)
      this.broadcast(encoding.toUint8Array(e))
    })
    this.loaded = (async () => {
      const stored = await ldb.getYDoc(name)
      Y.applyUpdate(this, Y.encodeStateAsUpdate(stored))
      stored.destroy()
      // Like utils.js: every later update is appended to the room's log.
      this.on('update', (update: Uint8Array) => void ldb.storeUpdate(name, update))
    })()
  }

  broadcast(message: Uint8Array): void {
    for (const conn of this.conns.keys()) send(this, conn, message)
  }
}

interface AwarenessChange { added: number[]; updated: number[]; removed: number[] }

const rooms = new Map<string, Room>()

function send(room: Room, conn: WebSocket, message: Uint8Array): void {
  if (conn.readyState !== conn.OPEN) return close(room, conn)
  conn.send(message, (err) => err && close(room, conn))
}

function close(room: Room, conn: WebSocket): void {
  const ids = room.conns.get(conn)
  if (ids === undefined) return
  room.conns.delete(conn)
  removeAwarenessStates(room.awareness, [...ids], null)
  if (room.conns.size === 0) {
    rooms.delete(room.name)
    // y-leveldb has stored every update already; the room leaves memory.
    void room.loaded.then(() => room.destroy())
  }
  conn.close()
}

function onMessage(room: Room, conn: WebSocket, message: Uint8Array): void {
  const d = decoding.createDecoder(message)
  const e = encoding.createEncoder()
  const type = decoding.readVarUint(d)
  if (type === MESSAGE_SYNC) {
    encoding.writeVarUint(e, MESSAGE_SYNC)
    syncProtocol.readSyncMessage(d, e, room, conn)
    if (encoding.length(e) > 1) send(room, conn, encoding.toUint8Array(e))
  } else if (type === MESSAGE_AWARENESS) {
    applyAwarenessUpdate(room.awareness, decoding.readVarUint8Array(d), conn)
  }
}

function setup(conn: WebSocket, name: string): void {
  let room = rooms.get(name)
  if (room === undefined) {
    room = new Room(name)
    rooms.set(name, room)
  }
  const joined = room
  joined.conns.set(conn, new Set())
  let ready = joined.loaded
  conn.on('message', (data: RawData) => {
    const bytes = new Uint8Array(data as Buffer)
    ready = ready.then(() => onMessage(joined, conn, bytes)).catch((err: unknown) => {
      console.error('message failed', err)
      close(joined, conn)
    })
  })
  let alive = true
  conn.on('pong', () => (alive = true))
  const ping = setInterval(() => {
    if (!alive) return close(joined, conn)
    alive = false
    conn.ping()
  }, PING_MS)
  conn.on('close', () => {
    clearInterval(ping)
    close(joined, conn)
  })
  void ready.then(() => {
    const e = encoding.createEncoder()
    encoding.writeVarUint(e, MESSAGE_SYNC)
    syncProtocol.writeSyncStep1(e, joined)
    send(joined, conn, encoding.toUint8Array(e))
    const states = joined.awareness.getStates()
    if (states.size === 0) return
    const a = encoding.createEncoder()
    encoding.writeVarUint(a, MESSAGE_AWARENESS)
    encoding.writeVarUint8Array(a, encodeAwarenessUpdate(joined.awareness, [...states.keys()]))
    send(joined, conn, encoding.toUint8Array(a))
  })
}

const wss = new WebSocketServer({ noServer: true })
const http = createServer((_req, res) => res.end('reference relay'))
http.on('upgrade', (req, socket, head) => {
  const name = decodeURIComponent((req.url ?? '/').slice(1).split('?')[0] ?? '')
  wss.handleUpgrade(req, socket, head, (ws) => setup(ws, name))
})
http.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  const { address, port } = http.address() as AddressInfo
  console.log(`reference relay listening on http://${address}:${port}`)
})
process.on('SIGTERM', () => {
  http.close()
  for (const c of wss.clients) c.terminate()
  void ldb.destroy().then(() => process.exit(0))
})
