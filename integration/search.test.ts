import { createAppModel, type AppModel, type ConversationModel } from '@waggle/client'
import { directConvId, type ConvId, type UserId } from '@waggle/schema'
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb'
import { createRoot } from 'solid-js'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { TestRelay } from './relay.ts'

/**
 * Search (issue 6) through the app model on devices in Node against a real relay: messages
 * that arrive, are edited and deleted are found (or not) on the device; recent searches reach
 * the user's other device; what is only at the relay is found there and labelled so.
 */
const anna = 'anna' as UserId
const marco = 'marco' as UserId
const dm = directConvId(anna, marco)
const SLOW = { timeout: 8_000 }

let relay: TestRelay
const disposers: (() => void)[] = []

afterEach(async () => {
  for (const dispose of disposers.splice(0)) dispose()
  await relay.stop()
})

async function device(id: string, indexedDB = new IDBFactory()): Promise<AppModel> {
  const s = await relay.signIn(id)
  const app = createAppModel({
    session: { ...s, email: `${id}@example.com` }, baseUrl: relay.httpUrl, wsUrl: relay.wsUrl, indexedDB, IDBKeyRange,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket, network: null, tabs: null, releaseDelayMs: 0, storageManager: null,
  })
  disposers.push(() => app.dispose())
  return app
}

function open(app: AppModel, conv: ConvId): ConversationModel {
  const view = app.openConversation(conv)
  disposers.push(() => view.dispose())
  return view
}

/** A search field's session, as the UI holds it. */
function searching(app: AppModel) {
  return createRoot((dispose) => {
    disposers.push(dispose)
    return app.search.session()
  })
}

describe('search through the app model', () => {
  it('finds a message that arrived, then its edit, and never once deleted', async () => {
    relay = await new TestRelay({}, undefined).start()
    const a = await device('anna')
    const m = await device('marco')
    const view = open(m, dm)
    await expect.poll(() => view.loading(), SLOW).toBe(false)
    view.send('Il preventivo per Verona è pronto, perché non lo guardi?')
    await expect.poll(() => view.messages().at(-1)?.delivery, SLOW).toBe('sent')
    const id = view.messages().at(-1)?.id
    if (id === undefined) throw new Error('no message')

    const s = searching(a)
    s.setQuery('perche prevent')
    await expect.poll(() => s.results()?.messages.map((h) => [h.text, h.source, h.authorName, h.convTitle]), SLOW)
      .toEqual([['Il preventivo per Verona è pronto, perché non lo guardi?', 'device', 'Marco Bianchi', 'Marco Bianchi']])
    const hit = s.results()?.messages[0]
    expect(hit?.ranges.map(([from, to]) => hit.text.slice(from, to))).toEqual(['prevent', 'perché'])

    view.edit(id, 'Il listino di Lione è pronto')
    s.setQuery('lione')
    await expect.poll(() => s.results()?.messages.map((h) => h.text), SLOW).toEqual(['Il listino di Lione è pronto'])
    s.setQuery('preventivo')
    expect(s.results()?.messages).toEqual([])

    view.remove(id)
    s.setQuery('listino')
    await expect.poll(() => s.results()?.messages.length, SLOW).toBe(0)
    s.setQuery('lione')
    await expect.poll(() => s.results()?.messages.length, SLOW).toBe(0)
  })

  it('finds colleagues, contacts by a number typed any way, and conversations', async () => {
    relay = await new TestRelay().start()
    const a = await device('anna')
    const s = searching(a)
    s.setQuery('marco')
    await expect.poll(() => s.results()?.colleagues.map((c) => c.person.name), SLOW).toEqual(['Marco Bianchi'])
    await expect.poll(() => s.results()?.conversations.map((c) => c.title), SLOW).toContain('Marco Bianchi')
    s.setQuery('giulia')
    await expect.poll(() => s.results()?.contacts.map((c) => [c.name, c.source]), SLOW).toEqual([['Giulia Conti', 'phonebook']])
    const phone = s.results()?.contacts[0]?.phones[0] ?? ''
    expect(phone).not.toBe('')
    const digits = phone.replace(/\D/g, '')
    for (const typed of [phone, digits, `+${digits}`, `00${digits}`, phone.replace(/\s/g, '')]) {
      s.setQuery(typed)
      expect(s.results()?.contacts.map((c) => c.name), typed).toEqual(['Giulia Conti'])
      expect(s.results()?.phoneNumber).toBe(typed.trim())
    }
    s.setQuery('+39 999 000 1111')
    expect(s.results()?.contacts).toEqual([])
    expect(s.results()?.phoneNumber).toBe('+39 999 000 1111')
  })

  it('finds at the relay what is only in an older segment, labelled as such, and only what is not on the device', async () => {
    relay = await new TestRelay().start()
    const lena = await device('lena')
    const s = searching(lena)
    // "Report 42" and "Report 4222" are in segment 0 of Field reports; the device fetched segment 1 only.
    s.setQuery('42 trento firmware')
    await expect.poll(() => s.results()?.relay, SLOW).toEqual({ state: 'done', found: 2 })
    expect(s.results()?.messages.map((m) => [m.text, m.source, m.seg, m.convTitle])).toEqual([
      ['Report 4222: Trento, updated the phone firmware; waiting for a spare part.', 'relay', 0, 'Field reports'],
      ['Report 42: Trento, updated the phone firmware; needs a second visit.', 'relay', 0, 'Field reports'],
    ])
    // Something in the current segment is answered by the device and not asked again of the relay.
    s.setQuery('report 9999')
    await expect.poll(() => s.results()?.messages.map((m) => [m.text.slice(0, 12), m.source]), SLOW).toEqual([['Report 9999:', 'device']])
    await expect.poll(() => s.results()?.relay.state, SLOW).toBe('done')
    expect(s.results()?.messages.map((m) => m.source)).toEqual(['device'])
  })

  it('keeps opened items as recent searches on the user’s other device, and clears them', async () => {
    relay = await new TestRelay().start()
    const first = await device('anna')
    const second = await device('anna')
    first.search.remember({ category: 'conversations', conv: dm, title: 'Marco Bianchi', at: 0 })
    first.search.remember({ category: 'colleagues', user: marco, name: 'Marco Bianchi', at: 0 })
    await expect.poll(() => second.search.recent().conversations.map((r) => r.category === 'conversations' && r.conv), SLOW).toEqual([dm])
    await expect.poll(() => second.search.recent().colleagues.length, SLOW).toBe(1)
    second.search.clearRecent('colleagues')
    await expect.poll(() => first.search.recent().colleagues.length, SLOW).toBe(0)
    expect(first.search.recent().conversations).toHaveLength(1)
  })
})
