import { fileURLToPath } from 'node:url'

/** The repository root (the relay is started from here). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** Source of the test page. */
export const HARNESS_SRC = fileURLToPath(new URL('../harness/', import.meta.url))

/** Where globalSetup builds the test page (ignored by git and eslint). */
export const HARNESS_DIST = fileURLToPath(new URL('../.harness-dist/', import.meta.url))

/** Where globalSetup builds the real app with the repository's vite.config.ts (ignored by git and eslint). */
export const APP_DIST = fileURLToPath(new URL('../.app-dist/', import.meta.url))
