/**
 * Workloads of size: the join storm (many clients ask for one large document at once) and
 * density (memory per idle connection and per loaded document). Each runs against a freshly
 * started relay process, so the documents are cold (loaded from storage by the workload).
 */
import { connect, type BenchClient } from './clients.ts'
import { CONNECT_CONCURRENCY, joined, member, type WorkloadContext } from './traffic.ts'
import type { Settled } from './relays.ts'
import { percentile, pool, sleep } from './stats.ts'

/** The large document (preloaded into each relay's store). */
export const LARGE_DOC = 'conv/sales-team/seg/1'
/** The `i`-th small document (preloaded). */
export const smallDoc = (i: number): string => `conv/sales-team/seg/${2 + i}`
/** The reference relay's sockets must name a room; its idle ones share this empty one. */
const IDLE_ROOM = 'idle'

export interface JoinStormOptions { clients: number }
export interface JoinStormResult {
  clients: number
  /** Smallest sync step 2 a client received (bytes): each got the whole document. */
  step2Bytes: number
  p50Ms: number; p99Ms: number; maxMs: number
  /** RSS before the storm, and VmHWM (peak RSS) from just before the storm until all are synced (bytes). */
  rssBeforeBytes: number; peakRssBytes: number
}

/**
 * Waggle and Hocuspocus clients open their socket (Waggle: and say hello, at most 8 at a time)
 * first; then all ask for the document at the same instant: Waggle a subscribe (sync step 1),
 * Hocuspocus auth + sync step 1 for the document. A reference client's socket is its room,
 * so there the storm opens the sockets (then sync step 1). Synced: sync step 2 received.
 */
export async function joinStorm(ctx: WorkloadContext, o: JoinStormOptions): Promise<JoinStormResult> {
  const pre = ctx.kind === 'reference' ? [] : await pool(o.clients, CONNECT_CONCURRENCY, (i) => connect(ctx.target, ctx.tokens[member(i)] ?? ''))
  const stormClients: BenchClient[] = []
  try {
    await ctx.relay.quiet()
    const rssBeforeBytes = ctx.relay.memory().rss
    ctx.relay.resetPeak()
    let sampledPeak = 0
    let sampling = true
    const sampler = (async () => {
      while (sampling) {
        sampledPeak = Math.max(sampledPeak, ctx.relay.memory().rss)
        await sleep(20)
      }
    })()
    const t0 = performance.now()
    const times = await Promise.all(Array.from({ length: o.clients }, async (_, i) => {
      let client = pre[i]
      if (client === undefined) {
        client = await connect(ctx.target, '', LARGE_DOC)
        stormClients.push(client)
      }
      const bytes = await client.join(LARGE_DOC)
      return { ms: performance.now() - t0, bytes }
    }))
    const peakRssBytes = Math.max(ctx.relay.memory().hwm, sampledPeak)
    sampling = false
    await sampler
    const ms = times.map((t) => t.ms)
    return {
      clients: o.clients, step2Bytes: Math.min(...times.map((t) => t.bytes)),
      p50Ms: Math.round(percentile(ms, 50)), p99Ms: Math.round(percentile(ms, 99)), maxMs: Math.round(Math.max(...ms)),
      rssBeforeBytes, peakRssBytes,
    }
  } finally {
    for (const c of [...pre, ...stormClients]) c.close()
  }
}

export interface DensityOptions { idle: number; docs: number }
export interface DensityResult {
  idle: number
  /** (settled RSS with the idle connections − before) / idle (bytes). */
  bytesPerIdleConnection: number
  docs: number
  /** (settled RSS with the documents loaded − before) / docs (bytes); reference: minus its sockets, see README. */
  bytesPerLoadedDoc: number
  /** The V8 heap's share of the two figures above (bytes, same method): the rest is native memory (sockets, buffers). */
  heapPerIdleConnection: number
  heapPerLoadedDoc: number
  /** Settled figures (bytes): before, with the documents, with documents and idle connections. */
  settled: { base: Settled; withDocs: Settled; withIdle: Settled }
}

/**
 * First one connection subscribes to `docs` small documents (the reference relay needs a socket
 * per document: `docs` sockets), then `idle` connections are opened that do nothing (Waggle:
 * after their hello; Hocuspocus: no document; reference: all in one empty room). Memory is the
 * relay's RSS after two full GCs once it is idle.
 */
export async function density(ctx: WorkloadContext, o: DensityOptions): Promise<DensityResult> {
  const clients: BenchClient[] = []
  try {
    await ctx.relay.quiet()
    const base = await ctx.relay.settled()
    if (ctx.kind === 'reference') {
      clients.push(...await pool(o.docs, CONNECT_CONCURRENCY, (i) => joined(ctx, 'anna', smallDoc(i))))
    } else {
      const one = await connect(ctx.target, ctx.tokens.anna ?? '')
      clients.push(one)
      await Promise.all(Array.from({ length: o.docs }, (_, i) => one.join(smallDoc(i))))
    }
    await ctx.relay.quiet()
    const withDocs = await ctx.relay.settled()
    const idle = await pool(o.idle, CONNECT_CONCURRENCY, async (i) => {
      const c = await connect(ctx.target, ctx.tokens[member(i)] ?? '', IDLE_ROOM)
      c.inspect = false
      return c
    })
    clients.push(...idle)
    await ctx.relay.quiet()
    const withIdle = await ctx.relay.settled()
    const per = (key: keyof Settled) => {
      const connection = (withIdle[key] - withDocs[key]) / o.idle
      // The reference relay's documents came with a socket each.
      const docs = withDocs[key] - base[key] - (ctx.kind === 'reference' ? o.docs * connection : 0)
      return { connection: Math.round(connection), doc: Math.round(docs / o.docs) }
    }
    const rss = per('rss')
    const heap = per('heapUsed')
    return {
      idle: o.idle, bytesPerIdleConnection: rss.connection, docs: o.docs, bytesPerLoadedDoc: rss.doc,
      heapPerIdleConnection: heap.connection, heapPerLoadedDoc: heap.doc, settled: { base, withDocs, withIdle },
    }
  } finally {
    for (const c of clients) c.close()
  }
}
