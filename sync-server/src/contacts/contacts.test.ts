import { Reason, docName, newCommandId, readPhonebook, type ContactId, type UserId } from '@waggle/schema'
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'vitest'
import { DEMO_WORKSPACE } from '../demo/seed.ts'
import { connectAs, tokenFor } from '../testing/fixtures.ts'
import { signIn, startRelay, type Relay, type RelayOptions } from '../testing/relayHarness.ts'
import type { TestClient } from '../testing/TestClient.ts'

const directory = docName.directory(DEMO_WORKSPACE)
let n = 0
const newId = () => `ct${Date.now().toString(36)}${n++}`

function put(r: Relay, token: string | null, id: string, body: unknown): Promise<Response> {
  return fetch(`${r.url}/api/contacts/${id}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
}

const stores: [string, RelayOptions][] = [['SQLite', {}], ['memory', { memory: true }]]

describe.each(stores)('PUT /api/contacts/:id (%s)', (_name, options) => {
  let relay: Relay
  let marco: string
  let claire: TestClient
  beforeAll(async () => {
    relay = await startRelay({ ...options, config: { contactsPerWindow: 1000 } })
    marco = await tokenFor(relay.url, 'marco')
    // Someone with the phonebook open: the new contact must reach them live.
    claire = await connectAs(relay, 'claire')
    await claire.subscribe(directory)
  })
  afterAll(async () => {
    await claire.close()
    await relay.stop()
  })

  const phonebook = () => readPhonebook(claire.doc(directory))

  test('a member creates a contact; connected devices get it at once', async () => {
    const id = newId()
    const res = await put(relay, marco, id, { name: '  Giulia Neri ', phones: ['+39 045 123 4567'], email: 'Giulia@Example.com', company: 'Neri Srl' })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ id })
    const seen = await claire.until(() => phonebook().get(id as ContactId))
    expect(seen).toEqual({ name: 'Giulia Neri', phones: ['+39 045 123 4567'], email: 'giulia@example.com', company: 'Neri Srl' })
    // Stored by the relay: it is in the hub's document too, and survives without the client.
    expect(await relay.server.hub.read(directory, (d) => readPhonebook(d).get(id as ContactId))).toEqual(seen)
  })

  test('a retry with the same contact answers 200 again and writes nothing; other content under the id is a conflict', async () => {
    const id = newId()
    const body = { name: 'Paolo Verdi', phones: ['0458001122'], company: '' }
    expect((await put(relay, marco, id, body)).status).toBe(200)
    await claire.until(() => phonebook().get(id as ContactId))
    const stateBefore = await relay.server.hub.read(directory, (d) => d.store.clients.size + ':' + [...d.store.clients.values()].map((s) => s.length).join(','))
    const again = await put(relay, await tokenFor(relay.url, 'marco'), id, { ...body, name: ' Paolo Verdi' })
    expect(again.status).toBe(200)
    expect(await again.json()).toEqual({ id })
    expect(await relay.server.hub.read(directory, (d) => d.store.clients.size + ':' + [...d.store.clients.values()].map((s) => s.length).join(','))).toBe(stateBefore)

    const conflict = await put(relay, marco, id, { ...body, phones: ['0458001199'] })
    expect(conflict.status).toBe(409)
    expect(await conflict.json()).toEqual({ reason: Reason.conflict, message: expect.any(String) as unknown })
    expect(phonebook().get(id as ContactId)).toEqual({ name: 'Paolo Verdi', phones: ['0458001122'] })
    // A seeded contact's id is taken too.
    const seeded = [...phonebook().keys()].find((k) => !k.startsWith('ct'))
    expect(seeded).toBeDefined()
    expect((await put(relay, marco, seeded ?? '', { name: 'Someone Else', phones: ['1'] })).status).toBe(409)
  })

  test('guests may not create contacts', async () => {
    const cmd = { id: newCommandId(), type: 'addMembers', conv: 'sales-team', members: [] as UserId[], emails: ['visitor@partner.example'], hideHistory: false }
    const added = await fetch(`${relay.url}/api/commands`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await tokenFor(relay.url, 'anna')}` }, body: JSON.stringify(cmd),
    })
    expect(await added.json()).toMatchObject({ status: 'accepted' })
    const guest = await signIn(relay.url, 'visitor@partner.example')
    expect(guest.role).toBe('guest')
    const id = newId()
    const res = await put(relay, guest.token, id, { name: 'Sneaky', phones: ['123'] })
    expect(res.status).toBe(403)
    expect(await res.json()).toEqual({ reason: Reason.forbidden, message: 'Guests cannot add contacts to the phonebook' })
    expect(phonebook().has(id as ContactId)).toBe(false)
  })

  test('validates the id and the body; needs a session', async () => {
    const bad = async (id: string, body: unknown, what: string): Promise<void> => {
      const res = await put(relay, marco, id, body)
      expect(res.status, what).toBe(400)
      expect(await res.json(), what).toMatchObject({ reason: Reason.badRequest, message: expect.any(String) as unknown })
    }
    const ok = { name: 'Valid Name', phones: ['+39 045 1'] }
    await bad('has%20space', ok, 'id with a space')
    await bad('x'.repeat(65), ok, 'id too long')
    await bad('a.b', ok, 'id with a dot')
    await bad(newId(), 'not json', 'not JSON')
    await bad(newId(), { phones: ['1'] }, 'no name')
    await bad(newId(), { name: '   ', phones: ['1'] }, 'blank name')
    await bad(newId(), { name: 'N' }, 'no phones')
    await bad(newId(), { name: 'N', phones: [] }, 'empty phones')
    await bad(newId(), { name: 'N', phones: ['1', '2', '3', '4', '5', '6'] }, 'six phones')
    await bad(newId(), { name: 'N', phones: ['call me'] }, 'phone with letters')
    await bad(newId(), { name: 'N', phones: ['1'], email: 'not-an-address' }, 'bad email')
    await bad(newId(), { name: 'x'.repeat(201), phones: ['1'] }, 'name too long')
    const missing = await fetch(`${relay.url}/api/contacts/`, { method: 'PUT', headers: { authorization: `Bearer ${marco}` } })
    expect(missing.status).toBe(404)

    for (const token of [null, 'nope']) {
      const res = await put(relay, token, newId(), ok)
      expect(res.status).toBe(401)
      expect(await res.json()).toMatchObject({ reason: Reason.unauthorized })
    }
  })
})

test('PUT /api/contacts/:id is rate limited per session', async () => {
  const r = await startRelay({ memory: true, config: { contactsPerWindow: 2, contactWindowMs: 60_000 } })
  onTestFinished(() => r.stop())
  const token = await tokenFor(r.url, 'marco')
  for (let i = 0; i < 2; i++) expect((await put(r, token, newId(), { name: 'N', phones: ['1'] })).status).toBe(200)
  const limited = await put(r, token, newId(), { name: 'N', phones: ['1'] })
  expect(limited.status).toBe(429)
  expect(await limited.json()).toMatchObject({ reason: Reason.rateLimited })
})
