/** Types of scripts/bundleSize.mjs for the tests that import it. */

export declare const OPTIONAL_MODULE: RegExp

export interface InitialFile {
  /** Path inside the build directory, e.g. `assets/index-….js`. */
  file: string
  raw: number
  /** gzip level 9 */
  gzip: number
  /** Module ids (relative to the repository) bundled into this file; none for CSS. */
  modules: string[]
}

export interface InitialLoad {
  files: InitialFile[]
  raw: number
  gzip: number
  modules: string[]
  /** Modules of sip.js, livekit-client or @automerge found in the initial load. */
  offending: { file: string; module: string }[]
}

/** The initial load of a build (reads `.vite/manifest.json` and `.vite/chunks.json` in `dist`). */
export declare function initialLoad(dist: string): InitialLoad
