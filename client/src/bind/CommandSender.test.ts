import { afterEach, describe, expect, it } from 'vitest'
import type { CommandId, ConvId, CreateConversationCommand, Reason } from '@waggle/schema'
import { CommandSender, outcomeOf, postCommand, type PostOutcome } from './CommandSender.ts'
import type { CommandRow } from './LocalIndex.ts'

const cmdId = (s: string) => s as CommandId
const command = (id: string): CreateConversationCommand => ({ id: cmdId(id), type: 'createConversation', conv: `conv-${id}` as ConvId, kind: 'group', title: id, members: [] })

describe('outcome of a POST /api/commands answer', () => {
  const id = cmdId('c1')
  it('reads accepted and rejected results', () => {
    expect(outcomeOf(200, { id, status: 'accepted' }, id)).toEqual({ kind: 'accepted' })
    expect(outcomeOf(200, { id, status: 'rejected', reason: 'forbidden', message: 'No' }, id)).toEqual({ kind: 'rejected', reason: 'forbidden', message: 'No' })
  })

  it('treats an invalid body (400) and other refusals as rejected, with a reason even when the body has none', () => {
    expect(outcomeOf(400, { reason: 'bad-request', message: 'Title too long' }, id)).toEqual({ kind: 'rejected', reason: 'bad-request', message: 'Title too long' })
    expect(outcomeOf(403, null, id)).toMatchObject({ kind: 'rejected', reason: 'bad-request' })
  })

  it('retries network-like failures and unreadable answers, and waits on 401', () => {
    for (const status of [429, 500, 502, 503, 408]) expect(outcomeOf(status, null, id)).toEqual({ kind: 'retry' })
    expect(outcomeOf(200, { id: 'other', status: 'accepted' }, id)).toEqual({ kind: 'retry' })
    expect(outcomeOf(200, 'nonsense', id)).toEqual({ kind: 'retry' })
    expect(outcomeOf(401, { reason: 'unauthorized' }, id)).toEqual({ kind: 'unauthorized' })
  })

  it('posts with the bearer token and maps a network error to retry', async () => {
    const seen: { url: string; auth: string | null; body: unknown }[] = []
    const fetchOk = ((url: string, init: RequestInit) => {
      seen.push({ url, auth: new Headers(init.headers).get('authorization'), body: JSON.parse(init.body as string) })
      return Promise.resolve(new Response(JSON.stringify({ id: 'c1', status: 'accepted' }), { status: 200 }))
    }) as typeof fetch
    expect(await postCommand(fetchOk, 'http://x', 'tok', command('c1'))).toEqual({ kind: 'accepted' })
    expect(seen).toEqual([{ url: 'http://x/api/commands', auth: 'Bearer tok', body: command('c1') }])
    const fetchDown = (() => Promise.reject(new TypeError('fetch failed'))) as typeof fetch
    expect(await postCommand(fetchDown, '', 'tok', command('c1'))).toEqual({ kind: 'retry' })
  })
})

/** The command outbox in memory. */
class FakeIndex {
  rows: CommandRow[] = []
  add(id: string): void {
    this.rows.push({ seq: this.rows.length + 1, id: cmdId(id), conv: `conv-${id}` as ConvId, command: command(id), state: 'pending', createdAt: 0 })
  }
  commands = () => Promise.resolve(this.rows.map((r) => ({ ...r })))
  remove = (id: CommandId) => {
    this.rows = this.rows.filter((r) => r.id !== id)
    return Promise.resolve()
  }
  reject = (id: CommandId, reason: Reason, message: string) => {
    this.rows = this.rows.map((r) => (r.id === id ? { ...r, state: 'rejected' as const, reason, message } : r))
    return Promise.resolve()
  }
}

let sender: CommandSender | null = null
afterEach(() => sender?.dispose())

describe('CommandSender', () => {
  function setup(answers: (id: string, attempt: number) => PostOutcome) {
    const index = new FakeIndex()
    const posted: string[] = []
    let online = true
    const s = new CommandSender({
      index, onError: (err) => { throw err }, online: () => online, delay: () => 1,
      post: (c) => {
        posted.push(c.id)
        return Promise.resolve(answers(c.id, posted.filter((p) => p === c.id).length))
      },
    })
    sender = s
    return { index, posted, sender: s, setOnline: (v: boolean) => (online = v) }
  }

  it('sends in order, removes accepted ones and keeps rejected ones with the reason', async () => {
    const { index, posted, sender: s } = setup((id) => (id === 'b' ? { kind: 'rejected', reason: 'forbidden', message: 'Not allowed' } : { kind: 'accepted' }))
    index.add('a')
    index.add('b')
    index.add('c')
    s.kick()
    await expect.poll(() => index.rows.map((r) => [r.id, r.state, r.message])).toEqual([['b', 'rejected', 'Not allowed']])
    expect(posted).toEqual(['a', 'b', 'c'])
  })

  it('waits while offline and retries a failed send with backoff, keeping the order', async () => {
    const { index, posted, sender: s, setOnline } = setup((id, attempt) => (id === 'a' && attempt < 3 ? { kind: 'retry' } : { kind: 'accepted' }))
    index.add('a')
    index.add('b')
    setOnline(false)
    s.kick()
    await Promise.resolve()
    expect(posted).toEqual([])
    setOnline(true)
    s.kick()
    await expect.poll(() => index.rows.length).toBe(0)
    expect(posted).toEqual(['a', 'a', 'a', 'b'])
  })

  it('leaves commands pending after a 401 until the next kick', async () => {
    let authorized = false
    const { index, posted, sender: s } = setup(() => (authorized ? { kind: 'accepted' } : { kind: 'unauthorized' }))
    index.add('a')
    s.kick()
    await expect.poll(() => posted.length).toBe(1)
    expect(index.rows.map((r) => r.state)).toEqual(['pending'])
    authorized = true
    s.kick()
    await expect.poll(() => index.rows.length).toBe(0)
  })
})
