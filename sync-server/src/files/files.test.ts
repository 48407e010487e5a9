import { Reason, directConvId, type UserId } from '@waggle/schema'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tokenFor } from '../testing/fixtures.ts'
import { startRelay, type Relay } from '../testing/relayHarness.ts'
import { MAX_CHUNK_BYTES } from './routes.ts'

const conv = directConvId('anna' as UserId, 'marco' as UserId)
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new Array<number>(40).fill(7)])
const PDF = new TextEncoder().encode('%PDF-1.4\n% test\n%%EOF\n')
let n = 0
const newId = () => `up${Date.now().toString(36)}${n++}`

describe.each([['SQLite + disk', {}], ['memory', { memory: true as const }]])('uploads and downloads (%s)', (_name, options) => {
  let relay: Relay
  let anna: string
  let marco: string
  let diego: string
  beforeAll(async () => {
    relay = await startRelay({ ...options, config: { maxFileBytes: 3 * 1024 * 1024 } })
    anna = await tokenFor(relay.url, 'anna')
    marco = await tokenFor(relay.url, 'marco')
    diego = await tokenFor(relay.url, 'diego')
  })
  afterAll(async () => {
    await relay.stop()
  })

  const auth = (token: string) => ({ authorization: `Bearer ${token}` })
  const create = (token: string, body: Record<string, unknown>) => fetch(`${relay.url}/api/uploads`, {
    method: 'POST', headers: { ...auth(token), 'content-type': 'application/json' }, body: JSON.stringify({ conv, ...body }),
  })
  const patch = (token: string, id: string, offset: number, chunk: Uint8Array<ArrayBuffer>) => fetch(`${relay.url}/api/uploads/${id}`, {
    method: 'PATCH', headers: { ...auth(token), 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' }, body: new Blob([chunk.slice()]),
  })
  const head = (token: string, id: string) => fetch(`${relay.url}/api/uploads/${id}`, { method: 'HEAD', headers: auth(token) })

  it('uploads in chunks, resumes from the offset HEAD reports, and serves the file to members only', async () => {
    const id = newId()
    const created = await create(anna, { id, name: 'photo.png', size: PNG.byteLength, type: 'image/png' })
    expect(created.status).toBe(201)
    expect(await created.json()).toEqual({ id, offset: 0, size: PNG.byteLength, complete: false })
    // Creating again (the answer was lost) is idempotent.
    expect((await create(anna, { id, name: 'photo.png', size: PNG.byteLength, type: 'image/png' })).status).toBe(200)

    const first = await patch(anna, id, 0, PNG.subarray(0, 20))
    expect(first.status).toBe(200)
    expect(first.headers.get('upload-offset')).toBe('20')

    // "Network drop": the device asks where to go on.
    const h = await head(anna, id)
    expect(h.status).toBe(200)
    expect(h.headers.get('upload-offset')).toBe('20')
    expect(h.headers.get('upload-length')).toBe(String(PNG.byteLength))

    // Not yet complete: not served.
    expect((await fetch(`${relay.url}/api/files/${id}`, { headers: auth(marco) })).status).toBe(404)
    // A chunk at a stale offset is refused with the right one.
    const stale = await patch(anna, id, 0, PNG.subarray(0, 20))
    expect(stale.status).toBe(409)
    expect(stale.headers.get('upload-offset')).toBe('20')
    expect(await stale.json()).toMatchObject({ reason: Reason.uploadOffsetMismatch })

    const last = await patch(anna, id, 20, PNG.subarray(20))
    expect(await last.json()).toEqual({ id, offset: PNG.byteLength, size: PNG.byteLength, complete: true })

    const got = await fetch(`${relay.url}/api/files/${id}`, { headers: auth(marco) })
    expect(got.status).toBe(200)
    expect(got.headers.get('content-type')).toBe('image/png')
    expect(got.headers.get('x-content-type-options')).toBe('nosniff')
    expect(got.headers.get('content-disposition')).toMatch(/^inline/)
    expect(got.headers.get('cache-control')).toBe('private, max-age=31536000, immutable')
    expect([...new Uint8Array(await got.arrayBuffer())]).toEqual([...PNG])

    const denied = await fetch(`${relay.url}/api/files/${id}`, { headers: auth(diego) })
    expect(denied.status).toBe(403)
    expect(await denied.json()).toMatchObject({ reason: Reason.forbidden })
    expect((await fetch(`${relay.url}/api/files/${id}`)).status).toBe(401)
  })

  it('serves a PDF as an attachment with its name', async () => {
    const id = newId()
    await create(anna, { id, name: 'offer 2024.pdf', size: PDF.byteLength, type: 'application/pdf' })
    expect((await patch(anna, id, 0, PDF)).status).toBe(200)
    const got = await fetch(`${relay.url}/api/files/${id}`, { headers: auth(marco) })
    expect(got.headers.get('content-disposition')).toBe(`attachment; filename*=UTF-8''offer%202024.pdf`)
    expect(got.headers.get('content-type')).toBe('application/pdf')
  })

  it('refuses a file over the size limit, a type not on the list, and a non-member', async () => {
    const big = await create(anna, { id: newId(), name: 'big.zip', size: 3 * 1024 * 1024 + 1, type: 'application/zip' })
    expect(big.status).toBe(413)
    expect(await big.json()).toMatchObject({ reason: Reason.fileTooLarge })
    const exe = await create(anna, { id: newId(), name: 'run.exe', size: 10, type: 'application/x-msdownload' })
    expect(exe.status).toBe(415)
    expect(await exe.json()).toMatchObject({ reason: Reason.unsupportedFileType })
    const html = await create(anna, { id: newId(), name: 'x.html', size: 10, type: 'text/html' })
    expect(html.status).toBe(415)
    expect((await create(diego, { id: newId(), name: 'a.txt', size: 3, type: 'text/plain' })).status).toBe(403)
    expect((await create(anna, { id: 'bad id!', name: 'a.txt', size: 3, type: 'text/plain' })).status).toBe(400)
  })

  it('rejects and deletes an upload whose content does not match its image type', async () => {
    const id = newId()
    const fake = new TextEncoder().encode('<script>alert(1)</script>')
    await create(anna, { id, name: 'cat.png', size: fake.byteLength, type: 'image/png' })
    const res = await patch(anna, id, 0, fake)
    expect(res.status).toBe(415)
    expect(await res.json()).toMatchObject({ reason: Reason.fileTypeMismatch })
    expect((await head(anna, id)).status).toBe(404)
    expect((await fetch(`${relay.url}/api/files/${id}`, { headers: auth(marco) })).status).toBe(404)
  })

  it('takes chunks up to 1 MiB (past the 64 KiB JSON limit) and refuses bigger ones with 413', async () => {
    const id = newId()
    const size = MAX_CHUNK_BYTES + 10
    await create(anna, { id, name: 'data.zip', size, type: 'application/zip' })
    expect((await patch(anna, id, 0, new Uint8Array(MAX_CHUNK_BYTES))).status).toBe(200)
    // Past the declared size.
    expect((await patch(anna, id, MAX_CHUNK_BYTES, new Uint8Array(11))).status).toBe(400)
    // Someone else cannot see or write another person's upload.
    expect((await patch(marco, id, MAX_CHUNK_BYTES, new Uint8Array(10))).status).toBe(404)
    expect((await patch(anna, id, MAX_CHUNK_BYTES, new Uint8Array(10))).status).toBe(200)
    // Refused while it streams in (the relay answers before reading the rest and drops the connection).
    const id2 = newId()
    await create(anna, { id: id2, name: 'more.zip', size, type: 'application/zip' })
    expect((await patch(anna, id2, 0, new Uint8Array(MAX_CHUNK_BYTES + 1)).catch(() => null))?.status ?? 413).toBe(413)
    // The relay is still up.
    expect((await fetch(`${relay.url}/health`)).status).toBe(200)
  })
})

describe('upload routes through app.request()', () => {
  let relay: Relay
  beforeAll(async () => {
    relay = await startRelay({ memory: true })
  })
  afterAll(async () => {
    await relay.stop()
  })

  it('needs a session, a JSON body and a numeric Upload-Offset', async () => {
    const app = relay.server.app
    expect((await app.request('/api/uploads', { method: 'POST', body: '{}' })).status).toBe(401)
    const token = await tokenFor(relay.url, 'anna')
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
    expect((await app.request('/api/uploads', { method: 'POST', headers, body: 'not json' })).status).toBe(400)
    const id = newId()
    expect((await app.request('/api/uploads', { method: 'POST', headers, body: JSON.stringify({ conv, id, name: 'a.txt', size: 2, type: 'text/plain' }) })).status).toBe(201)
    const bad = await app.request(`/api/uploads/${id}`, { method: 'PATCH', headers: { authorization: `Bearer ${token}` }, body: 'ab' })
    expect(bad.status).toBe(400)
    const ok = await app.request(`/api/uploads/${id}`, { method: 'PATCH', headers: { authorization: `Bearer ${token}`, 'upload-offset': '0' }, body: 'ab' })
    expect(await ok.json()).toMatchObject({ complete: true })
    const got = await app.request(`/api/files/${id}`, { headers: { authorization: `Bearer ${token}` } })
    expect(got.headers.get('content-disposition')).toMatch(/^attachment/)
    expect(await got.text()).toBe('ab')
  })
})
