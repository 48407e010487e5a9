/**
 * The initial load of the real app build (e2e/.app-dist, made by globalSetup with the repository's
 * vite.config.ts) holds none of the heavy optional packages: sip.js, livekit-client and
 * @automerge load with `import()` only when used (ARCHITECTURE section 5). Checked on the module
 * ids bundled into each initial chunk, not on strings in the output.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { OPTIONAL_MODULE, initialLoad } from '../scripts/bundleSize.mjs'
import { APP_DIST } from './support/paths.ts'

test('the initial load contains no sip.js, livekit-client or @automerge module', () => {
  const load = initialLoad(APP_DIST)
  expect(load.files.some((f) => f.file.endsWith('.js')), 'an entry chunk').toBe(true)
  expect(load.modules).toContain('client/src/main.tsx')
  expect(load.modules.filter((m) => OPTIONAL_MODULE.test(m))).toEqual([])
  expect(load.offending).toEqual([])
})

test('the check recognises the optional packages by module id', () => {
  for (const id of ['node_modules/sip.js/lib/api/user-agent.js', 'node_modules/livekit-client/dist/livekit-client.esm.mjs', 'node_modules/@automerge/automerge/dist/mjs/slim.js']) {
    expect(OPTIONAL_MODULE.test(id), id).toBe(true)
  }
  for (const id of ['node_modules/solid-js/dist/solid.js', 'client/src/sip.js/notes.ts', 'node_modules/livekit-client-helper/index.js']) {
    expect(OPTIONAL_MODULE.test(id), id).toBe(false)
  }
})

test('the service worker precaches the initial load, the icons and the manifest, and nothing under assets/optional/', () => {
  const sw = readFileSync(join(APP_DIST, 'sw.js'), 'utf8')
  const precached = [...sw.matchAll(/\{url:"([^"]+)",revision:/g)].map((m) => m[1])
  expect(precached).toEqual(expect.arrayContaining([
    'index.html', 'manifest.webmanifest', 'favicon.svg', 'icon-192.png', 'icon-512.png', 'icon-maskable-512.png',
    ...initialLoad(APP_DIST).files.map((f) => f.file),
  ]))
  expect(precached.filter((url) => url?.startsWith('assets/optional/'))).toEqual([])
  expect(new Set(precached).size, 'no URL twice').toBe(precached.length)
})
