import { defineConfig } from 'vitest/config'
import solid from 'vite-plugin-solid'

/**
 * One config for the client build and the test projects:
 * - unit: Node tests co-located with the code (`*.test.ts`), real SQLite files, fake-indexeddb.
 * - e2e: Chromium through playwright-core against a real relay (`e2e/*.e2e.ts`).
 */
export default defineConfig({
  root: 'client',
  plugins: [solid()],
  build: { outDir: '../client/dist', emptyOutDir: true, target: 'es2022' },
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
          alias: [{ find: /^ws$/, replacement: new URL('node_modules/ws/wrapper.mjs', import.meta.url).pathname }],
          testTimeout: 20_000,
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
