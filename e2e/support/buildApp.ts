import { join } from 'node:path'
import { build } from 'vite'
import { REPO_ROOT } from './paths.ts'

/**
 * Builds the real app with the repository's vite.config.ts (service worker, manifest, icons), as
 * `npm start` serves it, into `outDir`. Vitest sets NODE_ENV=test, which would give a development
 * build (unminified CSS, workbox in development mode with its logging); the app is built as it
 * ships. `minify: false` keeps function names for CPU profiles.
 */
export async function buildApp(outDir: string, options: { minify?: boolean } = {}): Promise<void> {
  const nodeEnv = process.env.NODE_ENV
  process.env.NODE_ENV = 'production'
  try {
    await build({
      configFile: join(REPO_ROOT, 'vite.config.ts'),
      root: join(REPO_ROOT, 'client'),
      mode: 'production',
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true, ...(options.minify === false ? { minify: false } : {}) },
    })
  } finally {
    process.env.NODE_ENV = nodeEnv
  }
}
