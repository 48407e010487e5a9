import { build } from 'vite'
import { HARNESS_DIST, HARNESS_SRC } from './support/paths.ts'

/**
 * Builds the test page once per run (vitest globalSetup). `@waggle/client` and `@waggle/schema`
 * resolve through the npm workspace links like any package; no app config or plugins apply.
 */
export default async function setup(): Promise<void> {
  await build({
    root: HARNESS_SRC,
    configFile: false,
    logLevel: 'warn',
    build: { outDir: HARNESS_DIST, emptyOutDir: true, target: 'es2022', sourcemap: true },
  })
}
