import { SyncClient, type DocHandle, type OutboxEntry } from '@waggle/client'
import { Availability, WaggleError, directConvId, docName, readPositions, type ConvId, type DocName, type UserId } from '@waggle/schema'
import type { Browser } from 'playwright-core'
import { SQLITE_FILE_NAME } from '../sync-server/src/storage/SqliteStore.ts'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import type * as Y from 'yjs'
import { openSqlite } from '../sync-server/src/storage/sqlite.ts'
import { SqlitePersistence } from '../sync-server/src/storage/SqlitePersistence.ts'
import { Device, type Tab } from '../e2e/support/browser.ts'
import { RelayProcess } from '../e2e/support/relay.ts'
import { CALM, ChaosProxy, type Faults, type ProxyStats } from './chaosProxy.ts'
import { checkMessages, difference, docFrom, markerOf, type SentMessage } from './oracle.ts'
import { Replica } from './replica.ts'
import { Rng } from './rng.ts'

/** The devices of a run: two of Anna's, and colleagues who share conversations with her. */
const DEVICES = ['anna/1', 'anna/2', 'marco/1', 'diego/1', 'lena/1'] as const
/** Who groups created during the run may include (some of them have no device). */
const PEOPLE = ['anna', 'marco', 'diego', 'lena', 'tom', 'priya'] as UserId[]

/** The faults while the run operates (after healing: none). */
export const CHAOS: Faults = { delayMs: { min: 0, max: 40 }, drop: 0.02, duplicate: 0.05, reorder: 0.05, cut: 0.01 }
/** HTTP requests (commands) lost before the relay, or their answer lost after it. */
const FETCH_LOSS = 0.05

export interface ConvergenceOptions {
  seed: number
  /** Random operations and events. */
  steps: number
  /** Chance per step that the relay is killed with SIGKILL and restarted on the same SQLite file. */
  killChance?: number
  /** Chance per step that a device restarts from its stored state. */
  restartChance?: number
  /**
   * Also a device in Chromium (Marco's `marco/web`) with this many tabs of the sync layer's test
   * page (`e2e/harness`, served at `site`): Dexie storage, one leader tab, the others through it.
   */
  tabs?: { browser: Browser; site: string; count: number }
  log?: (line: string) => void
}

/** The documents the Chromium tabs open and write (Marco may write both). */
const WEB_DOCS = [docName.segment('sales-team' as ConvId, 0), docName.segment(directConvId('anna' as UserId, 'marco' as UserId), 0)]

export interface ConvergenceReport {
  seed: number
  steps: number
  ops: Record<string, number>
  relayKills: number
  sent: number
  docsCompared: number
  proxy: ProxyStats
  /** From the end of the operations until nothing was pending anywhere. */
  healMs: number
  durationMs: number
  /** Empty when every promise held. */
  problems: string[]
}

const WEIGHTS = {
  send: 30, edit: 8, remove: 5, react: 10, read: 10, pin: 4, status: 4, createGroup: 3, addMember: 4,
  closeView: 4, partition: 3, cutAll: 2,
} satisfies Record<string, number>
type Op = keyof typeof WEIGHTS

const EMOJI = ['👍', '🎉', '❤️', '😂']
const WORDS = ['call', 'Verona', 'offer', 'tomorrow', 'perché', 'Straße', 'invoice', 'firmware', 'ok', 'meeting']

/** Resolves when `ready()` holds, or rejects with `what` after `ms`. */
async function until(ready: () => boolean | Promise<boolean>, ms: number, what: () => string): Promise<void> {
  const deadline = Date.now() + ms
  for (;;) {
    if (await ready()) return
    if (Date.now() > deadline) throw new Error(`Timed out after ${ms} ms: ${what()}`)
    await pace(20)
  }
}

/** Waits `ms`: the run's pacing between operations (a load shape, not a wait for a condition). */
function pace(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

async function signIn(base: string, user: string): Promise<{ token: string; userId: string; workspaceId: string }> {
  const email = `${user}@example.com`
  const post = async (path: string, body: unknown) => {
    const res = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`)
    return (await res.json()) as Record<string, string>
  }
  const { devCode } = await post('/api/auth/email/start', { email })
  return (await post('/api/auth/email/verify', { email, code: devCode })) as { token: string; userId: string; workspaceId: string }
}

/**
 * One seeded convergence run (issue 8): devices running the real app model reach a real relay
 * (a child process on SQLite) through the chaos proxy; random operations from the document API,
 * device restarts, partitions, cut connections and relay kills; then healing and the oracle.
 */
export async function runConvergence(options: ConvergenceOptions): Promise<ConvergenceReport> {
  const started = Date.now()
  const log = options.log ?? (() => {})
  const killChance = options.killChance ?? 0.02
  const restartChance = options.restartChance ?? 0.03
  const rng = new Rng(options.seed, 0)
  const faultRng = new Rng(options.seed, 1)
  const problems: string[] = []
  const ops: Record<string, number> = {}
  const count = (what: string) => {
    ops[what] = (ops[what] ?? 0) + 1
  }
  const staticDir = mkdtempSync(join(tmpdir(), 'waggle-torture-static-'))
  const relay = await RelayProcess.start({ staticDir })
  const proxy = await ChaosProxy.start(() => `ws://127.0.0.1:${relay.port}`, faultRng)
  const chaosFetch: typeof fetch = async (input, init) => {
    if (proxy.faults !== CALM && faultRng.chance(FETCH_LOSS)) throw new TypeError('torture: request lost')
    const res = await fetch(input, init)
    if (proxy.faults !== CALM && faultRng.chance(FETCH_LOSS)) throw new TypeError('torture: answer lost')
    return res
  }

  const replicas: Replica[] = []
  const verifiers: SyncClient[] = []
  let web: Device | null = null
  const tabs: Tab[] = []
  let relayKills = 0
  let restarting: Promise<void> | null = null
  const sent = new Map<string, SentMessage>()
  const groups = new Map<ConvId, { creator: UserId; members: Set<UserId> }>()
  const partitionedUntil = new Map<string, number>()
  const lastRead = new Map<string, Map<string, string>>()
  let healMs: number
  let docsCompared: number

  try {
    const sessions = new Map<string, Awaited<ReturnType<typeof signIn>>>()
    for (const device of DEVICES) {
      const user = device.split('/')[0] as UserId
      let s = sessions.get(user)
      if (s === undefined) {
        s = await signIn(relay.url, user)
        sessions.set(user, s)
      }
      replicas.push(new Replica(device, user, { ...s, email: `${user}@example.com` }, relay.url, proxy.urlFor(device), chaosFetch))
    }
    for (const r of replicas) r.start()
    await until(() => replicas.every((r) => r.app.status().state === 'synced' && r.app.inbox().length > 0), 60_000, () => 'first sync of every device')
    if (options.tabs !== undefined) {
      const marco = sessions.get('marco')
      if (marco === undefined) throw new Error('marco has no session')
      web = await Device.create(options.tabs.browser, `${options.tabs.site}/?relay=${encodeURIComponent(proxy.urlFor('marco/web'))}`, marco)
      for (let i = 0; i < options.tabs.count; i++) {
        const tab = await web.newTab()
        for (const doc of WEB_DOCS) await tab.open(doc)
        tabs.push(tab)
      }
      await until(async () => (await Promise.all(tabs.map((t) => t.status()))).every((s) => s.state === 'synced'), 60_000, () => 'first sync of the tabs')
    }
    log(`torture: seed ${options.seed}: ${replicas.length} devices and ${tabs.length} tabs synced; ${options.steps} steps under chaos`)
    proxy.faults = CHAOS

    const writable = (r: Replica) => r.app.inbox().filter((i) => !i.readOnly && i.creation === null)

    /** Messages of open views a device may act on: `own` ones for edit and delete. */
    const loaded = (r: Replica, own: boolean) =>
      r.openViews().flatMap((view) => view.messages()
        .filter((m) => !m.deleted && m.system === undefined && m.delivery !== 'rejected' && (!own || m.own) && markerOf(m.text) !== null)
        .map((m) => ({ view, m })))

    const act: Record<Op, (r: Replica, n: number) => string | null> = {
      send(r, n) {
        const items = writable(r)
        if (items.length === 0) return null
        const conv = rng.pick(items).conv
        const view = r.view(conv)
        if (view.loading() || view.cannotSend() !== null) return null
        const marker = `⟦${r.name}#${n}⟧`
        const text = `${marker} ${rng.pick(WORDS)} ${rng.pick(WORDS)}`
        view.send(text)
        const shown = view.messages().findLast((m) => m.own && m.text === text)
        if (shown === undefined) {
          problems.push(`${r.name}: the message ${marker} it sent is not shown in its own view`)
          return null
        }
        sent.set(shown.id, { marker, id: shown.id, conv, replica: r.name, deleted: false })
        return `send ${marker} to ${conv}`
      },
      edit(r, n) {
        const own = loaded(r, true)
        if (own.length === 0) return null
        const { view, m } = rng.pick(own)
        try {
          view.edit(m.id, `${markerOf(m.text)} edited #${n}`)
        } catch (err) {
          if (err instanceof WaggleError) return `edit refused on the device: ${err.message}`
          throw err
        }
        return `edit ${m.id}`
      },
      remove(r) {
        const own = loaded(r, true)
        if (own.length === 0) return null
        const { view, m } = rng.pick(own)
        view.remove(m.id)
        const record = sent.get(m.id)
        if (record !== undefined) record.deleted = true
        return `delete ${m.id}`
      },
      react(r) {
        const any = loaded(r, false)
        if (any.length === 0) return null
        const { view, m } = rng.pick(any)
        view.toggleReaction(m.id, rng.pick(EMOJI))
        return `react to ${m.id}`
      },
      read(r) {
        const views = r.openViews().filter((v) => v.messages().length > 0)
        if (views.length === 0) return null
        const view = rng.pick(views)
        const last = view.messages().at(-1)
        if (last === undefined) return null
        view.markRead(last.id)
        return `read ${view.conv} up to ${last.id}`
      },
      pin(r) {
        const items = r.app.inbox()
        if (items.length === 0) return null
        const item = rng.pick(items)
        r.app.setPinned(item.conv, !item.pinned)
        return `${item.pinned ? 'unpin' : 'pin'} ${item.conv}`
      },
      status(r, n) {
        r.app.presence.setStatus({ availability: rng.pick(Availability), message: `status ${n}`, emoji: null, clearAfter: { kind: 'never' }, save: rng.chance(0.3) })
        return 'set status'
      },
      createGroup(r, n) {
        const others = PEOPLE.filter((p) => p !== r.user && rng.chance(0.5))
        if (others.length === 0) return null
        const conv = r.app.createGroup({ title: `Torture ${r.name} ${n}`, members: others })
        groups.set(conv, { creator: r.user, members: new Set([r.user, ...others]) })
        return `create group ${conv} with ${others.join(', ')}`
      },
      addMember(r) {
        // Groups of this user that this device knows (the other device's may not be created yet).
        const known = new Set(r.app.inbox().map((i) => i.conv))
        const mine = [...groups].filter(([conv, g]) => g.creator === r.user && known.has(conv))
        if (mine.length === 0) return null
        const [conv, group] = rng.pick(mine)
        const candidates = PEOPLE.filter((p) => !group.members.has(p))
        if (candidates.length === 0) return null
        const member = rng.pick(candidates)
        r.app.groups.addMembers(conv, [member], [], false)
        group.members.add(member)
        return `add ${member} to ${conv}`
      },
      closeView(r) {
        const views = r.openViews()
        if (views.length === 0) return null
        const view = rng.pick(views)
        r.closeView(view.conv)
        return `close ${view.conv}`
      },
      partition(r, n) {
        if (proxy.isPartitioned(r.name)) return null
        proxy.partition(r.name)
        partitionedUntil.set(r.name, n + rng.between(3, 20))
        return 'partitioned'
      },
      cutAll() {
        proxy.cutAll()
        return 'cut every connection'
      },
    }

    const opNames = Object.keys(WEIGHTS) as Op[]
    const total = opNames.reduce((sum, op) => sum + WEIGHTS[op], 0)
    const pickOp = (): Op => {
      let x = rng.next() * total
      for (const op of opNames) {
        x -= WEIGHTS[op]
        if (x < 0) return op
      }
      return 'send'
    }

    for (let n = 0; n < options.steps; n++) {
      for (const [name, until] of partitionedUntil) {
        if (n < until) continue
        proxy.heal(name)
        partitionedUntil.delete(name)
      }
      if (rng.chance(killChance)) {
        // The relay dies mid-write and comes back on the same SQLite file; devices keep working.
        await restarting
        await relay.kill()
        relayKills++
        count('killRelay')
        log(`  ${n}: relay killed (-9)`)
        restarting = relay.restart()
      }
      if (tabs.length > 0 && rng.chance(0.15)) {
        // A step of the Chromium device: a message from one of its tabs, or a tab reloaded.
        const tab = rng.pick(tabs)
        if (rng.chance(0.2)) {
          await tab.reload()
          for (const doc of WEB_DOCS) await tab.open(doc)
          count('reloadTab')
          log(`  ${n}: marco/web reloads tab ${tabs.indexOf(tab)}`)
        } else {
          const doc = rng.pick(WEB_DOCS)
          const marker = `⟦marco/web#${n}⟧`
          const id = await tab.send(doc, `${marker} ${rng.pick(WORDS)}`)
          sent.set(id, { marker, id, conv: doc.split('/')[1] ?? '', replica: 'marco/web', deleted: false })
          count('sendFromTab')
          log(`  ${n}: marco/web tab ${tabs.indexOf(tab)} send ${marker} to ${doc}`)
        }
        await pace(rng.between(0, 30))
        continue
      }
      const r = rng.pick(replicas)
      if (rng.chance(restartChance)) {
        r.restart()
        count('restartDevice')
        log(`  ${n}: ${r.name} restarts from its stored state`)
      }
      const op = pickOp()
      const done = act[op](r, n)
      if (done !== null) {
        count(op)
        log(`  ${n}: ${r.name} ${done}`)
      }
      await sampleReadPositions(replicas, lastRead, problems)
      await pace(rng.between(0, 30))
    }

    // Healing: the network is perfect again, the relay is up, every device reconnects.
    const healStart = Date.now()
    proxy.faults = CALM
    proxy.heal()
    await restarting
    proxy.cutAll()
    log(`torture: healing (${sent.size} messages sent, ${relayKills} relay kills)`)
    try {
      await until(() => replicas.every((r) => {
        const s = r.app.status()
        return s.state === 'synced' && s.pending === 0 && s.rejected === 0
      }), 90_000, () => replicas.map((r) => `${r.name}: ${JSON.stringify(r.app.status())}`).join('; '))
      await until(async () => (await Promise.all(tabs.map((t) => t.status()))).every((s) => s.state === 'synced' && s.pending === 0 && s.rejected === 0),
        60_000, () => 'the tabs did not settle')
    } catch (err) {
      const stuck = await Promise.all(replicas.map(async (r) => `${r.name}: ${describeOutbox(await r.storage.outbox())}; commands: ${await r.commands()}`))
      problems.push(`stuck pending after healing: ${(err as Error).message}\n    ${stuck.join('\n    ')}`)
    }
    healMs = Date.now() - healStart
    for (const r of replicas) {
      const s = r.app.status()
      if (s.rejected > 0) problems.push(`${r.name}: ${s.rejected} local changes rejected: ${describeOutbox(await r.storage.outbox())}; commands: ${await r.commands()}`)
    }
    await sampleReadPositions(replicas, lastRead, problems)

    // The oracle: every device's copy of every document it holds equals the relay's.
    const held = new Map<Replica, Map<DocName, DocHandle>>()
    for (const r of replicas) {
      const names = await r.storage.docs()
      r.stop()
      const verifier = new SyncClient({
        account: `${r.session.workspaceId}.${r.session.userId}`, url: `ws://127.0.0.1:${relay.port}/ws`, token: r.session.token, storage: r.storage,
        WebSocket: WebSocket as unknown as typeof globalThis.WebSocket, network: null, tabs: null, releaseDelayMs: 0,
      })
      verifiers.push(verifier)
      held.set(r, new Map(names.map((name) => [name, verifier.open(name)])))
    }
    const db = openSqlite(join(relay.dataDir, SQLITE_FILE_NAME))
    try {
      const persistence = new SqlitePersistence(db)
      const truthOf = async (name: DocName): Promise<Y.Doc> => {
        const stored = await persistence.load(name)
        return docFrom(stored.snapshot === null ? stored.updates : [stored.snapshot, ...stored.updates])
      }
      let differences: string[] = []
      try {
        await until(async () => {
          differences = []
          for (const [r, docs] of held) {
            for (const [name, handle] of docs) {
              const why = difference(handle.doc, await truthOf(name))
              if (why !== null) differences.push(`${r.name} ${name}: ${why}`)
            }
          }
          for (const [i, tab] of tabs.entries()) {
            for (const name of WEB_DOCS) {
              const why = difference(docFrom([await tab.state(name)]), await truthOf(name))
              if (why !== null) differences.push(`marco/web tab ${i} ${name}: ${why}`)
            }
          }
          return differences.length === 0
        }, 30_000, () => `${differences.length} documents differ from the relay`)
      } catch {
        problems.push(...differences.map((d) => `diverged: ${d}`))
      }
      docsCompared = [...held.values()].reduce((n, docs) => n + docs.size, 0) + tabs.length * WEB_DOCS.length
      for (const [i, tab] of tabs.entries()) for (const e of tab.errors) problems.push(`marco/web tab ${i}: uncaught error in the page: ${e}`)
      const segments = new Map<DocName, Y.Doc>()
      for (const conv of new Set([...sent.values()].map((s) => s.conv as ConvId))) {
        for (let seg = 0; seg < 4; seg++) segments.set(docName.segment(conv, seg), await truthOf(docName.segment(conv, seg)))
      }
      problems.push(...checkMessages([...sent.values()], segments))
    } finally {
      db.close()
    }
  } finally {
    for (const v of verifiers) v.close()
    await web?.close()
    for (const r of replicas) r.stop()
    await proxy.close()
    await relay.dispose()
    rmSync(staticDir, { recursive: true, force: true })
  }
  return { seed: options.seed, steps: options.steps, ops, relayKills, sent: sent.size, docsCompared, proxy: { ...proxy.stats }, healMs, durationMs: Date.now() - started, problems }
}

function describeOutbox(entries: OutboxEntry[]): string {
  if (entries.length === 0) return 'outbox empty'
  return entries.map((e) => `#${e.seq} ${e.doc} ${e.state}${e.reason === undefined ? '' : ` (${e.reason}: ${e.message ?? ''})`}`).join(', ')
}

/** Read positions as each device stored them; a position that moved backwards is a problem. */
async function sampleReadPositions(replicas: readonly Replica[], last: Map<string, Map<string, string>>, problems: string[]): Promise<void> {
  for (const r of replicas) {
    const doc = docFrom(await r.storage.load(docName.private(r.user)))
    const before = last.get(r.name) ?? new Map<string, string>()
    const now = new Map<string, string>(readPositions(doc))
    for (const [conv, id] of before) {
      const current = now.get(conv)
      if (current === undefined || current < id) problems.push(`${r.name}: read position in ${conv} moved backwards from ${id} to ${current ?? 'nothing'}`)
    }
    last.set(r.name, now)
    doc.destroy()
  }
}
