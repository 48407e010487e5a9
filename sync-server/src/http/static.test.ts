import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { silentLogger } from '../config.ts'
import { createServer, type WaggleServer } from '../server.ts'
import { MemoryAccountStore } from '../storage/MemoryAccountStore.ts'
import { MemoryPersistence } from '../storage/MemoryPersistence.ts'

let dir: string
let server: WaggleServer

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'waggle-static-'))
  mkdirSync(join(dir, 'assets'))
  mkdirSync(join(dir, '.vite'))
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Waggle</title>')
  writeFileSync(join(dir, 'sw.js'), 'self.addEventListener("fetch", () => {})')
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)')
  writeFileSync(join(dir, '.vite', 'manifest.json'), '{}')
  server = createServer({ persistence: new MemoryPersistence(), accounts: new MemoryAccountStore(), config: { staticDir: dir }, logger: silentLogger })
})

afterEach(async () => {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('serving the built app', () => {
  it('marks hashed assets immutable and makes the shell and the worker revalidate', async () => {
    const asset = await server.app.request('/assets/index-abc123.js')
    expect(asset.status).toBe(200)
    expect(asset.headers.get('cache-control')).toContain('immutable')
    for (const path of ['/', '/sw.js', '/c/some-conversation']) {
      const res = await server.app.request(path)
      expect(res.status, path).toBe(200)
      expect(res.headers.get('cache-control'), path).toBe('no-cache')
    }
  })

  it('answers client-side routes with the app shell', async () => {
    expect(await (await server.app.request('/c/some-conversation')).text()).toContain('<title>Waggle</title>')
  })

  it('does not serve build metadata', async () => {
    expect((await server.app.request('/.vite/manifest.json')).status).toBe(404)
  })
})
