/**
 * The e2e test page: the real sync layer (SyncClient, Dexie storage, Web Locks, BroadcastChannel)
 * in a real browser tab, driven by the tests through `window.harness` (see api.ts). No UI.
 */
import { DexieDocStorage, SyncClient, type DocHandle, type SyncStatus } from '@waggle/client'
import { Origin, appendMessage, isDeleted, isDocName, listMessages, newMessageId, type DocName, type UserId } from '@waggle/schema'
import * as Y from 'yjs'
import type { HarnessApi, HarnessSession } from './api.ts'

let client: SyncClient | null = null
let session: HarnessSession | null = null
const handles = new Map<string, DocHandle>()
const statusOutput = document.querySelector<HTMLOutputElement>('#status')
const leaderOutput = document.querySelector<HTMLOutputElement>('#leader')

function relayUrl(): string {
  return new URLSearchParams(location.search).get('relay') ?? `ws://${location.host}/ws`
}

function started(): SyncClient {
  if (client === null) throw new Error('harness.start() has not been called')
  return client
}

function handle(doc: string): DocHandle {
  const h = handles.get(doc)
  if (h === undefined) throw new Error(`harness.open('${doc}') has not been called`)
  return h
}

function show(status: SyncStatus): void {
  if (statusOutput === null) return
  const problem = status.problem === null ? '' : ` (${status.problem}: ${status.detail ?? ''})`
  statusOutput.value = `${status.state}, ${status.pending} pending, ${status.rejected} rejected${problem}`
}

const harness: HarnessApi = {
  start(s) {
    if (client !== null) throw new Error('harness.start() was already called')
    session = s
    const account = `${s.workspaceId}.${s.userId}`
    client = new SyncClient({ account, url: relayUrl(), token: s.token, storage: new DexieDocStorage({ account }) })
    show(client.status.get())
    client.status.subscribe(show)
    client.isLeader.subscribe((leader) => {
      if (leaderOutput !== null) leaderOutput.value = leader ? 'leader' : 'follower'
    })
    return Promise.resolve()
  },

  async open(doc) {
    if (!isDocName(doc)) throw new Error(`Not a document name: ${doc}`)
    let h = handles.get(doc)
    if (h === undefined) {
      h = started().open(doc)
      handles.set(doc, h)
    }
    await h.loaded
  },

  send(doc, text) {
    if (session === null) throw new Error('harness.start() has not been called')
    const id = newMessageId()
    appendMessage(handle(doc).doc, { id, author: session.userId as UserId, time: Date.now(), text }, Origin.local)
    return Promise.resolve(id)
  },

  state: (doc) => Promise.resolve([...Y.encodeStateAsUpdate(handle(doc).doc)]),

  texts(doc) {
    const texts = listMessages(handle(doc).doc).flatMap((m) => (isDeleted(m) ? [] : [m.text]))
    return Promise.resolve(texts)
  },

  status: () => Promise.resolve(started().status.get()),

  isLeader: () => Promise.resolve(started().isLeader.get()),

  async outbox() {
    const entries = await started().outbox()
    return entries.map(({ seq, doc, state }) => ({ seq, doc, state }))
  },

  access: (doc) => Promise.resolve(started().access(doc as DocName)),

  postRaw(message, text) {
    if (session === null) throw new Error('harness.start() has not been called')
    const account = `${session.workspaceId}.${session.userId}`
    const out: Record<string, unknown> = { account, ...message }
    if (text !== undefined && out['update'] === undefined) {
      const scratch = new Y.Doc()
      let update: Uint8Array | null = null
      scratch.on('update', (u: Uint8Array) => (update = u))
      appendMessage(scratch, { id: newMessageId(), author: session.userId as UserId, time: Date.now(), text }, Origin.local)
      out['update'] = update
    }
    const channel = new BroadcastChannel(`waggle:${account}`)
    channel.postMessage(out)
    channel.close()
    return Promise.resolve()
  },

  waitSynced(timeoutMs = 20_000) {
    const c = started()
    return new Promise<void>((resolve, reject) => {
      const check = (status: SyncStatus): boolean => {
        if (status.state !== 'synced') return false
        clearTimeout(timer)
        stop()
        resolve()
        return true
      }
      const timer = setTimeout(() => {
        stop()
        reject(new Error(`Not synced after ${timeoutMs} ms: ${JSON.stringify(c.status.get())}`))
      }, timeoutMs)
      const stop = c.status.subscribe(check)
      check(c.status.get())
    })
  },
}

window.harness = harness
