import { build } from 'vite'
import { buildApp } from './support/buildApp.ts'
import { APP_DIST, HARNESS_DIST, HARNESS_SRC } from './support/paths.ts'

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
  await buildApp(APP_DIST)
}
