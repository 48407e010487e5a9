/**
 * One library's run of the chat workload, in its own process (`node --expose-gc`), so heap
 * numbers are not mixed with the other library's: prints one JSON line.
 * `node --expose-gc --import tsx bench/crdt/measure.ts <yjs|automerge> <seed> <messages>`
 */
import * as Automerge from '@automerge/automerge'
import * as Y from 'yjs'
import { DEFAULT_SHAPE, chatWorkload, type ChatOp } from './workload.ts'

export interface CrdtResult {
  library: 'yjs' | 'automerge'
  ops: number
  applyMs: number
  usPerOp: number
  encodedBytes: number
  loadMs: number
  /** Heap of the loaded document (after gc, minus the heap before loading). */
  loadedHeapBytes: number
  /** Live messages after the workload, to prove both ended in the same state. */
  liveMessages: number
  reactions: number
}

const gc = (): void => (globalThis as { gc?: () => void }).gc?.()

function heap(): number {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

function runYjs(ops: readonly ChatOp[]): CrdtResult {
  const doc = new Y.Doc()
  const messages = doc.getMap<unknown>('messages')
  const reactions = doc.getMap<number>('reactions')
  const started = performance.now()
  for (const op of ops) {
    doc.transact(() => {
      switch (op.kind) {
        case 'send': messages.set(op.id, { id: op.id, author: op.author, time: op.time, text: op.text }); break
        case 'edit': {
          const m = messages.get(op.id) as { deleted?: boolean } | undefined
          if (m !== undefined && m.deleted !== true) messages.set(op.id, { ...m, text: op.text, editedAt: op.time })
          break
        }
        case 'delete': {
          const m = messages.get(op.id) as { author: string; time: number } | undefined
          if (m !== undefined) messages.set(op.id, { id: op.id, author: m.author, time: m.time, deleted: true, deletedAt: op.time })
          break
        }
        case 'react': reactions.set(op.key, op.time); break
        case 'unreact': reactions.delete(op.key); break
      }
    })
  }
  const applyMs = performance.now() - started
  const bytes = Y.encodeStateAsUpdate(doc)
  doc.destroy()
  const before = heap()
  const t0 = performance.now()
  const loaded = new Y.Doc()
  Y.applyUpdate(loaded, bytes)
  const loadMs = performance.now() - t0
  const loadedHeapBytes = heap() - before
  const live = [...loaded.getMap<{ deleted?: boolean }>('messages').values()].filter((m) => m.deleted !== true).length
  return { library: 'yjs', ops: ops.length, applyMs, usPerOp: (applyMs * 1000) / ops.length, encodedBytes: bytes.byteLength, loadMs, loadedHeapBytes, liveMessages: live, reactions: loaded.getMap('reactions').size }
}

type Message = { id: string; author: string; time: number; text?: string; editedAt?: number; deleted?: boolean; deletedAt?: number }
type Bucketed<T> = Record<string, Record<string, T>>
/**
 * Messages and reactions in buckets of at most ~1,300 keys: Automerge's JS API copies the
 * changed object on every change, so one flat map of 100,000 messages makes each change O(n)
 * (measured: 6.7 ms per operation at 20,000 messages, which would take hours at 100,000).
 * Bucketing is what an Automerge user would do; Yjs needs no such layout change.
 */
type ChatDoc = { messages: Bucketed<Message>; reactions: Bucketed<number> }
const bucketOf = (key: string): string => key.slice(0, 7)

function runAutomerge(ops: readonly ChatOp[]): CrdtResult {
  let doc = Automerge.from<ChatDoc>({ messages: {}, reactions: {} })
  const started = performance.now()
  for (const op of ops) {
    doc = Automerge.change(doc, (d) => {
      const bucket = <T,>(root: Bucketed<T>, key: string): Record<string, T> => {
        const name = bucketOf(key)
        root[name] ??= {}
        return root[name]
      }
      switch (op.kind) {
        case 'send': bucket(d.messages, op.id)[op.id] = { id: op.id, author: op.author, time: op.time, text: op.text }; break
        case 'edit': {
          const b = bucket(d.messages, op.id)
          const m = b[op.id]
          // The same layout as the Yjs side: the message's value is replaced, not patched.
          if (m !== undefined && m.deleted !== true) b[op.id] = { id: m.id, author: m.author, time: m.time, text: op.text, editedAt: op.time }
          break
        }
        case 'delete': {
          const b = bucket(d.messages, op.id)
          const m = b[op.id]
          if (m !== undefined) b[op.id] = { id: op.id, author: m.author, time: m.time, deleted: true, deletedAt: op.time }
          break
        }
        case 'react': bucket(d.reactions, op.key)[op.key] = op.time; break
        case 'unreact': delete bucket(d.reactions, op.key)[op.key]; break
      }
    })
  }
  const applyMs = performance.now() - started
  const bytes = Automerge.save(doc)
  // Let the built document go before measuring the loaded one.
  Automerge.free(doc)
  const before = heap()
  const t0 = performance.now()
  const loaded = Automerge.load<ChatDoc>(bytes)
  const loadMs = performance.now() - t0
  const loadedHeapBytes = heap() - before
  const live = Object.values(loaded.messages).flatMap((b) => Object.values(b)).filter((m) => m.deleted !== true).length
  const reactions = Object.values(loaded.reactions).reduce((n, b) => n + Object.keys(b).length, 0)
  return { library: 'automerge', ops: ops.length, applyMs, usPerOp: (applyMs * 1000) / ops.length, encodedBytes: bytes.byteLength, loadMs, loadedHeapBytes, liveMessages: live, reactions }
}

const [library, seedArg, messagesArg] = process.argv.slice(2)
const seed = Number(seedArg ?? 1)
const messages = Number(messagesArg ?? DEFAULT_SHAPE.messages)
const ops = chatWorkload(seed, { ...DEFAULT_SHAPE, messages })
const result = library === 'automerge' ? runAutomerge(ops) : runYjs(ops)
console.log(JSON.stringify(result))
