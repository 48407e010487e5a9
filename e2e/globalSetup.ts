import { join } from 'node:path'
import { build } from 'vite'
import { APP_DIST, HARNESS_DIST, HARNESS_SRC, REPO_ROOT } from './support/paths.ts'

/**
 * Builds, once per run (vitest globalSetup):
 * - the test page of the sync layer: `@waggle/client` and `@waggle/schema` resolve through the
 *   npm workspace links like any package; no app config or plugins apply;
 * - the real app with the repository's vite.config.ts (service worker, manifest, icons), as
 *   `npm start` serves it, into e2e/.app-dist.
 */
export default async function setup(): Promise<void> {
  await build({
    root: HARNESS_SRC,
    configFile: false,
    logLevel: 'warn',
    build: { outDir: HARNESS_DIST, emptyOutDir: true, target: 'es2022', sourcemap: true },
  })
  // Vitest sets NODE_ENV=test, which would give a development build (unminified CSS, workbox in
  // development mode with its logging); the app is tested as it ships.
  const nodeEnv = process.env.NODE_ENV
  process.env.NODE_ENV = 'production'
  try {
    await build({
      configFile: join(REPO_ROOT, 'vite.config.ts'),
      root: join(REPO_ROOT, 'client'),
      mode: 'production',
      logLevel: 'warn',
      build: { outDir: APP_DIST, emptyOutDir: true },
    })
  } finally {
    process.env.NODE_ENV = nodeEnv
  }
}
