import { Reason, type ApiError } from '@waggle/schema'
import { request } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { silentLogger } from '../config.ts'
import { seedDemo } from '../demo/seed.ts'
import { createServer, type WaggleServer } from '../server.ts'
import { MemoryAccountStore } from '../storage/MemoryAccountStore.ts'
import { MemoryPersistence } from '../storage/MemoryPersistence.ts'

const MAX_JSON_BYTES = 64 * 1024

const servers: WaggleServer[] = []
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close()
})

async function relay(): Promise<WaggleServer> {
  const accounts = new MemoryAccountStore()
  const server = createServer({ persistence: new MemoryPersistence(), accounts, config: { demo: true }, logger: silentLogger })
  servers.push(server)
  await seedDemo(accounts, server, Date.now(), { fieldReports: false })
  return server
}

/** A valid sign-in body padded with an unknown field to `bytes` long. */
function paddedBody(bytes: number): string {
  const head = '{"email":"anna@example.com","pad":"'
  return `${head}${'x'.repeat(bytes - head.length - 2)}"}`
}

/** POSTs `body` over a real socket in chunks, so the request has no content-length header. */
function postChunked(url: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', reject)
    for (let i = 0; i < body.length; i += 8192) req.write(body.slice(i, i + 8192))
    req.end()
  })
}

describe('HTTP basics', () => {
  it('reports health with connection and document counts', async () => {
    const server = await relay()
    const res = await server.app.request('/health')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ ok: true, connections: 0, loadedDocs: expect.any(Number) as number })
  })

  it.each(['GET', 'POST', 'DELETE'])('answers %s on an unknown API path with a JSON not-found', async (method) => {
    const server = await relay()
    const res = await server.app.request('/api/no-such-thing', { method })
    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toMatch(/application\/json/)
    const body = (await res.json()) as ApiError
    expect(body.reason).toBe(Reason.notFound)
    expect(body.message.length).toBeGreaterThan(0)
  })

  it('refuses a JSON body whose content-length is over 64 KiB with 413', async () => {
    const server = await relay()
    const body = paddedBody(MAX_JSON_BYTES + 1)
    const res = await server.app.request('/api/auth/email/start', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(body.length) },
      body,
    })
    expect(res.status).toBe(413)
    expect(((await res.json()) as ApiError).reason).toBe(Reason.frameTooLarge)
  })

  it('accepts a body of exactly 64 KiB', async () => {
    const server = await relay()
    const body = paddedBody(MAX_JSON_BYTES)
    const res = await server.app.request('/api/auth/email/start', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(body.length) },
      body,
    })
    expect(res.status).toBe(200)
  })

  it('refuses an oversized chunked body that has no content-length with 413', async () => {
    const server = await relay()
    const { url } = await server.listen(0)
    expect(await postChunked(`${url}/api/auth/email/start`, paddedBody(4 * MAX_JSON_BYTES))).toBe(413)
  })
})
