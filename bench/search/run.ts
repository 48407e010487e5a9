/**
 * The search benchmark's Node side (issue 6): builds the page (./page) with vite, serves it on
 * 127.0.0.1, runs it in Chromium with a real on-disk profile (IndexedDB as on a device, not an
 * in-memory incognito one), prints a table and writes bench/results/search.json.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { build } from 'vite'
import { CHROMIUM, CHROMIUM_FLAGS } from '../../e2e/support/browser.ts'
import { CROSS_ORIGIN_ISOLATED, serveStatic } from '../../e2e/support/staticServer.ts'
import type { Distribution, SearchBenchApi } from './page/api.ts'
import { profiled } from '../profile.ts'

const PAGE_SRC = fileURLToPath(new URL('./page/', import.meta.url))
const PAGE_DIST = fileURLToPath(new URL('../dist/search/', import.meta.url))
const RESULTS = fileURLToPath(new URL('../results/search.json', import.meta.url))

export interface SearchBenchOptions {
  seed: number
  /** Messages in all (default 1,000,000). */
  messages: number
  /** Messages per conversation, one segment each (default 1,000; fewer when `messages` is smaller). */
  perConversation: number
  /** Queries per kind. */
  queries: number
  /** Samples of indexing one new message. */
  newMessages: number
  /** Samples of the whole pipeline (store → indexer → reader). */
  pipeline: number
  limit: number
  /** Record CPU profiles of the build and the load (bench/results/search-*.cpuprofile); slows them a little. */
  profile?: boolean
  /** The indexer's documents per batch (its own default when absent): an experiment knob. */
  indexerBatch?: number
}

export const SEARCH_DEFAULTS: Omit<SearchBenchOptions, 'seed'> = {
  messages: 1_000_000,
  perConversation: 1000,
  queries: 200,
  newMessages: 200,
  pipeline: 50,
  limit: 30,
}

export interface Goal {
  name: string
  value: number
  goal: string
  met: boolean
}

type Results = {
  [K in keyof SearchBenchApi]: Awaited<ReturnType<SearchBenchApi[K]>>
}

const MB = 1024 * 1024
const fmtMs = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : ms >= 10 ? `${ms.toFixed(1)} ms` : `${ms.toFixed(3)} ms`)
const fmtMb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`
const fmtDist = (d: Distribution) => `p50 ${fmtMs(d.p50)} · p95 ${fmtMs(d.p95)} · max ${fmtMs(d.max)}`

async function buildPage(): Promise<void> {
  await build({
    root: PAGE_SRC,
    configFile: false,
    logLevel: 'warn',
    // Not minified: CPU profiles (--profile) then name the functions.
    build: { outDir: PAGE_DIST, emptyOutDir: true, target: 'es2022', sourcemap: true, minify: false },
  })
}

export async function runSearchBench(options: SearchBenchOptions): Promise<{ table: string; goals: Goal[]; json: unknown; file: string }> {
  const perConversation = Math.max(1, Math.min(options.perConversation, options.messages))
  const conversations = Math.max(1, Math.round(options.messages / perConversation))
  const shape = { seed: options.seed, conversations, perConversation }
  console.log(`search: ${conversations} conversations × ${perConversation} messages, seed ${options.seed}`)

  const b0 = performance.now()
  await buildPage()
  console.log(`search: page built in ${Math.round(performance.now() - b0)} ms`)
  const server = await serveStatic(PAGE_DIST, CROSS_ORIGIN_ISOLATED)
  const profile = await mkdtemp(join(os.tmpdir(), 'waggle-bench-'))
  const flags = [...CHROMIUM_FLAGS, '--js-flags=--max-old-space-size=8192', '--enable-precise-memory-info']
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: flags })
  const started = Date.now()
  const loadBefore = os.loadavg()
  try {
    const page = context.pages()[0] ?? (await context.newPage())
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning' || msg.text().startsWith('[page]')) console.log(`  ${msg.text()}`)
    })
    page.on('pageerror', (err) => console.error(`  page error: ${err.stack ?? err.message}`))
    const cdp = await context.newCDPSession(page)
    const version = (await cdp.send('Browser.getVersion')) as { product: string; userAgent: string; jsVersion: string }
    await page.goto(server.url)
    await page.waitForFunction(() => typeof window.searchBench === 'object')
    const env = await page.evaluate(() => window.searchBench.env())
    if (!env.crossOriginIsolated) console.warn('search: the page is not cross-origin isolated; timings are coarse')
    const heap = async (): Promise<number | null> => {
      await cdp.send('HeapProfiler.collectGarbage')
      return page.evaluate(() => window.searchBench.heapBytes())
    }

    await page.evaluate(() => window.searchBench.reset())
    const generate = await page.evaluate((s) => window.searchBench.generate(s), shape)
    const heapAfterGenerate = await heap()
    console.log(`search: generated in ${fmtMs(generate.ms)}; building the index`)
    const profiledAs = <T>(name: string, run: () => Promise<T>): Promise<T> =>
      profiled(options.profile === true ? cdp : null, `search: ${name}`, join(RESULTS, '..', `search-${name}.cpuprofile`), { intervalUs: 500, top: 15 }, run)
    const buildResult = await profiledAs('build', () => page.evaluate((batch) => window.searchBench.build(batch), options.indexerBatch))
    const heapAfterBuild = await heap()
    console.log(`search: built in ${fmtMs(buildResult.ms)}; loading a reader`)
    const load = await profiledAs('load', () => page.evaluate(() => window.searchBench.load()))
    const heapAfterLoad = await heap()
    console.log(`search: loaded in ${fmtMs(load.ms)}; querying`)
    const query = await page.evaluate(([n, limit]) => window.searchBench.queries(n, limit), [options.queries, options.limit] as const)
    const newMessage = await page.evaluate((n) => window.searchBench.newMessage(n), options.newMessages)
    const pipeline = await page.evaluate((n) => window.searchBench.pipeline(n), options.pipeline)
    const results: Omit<Results, 'env' | 'reset' | 'heapBytes'> = { generate, build: buildResult, load, queries: query, newMessage, pipeline }

    const ratio = load.stats.bytes / Math.max(1, load.stats.rawTextBytes)
    const goals: Goal[] = [
      { name: 'one-word query p95', value: query.word.p95, goal: '≤ 30 ms', met: query.word.p95 <= 30 },
      { name: 'prefix query p95', value: query.prefix.p95, goal: '≤ 30 ms', met: query.prefix.p95 <= 30 },
      { name: 'multi-word query p95', value: query.multi.p95, goal: '≤ 30 ms', met: query.multi.p95 <= 30 },
      { name: 'new message: setSegment p95 (as the indexer calls it)', value: newMessage.setSegmentCold.p95, goal: '≤ 1 ms', met: newMessage.setSegmentCold.p95 <= 1 },
      { name: 'new message: put p95 (chunk as loaded)', value: newMessage.putCold.p95, goal: '≤ 1 ms', met: newMessage.putCold.p95 <= 1 },
      { name: 'index size / raw text', value: ratio, goal: '≤ 3', met: ratio <= 3 },
    ]

    const idbDelta =
      buildResult.storageBefore !== null && buildResult.storageAfter !== null
        ? { usage: buildResult.storageAfter.usage - buildResult.storageBefore.usage, indexedDB: buildResult.storageAfter.indexedDB !== null && buildResult.storageBefore.indexedDB !== null ? buildResult.storageAfter.indexedDB - buildResult.storageBefore.indexedDB : null }
        : null
    const heapDelta = heapAfterLoad !== null && heapAfterBuild !== null ? heapAfterLoad - heapAfterBuild : null

    const rows: [string, string][] = [
      ['corpus', `${generate.messages.toLocaleString('en')} messages in ${generate.conversations} conversations, ${generate.meanChars.toFixed(1)} chars/message, ${generate.distinctWords.toLocaleString('en')} distinct words`],
      ['raw text (UTF-8)', fmtMb(generate.rawTextBytes)],
      ['corpus generation + storeRemote', `${fmtMs(generate.ms)} (Yjs updates ${fmtMb(generate.updateBytes)})`],
      ['build: indexer from cursor 0 to settled()', fmtMs(buildResult.ms)],
      ['build: throughput', `${Math.round(generate.messages / (buildResult.ms / 1000)).toLocaleString('en')} messages/s`],
      ['build: longest main-thread task', `${fmtMs(buildResult.blocking.longestTaskMs)} (${buildResult.blocking.longTasks} long tasks, ${fmtMs(buildResult.blocking.longTaskTotalMs)} in all; longest frame gap ${fmtMs(buildResult.blocking.longestFrameGapMs)})`],
      ['size: index (stats().bytes)', `${fmtMb(load.stats.bytes)} = ${ratio.toFixed(2)} × raw text ${fmtMb(load.stats.rawTextBytes)} (of which postings+terms+ids ${fmtMb(load.stats.bytes - load.stats.rawTextBytes)} = ${((load.stats.bytes - load.stats.rawTextBytes) / Math.max(1, load.stats.rawTextBytes)).toFixed(2)} ×)`],
      ['size: terms / postings', `${load.stats.terms.toLocaleString('en')} terms (summed over chunks), ${load.stats.postings.toLocaleString('en')} postings`],
      ['size: storage estimate delta of the build', idbDelta === null ? 'n/a' : `${fmtMb(idbDelta.usage)} usage${idbDelta.indexedDB === null ? '' : `, ${fmtMb(idbDelta.indexedDB)} IndexedDB`} (${(idbDelta.usage / Math.max(1, generate.rawTextBytes)).toFixed(2)} × raw text)`],
      ['size: JS heap of the loaded reader', heapDelta === null ? 'n/a' : `${fmtMb(heapDelta)} (${(heapDelta / Math.max(1, generate.rawTextBytes)).toFixed(2)} × raw text)`],
      ['load: fresh SearchReader.open()', `${fmtMs(load.ms)} (longest task ${fmtMs(load.blocking.longestTaskMs)}, longest frame gap ${fmtMs(load.blocking.longestFrameGapMs)})`],
      ['load: stats()', fmtMs(load.statsMs)],
      ['query: first (cold)', fmtMs(query.firstQueryMs)],
      ['query: one-word', `${fmtDist(query.word)} · mean total ${Math.round(query.word.meanTotal).toLocaleString('en')}`],
      ['query:   common word', `${fmtDist(query.wordCommon)} · mean total ${Math.round(query.wordCommon.meanTotal).toLocaleString('en')}`],
      ['query:   rare word', `${fmtDist(query.wordRare)} · mean total ${Math.round(query.wordRare.meanTotal).toLocaleString('en')}`],
      ['query: prefix (2–4 letters)', `${fmtDist(query.prefix)} · mean total ${Math.round(query.prefix.meanTotal).toLocaleString('en')}`],
      ['query: multi-word (2–3, last a prefix)', `${fmtDist(query.multi)} · mean total ${Math.round(query.multi.meanTotal).toLocaleString('en')}, ${query.multi.empty} empty`],
      ['query: mean hits returned (limit)', `word ${query.word.meanHits.toFixed(1)}, prefix ${query.prefix.meanHits.toFixed(1)}, multi ${query.multi.meanHits.toFixed(1)} (limit ${query.limit})`],
      [`new message: put (chunk as loaded, ${newMessage.segmentSize} msgs)`, fmtDist(newMessage.putCold)],
      ['new message: put (chunk held)', fmtDist(newMessage.putWarm)],
      ['new message: setSegment (chunk as loaded)', fmtDist(newMessage.setSegmentCold)],
      ['new message: setSegment (chunk held)', fmtDist(newMessage.setSegmentWarm)],
      ['new message: takeDirty (compact for saving)', fmtDist(newMessage.takeDirty)],
      [`new message: ${newMessage.samples} successive puts, one chunk`, fmtDist(newMessage.putSequence)],
      ['pipeline: storeRemote committed', fmtDist(pipeline.stored)],
      ['pipeline: indexed + saved', fmtDist(pipeline.indexedAndSaved)],
      ['pipeline: visible to a reader', `${fmtDist(pipeline.visible)}${pipeline.timeouts > 0 ? ` (${pipeline.timeouts} timed out)` : ''}`],
    ]
    const width = Math.max(...rows.map(([k]) => k.length))
    const goalWidth = Math.max(...goals.map((g) => g.name.length))
    rows.push(['machine load average (1 min) before / after', `${(loadBefore[0] ?? 0).toFixed(2)} / ${(os.loadavg()[0] ?? 0).toFixed(2)} on ${os.cpus().length} cores`])
    const table = [
      ...rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`),
      '',
      'Goals:',
      ...goals.map((g) => `  ${g.name.padEnd(goalWidth)}  ${(g.name.includes('size') ? g.value.toFixed(2) + ' ×' : fmtMs(g.value)).padStart(10)}  ${g.goal.padEnd(8)}  ${g.met ? 'met' : 'NOT MET'}`),
    ].join('\n')

    const cpus = os.cpus()
    const json = {
      bench: 'search',
      date: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      seed: options.seed,
      options: { ...options, perConversation, conversations },
      machine: {
        cpu: cpus[0]?.model ?? 'unknown',
        cores: cpus.length,
        memoryBytes: os.totalmem(),
        os: `${os.type()} ${os.release()} ${os.arch()}`,
        node: process.version,
        chromium: version.product,
        v8: version.jsVersion,
        chromiumFlags: flags,
        /** 1-, 5- and 15-minute load averages before and after: other work on the machine skews the numbers. */
        loadAverage: { before: loadBefore, after: os.loadavg() },
        crossOriginIsolated: env.crossOriginIsolated,
        timerResolutionMs: env.timerResolutionMs,
        userAgent: env.userAgent,
      },
      heap: { afterGenerate: heapAfterGenerate, afterBuild: heapAfterBuild, afterLoad: heapAfterLoad, reader: heapDelta },
      storageDelta: idbDelta,
      indexToRawText: ratio,
      results,
      goals,
    }
    await mkdir(join(RESULTS, '..'), { recursive: true })
    // A profiled run is slower: its numbers do not replace the plain run's.
    const out = options.profile === true ? RESULTS.replace(/\.json$/, '.profiled.json') : RESULTS
    await writeFile(out, JSON.stringify(json, null, 2) + '\n')
    return { table, goals, json, file: out }
  } finally {
    await context.close()
    await server.close()
    await rm(profile, { recursive: true, force: true })
  }
}

