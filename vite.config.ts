import { relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Plugin } from 'vite'
import { VitePWA } from 'vite-plugin-pwa'
import { defineConfig } from 'vitest/config'
import solid from 'vite-plugin-solid'
import { OPTIONAL_MODULE } from './scripts/bundleSize.mjs'

const REPO_ROOT = fileURLToPath(new URL('.', import.meta.url))

/**
 * Writes `.vite/chunks.json` next to Vite's `.vite/manifest.json`: for every JS chunk, the ids
 * of the modules bundled into it (relative to the repository), which the manifest does not list.
 * `scripts/bundleSize.mjs` and the e2e bundle test read it.
 */
function chunkModules(): Plugin {
  return {
    name: 'waggle:chunk-modules',
    apply: 'build',
    generateBundle(_options, bundle) {
      const chunks: Record<string, string[]> = {}
      for (const out of Object.values(bundle)) {
        if (out.type === 'chunk') chunks[out.fileName] = out.moduleIds.map((id) => relative(REPO_ROOT, id.replace(/^\0/, '')))
      }
      this.emitFile({ type: 'asset', fileName: '.vite/chunks.json', source: JSON.stringify(chunks, null, 1) })
    },
  }
}

/**
 * One config for the client build and the test projects:
 * - unit: Node tests co-located with the code (`*.test.ts`), real SQLite files, fake-indexeddb.
 * - e2e: Chromium through playwright-core against a real relay (`e2e/*.e2e.ts`).
 */
export default defineConfig({
  root: 'client',
  plugins: [
    solid(),
    chunkModules(),
    // The PWA (service worker and manifest) exists in builds only; `virtual:pwa-register` is a
    // no-op in the dev server. The update is a prompt (client/src/pwa/registerServiceWorker.ts).
    VitePWA({
      strategies: 'generateSW',
      registerType: 'prompt',
      injectRegister: false,
      devOptions: { enabled: false },
      // The icons are precached through globPatterns below (listing them here too would add
      // them twice); the plugin adds manifest.webmanifest itself.
      includeManifestIcons: false,
      manifest: {
        id: '/',
        name: 'Waggle',
        short_name: 'Waggle',
        description: 'Offline-first business chat, presence, calls and meetings.',
        lang: 'en',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        // Brand amber (--brand in ui/app.css), which suits a light and a dark system alike: the
        // splash screen is the ink mark on amber. Pages set theme-color per scheme (index.html).
        theme_color: '#e8a11a',
        background_color: '#e8a11a',
        icons: [
          { src: '/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          { src: '/favicon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
        ],
      },
      workbox: {
        // The app shell. Chunks under assets/optional/ (heavy, used by few) are left out and
        // cached on first use; every other lazy chunk is part of the shell and is precached.
        globPatterns: ['**/*.{html,js,css,svg,png}'],
        globIgnores: ['**/node_modules/**', 'assets/optional/**', '.vite/**'],
        navigateFallback: '/index.html',
        // Server routes are never answered with the app shell.
        navigateFallbackDenylist: [/^\/api(?:\/|$)/, /^\/ws(?:\/|$)/, /^\/sync(?:\/|$)/, /^\/health(?:\/|$)/],
        cleanupOutdatedCaches: true,
        // The first worker takes the page it was installed from (nothing older to conflict
        // with); later versions wait for the user's "Reload" (skipWaiting stays off).
        clientsClaim: true,
        skipWaiting: false,
        runtimeCaching: [
          {
            urlPattern: /\/assets\/optional\//,
            handler: 'CacheFirst',
            options: { cacheName: 'waggle-optional-chunks', expiration: { maxEntries: 40 } },
          },
        ],
      },
    }),
  ],
  build: {
    outDir: '../client/dist',
    emptyOutDir: true,
    target: 'es2022',
    // `.vite/manifest.json`: the initial load as Vite sees it (scripts/bundleSize.mjs).
    manifest: true,
    rolldownOptions: {
      output: {
        // Chunks with sip.js, livekit-client or @automerge (which load with `import()` only when
        // used, ARCHITECTURE section 5) go to assets/optional/: the service worker does not
        // precache them (it caches them on first use), and `npm run size` fails if one is initial.
        chunkFileNames: (chunk) => (chunk.moduleIds.some((id) => OPTIONAL_MODULE.test(id)) ? 'assets/optional/[name]-[hash].js' : 'assets/[name]-[hash].js'),
      },
    },
  },
  test: {
    root: '.',
    // vite-plugin-solid would otherwise default the environment to jsdom.
    environment: 'node',
    projects: [
      {
        test: {
          name: 'unit',
          root: '.',
          include: ['schema/src/**/*.test.ts', 'sync-server/src/**/*.test.ts', 'client/src/**/*.test.ts', 'integration/**/*.test.ts'],
          environment: 'node',
          // vite-plugin-solid adds the `browser` condition in tests, which resolves `ws` to its throwing browser stub.
          alias: [
            { find: /^ws$/, replacement: new URL('node_modules/ws/wrapper.mjs', import.meta.url).pathname },
            // In Node, `solid-js` resolves to its server build, which does not react; the binding
            // layer's tests need signals and effects as in the browser.
            { find: /^solid-js$/, replacement: new URL('node_modules/solid-js/dist/solid.js', import.meta.url).pathname },
          ],
          testTimeout: 20_000,
        },
      },
      {
        // The torture suite's short seeded runs (issue 8; the long run is `npm run test:torture`).
        test: {
          name: 'torture',
          root: '.',
          include: ['torture/**/*.test.ts'],
          environment: 'node',
          alias: [
            { find: /^ws$/, replacement: new URL('node_modules/ws/wrapper.mjs', import.meta.url).pathname },
            { find: /^solid-js$/, replacement: new URL('node_modules/solid-js/dist/solid.js', import.meta.url).pathname },
          ],
          testTimeout: 180_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          root: '.',
          include: ['e2e/**/*.e2e.ts'],
          environment: 'node',
          globalSetup: ['e2e/globalSetup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
})
