// `npm run size`: builds the client (client/dist) and prints its initial load: the entry chunk,
// the chunks it imports statically and their CSS, raw and gzip (level 9), in kB (1000 bytes).
// Fails if a module of sip.js, livekit-client or @automerge is in any initial chunk: those load
// with `import()` only when used (ARCHITECTURE section 5).
// `node scripts/bundleSize.mjs --dist <dir>` reads an existing build instead of building.
// The chunk graph comes from Vite's `.vite/manifest.json` (`build.manifest`), the modules of each
// chunk from `.vite/chunks.json` (written by the `waggle:chunk-modules` plugin in vite.config.ts).
import { spawnSync } from 'node:child_process'
import console from 'node:console'
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import process from 'node:process'
import { URL, fileURLToPath, pathToFileURL } from 'node:url'
import { gzipSync } from 'node:zlib'

/** Module ids (relative to the repository) of the packages that must never load up front. */
export const OPTIONAL_MODULE = /(?:^|[\\/])node_modules[\\/](?:sip\.js|livekit-client|@automerge[\\/][^\\/]+)[\\/]/

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url))
const DEFAULT_DIST = join(REPO_ROOT, 'client/dist')

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    throw new Error(`Cannot read ${path} (is it a build of this repository's vite.config.ts?): ${err.message}`, { cause: err })
  }
}

/** The initial load of the build in `dist`, with the modules of its JS chunks. */
export function initialLoad(dist) {
  const manifest = readJson(join(dist, '.vite/manifest.json'))
  const chunkModules = readJson(join(dist, '.vite/chunks.json'))
  const seen = new Set()
  const files = []
  const visit = (key) => {
    if (seen.has(key)) return
    seen.add(key)
    const chunk = manifest[key]
    if (chunk === undefined) throw new Error(`${key} is imported but not in the manifest`)
    if (!files.includes(chunk.file)) files.push(chunk.file)
    for (const css of chunk.css ?? []) if (!files.includes(css)) files.push(css)
    for (const imported of chunk.imports ?? []) visit(imported)
  }
  const entries = Object.keys(manifest).filter((key) => manifest[key].isEntry === true)
  if (entries.length === 0) throw new Error(`No entry in ${dist}/.vite/manifest.json`)
  entries.forEach(visit)

  const out = files.map((file) => {
    const bytes = readFileSync(join(dist, file))
    const modules = file.endsWith('.js') ? chunkModules[file] : []
    if (modules === undefined) throw new Error(`${file} is not in .vite/chunks.json`)
    return { file, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length, modules }
  })
  return {
    files: out,
    raw: out.reduce((n, f) => n + f.raw, 0),
    gzip: out.reduce((n, f) => n + f.gzip, 0),
    modules: out.flatMap((f) => f.modules),
    offending: out.flatMap((f) => f.modules.filter((m) => OPTIONAL_MODULE.test(m)).map((module) => ({ file: f.file, module }))),
  }
}

function kB(bytes) {
  return `${(bytes / 1000).toFixed(1)} kB`
}

function main(args) {
  const at = args.indexOf('--dist')
  let dist = DEFAULT_DIST
  if (at >= 0) {
    if (args[at + 1] === undefined) throw new Error('--dist needs a directory')
    dist = resolve(args[at + 1])
  } else {
    const build = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: REPO_ROOT, stdio: 'inherit' })
    if (build.status !== 0) return build.status ?? 1
  }
  const load = initialLoad(dist)
  console.log(`Initial load of ${dist}:`)
  for (const f of load.files) console.log(`  ${f.file.padEnd(40)} ${kB(f.raw).padStart(10)}  gzip ${kB(f.gzip).padStart(9)}`)
  console.log(`  ${'total'.padEnd(40)} ${kB(load.raw).padStart(10)}  gzip ${kB(load.gzip).padStart(9)}`)
  if (load.offending.length > 0) {
    console.error('\nThese modules must load with import() only when used, not in the initial load:')
    for (const o of load.offending) console.error(`  ${o.module} (in ${o.file})`)
    return 1
  }
  return 0
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2))
}
