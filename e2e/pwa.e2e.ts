/**
 * The real app as a PWA, built with the repository's vite.config.ts (globalSetup) and served by
 * the real relay process, in Chromium: it is installable, its service worker serves the app shell
 * with the relay down (also for routes never visited), and a new version waits for the user's
 * "Reload" instead of replacing the code of an open tab.
 */
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterEach, describe, expect, test } from 'vitest'
import { AppDevice, serviceWorkerControls } from './support/app.ts'
import { APP_DIST } from './support/paths.ts'
import { RelayProcess } from './support/relay.ts'

const NEW_VERSION = 'A new version of Waggle is available.'
const OFFLINE_READY = 'Waggle is ready to work offline.'
/** Deadline for anything that waits on the service worker or the relay. */
const WAIT = { timeout: 20_000, interval: 50 }

let relay: RelayProcess | null = null
let device: AppDevice | null = null
let siteCopy: string | null = null

afterEach(async (ctx) => {
  const errors = device?.errors ?? []
  await device?.close()
  device = null
  if (ctx.task.result?.state === 'fail' && relay !== null) console.log(`relay log:\n${relay.log}`)
  await relay?.dispose()
  relay = null
  if (siteCopy !== null) rmSync(siteCopy, { recursive: true, force: true })
  siteCopy = null
  expect(errors, 'uncaught errors in the pages').toEqual([])
})

/** The relay serving `staticDir` (the app build by default) and a fresh device on it. */
async function start(staticDir = APP_DIST): Promise<{ relay: RelayProcess; device: AppDevice }> {
  relay = await RelayProcess.start({ staticDir })
  device = await AppDevice.launch(relay.url)
  return { relay, device }
}

/** The app shell rendered: the sign-in form (no one is signed in on these devices). */
async function shellRendered(page: Page): Promise<void> {
  await page.getByLabel('Email').waitFor({ state: 'visible', timeout: WAIT.timeout })
}

interface ManifestIcon {
  src: string
  sizes: string
  type: string
  purpose?: string
}

interface WebAppManifest {
  name: string
  short_name: string
  description: string
  start_url: string
  scope: string
  display: string
  theme_color: string
  background_color: string
  icons: ManifestIcon[]
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes: Buffer): string {
  expect(bytes.subarray(1, 4).toString('latin1'), 'PNG signature').toBe('PNG')
  return `${bytes.readUInt32BE(16)}x${bytes.readUInt32BE(20)}`
}

describe('install', () => {
  test('the manifest is served and valid, Chromium finds no installability errors, and a service worker controls the page', async () => {
    const { relay, device } = await start()
    const res = await fetch(`${relay.url}/manifest.webmanifest`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/manifest\+json/)
    const manifest = (await res.json()) as WebAppManifest
    expect(manifest).toMatchObject({ name: 'Waggle', short_name: 'Waggle', start_url: '/', scope: '/', display: 'standalone' })
    expect(manifest.description.length).toBeGreaterThan(0)
    expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/)
    expect(manifest.background_color).toMatch(/^#[0-9a-f]{6}$/)

    const png = (size: string, purpose: string): ManifestIcon | undefined =>
      manifest.icons.find((i) => i.type === 'image/png' && i.sizes === size && (i.purpose ?? 'any').split(' ').includes(purpose))
    expect(png('192x192', 'any'), '192 px icon').toBeDefined()
    expect(png('512x512', 'any'), '512 px icon').toBeDefined()
    expect(png('512x512', 'maskable'), 'maskable icon').toBeDefined()
    expect(manifest.icons.some((i) => i.type === 'image/svg+xml'), 'SVG icon').toBe(true)
    for (const icon of manifest.icons) {
      const file = await fetch(new URL(icon.src, relay.url))
      expect(file.status, icon.src).toBe(200)
      expect(file.headers.get('content-type'), icon.src).toContain(icon.type)
      const bytes = Buffer.from(await file.arrayBuffer())
      if (icon.type === 'image/png') expect(pngSize(bytes), icon.src).toBe(icon.sizes)
    }

    const page = await device.open('/')
    await shellRendered(page)
    expect(await page.evaluate(() => document.querySelector<HTMLLinkElement>('link[rel="manifest"]')?.href)).toBe(`${relay.url}/manifest.webmanifest`)
    expect(await page.evaluate(() => document.querySelector<HTMLLinkElement>('link[rel="icon"]')?.href)).toBe(`${relay.url}/favicon.svg`)

    const cdp = await device.context.newCDPSession(page)
    const parsed = (await cdp.send('Page.getAppManifest', {})) as { url: string; errors: unknown[] }
    expect(parsed.url).toBe(`${relay.url}/manifest.webmanifest`)
    expect(parsed.errors).toEqual([])
    let installability: unknown[] = []
    await expect.poll(async () => {
      installability = (await cdp.send('Page.getInstallabilityErrors')).installabilityErrors
      return installability
    }, WAIT).toEqual([])

    await serviceWorkerControls(page)
    expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toBe(`${relay.url}/sw.js`)
  })
})

describe('offline', () => {
  test('with the relay stopped, a reload and a never-visited deep link both open the app shell from the service worker', async () => {
    const { relay, device } = await start()
    const page = await device.open('/')
    await shellRendered(page)
    // The worker takes control once it has activated, that is after the whole shell was precached.
    await serviceWorkerControls(page)

    await relay.stop()
    expect((await fetch(`${relay.url}/`).then(() => 'answered', () => 'refused'))).toBe('refused')

    await page.reload()
    await shellRendered(page)
    expect(await page.title()).toBe('Waggle')

    await page.goto(`${relay.url}/c/never-visited`)
    await shellRendered(page)
    expect(new URL(page.url()).pathname).not.toBe('/404')

    // Server routes are never answered with the app shell: with the relay down they fail.
    for (const path of ['/health', '/api/demo']) {
      await expect(page.goto(`${relay.url}${path}`), path).rejects.toThrow(/ERR_CONNECTION_REFUSED/)
    }
  })
})

/** What the copied sw.js answers when asked for its version (appended to it by the test). */
function versionResponder(version: string): string {
  return `\n;self.addEventListener('message', (e) => { if (e.data === 'waggle-e2e:version?') e.ports[0].postMessage(${JSON.stringify(version)}) });\n`
}

/** The version of the worker controlling `page` (`null`: no controller). */
function controllerVersion(page: Page): Promise<string | null> {
  return page.evaluate(() => new Promise<string | null>((resolve, reject) => {
    const controller = navigator.serviceWorker.controller
    if (controller === null) {
      resolve(null)
      return
    }
    const channel = new MessageChannel()
    const deadline = setTimeout(() => reject(new Error('The controlling worker did not answer')), 5_000)
    channel.port1.onmessage = (e: MessageEvent<string>) => {
      clearTimeout(deadline)
      resolve(e.data)
    }
    controller.postMessage('waggle-e2e:version?', [channel.port2])
  }))
}

/** Asks the browser to check for a new service worker now, as it does on navigations and hourly. */
async function checkForUpdate(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.getRegistration()
    if (registration === undefined) throw new Error('No service worker registration')
    await registration.update()
  })
}

/** The page's JS realm survives (no reload) as long as this marker is there. */
const markPage = (page: Page): Promise<void> => page.evaluate(() => { (window as { e2eMarker?: string }).e2eMarker = 'first load' })
const pageMarker = (page: Page): Promise<string | null> => page.evaluate(() => (window as { e2eMarker?: string }).e2eMarker ?? null)

describe('new version', () => {
  /**
   * Serves a copy of the build whose sw.js tells its version, opens the app in `tabs` tabs under
   * version 1, then deploys version 2 of sw.js (a changed file is a new worker to the browser),
   * has the first tab check for it, and waits for the prompt in every tab.
   */
  async function deployedUpdate(tabs = 1): Promise<Page[]> {
    siteCopy = mkdtempSync(join(tmpdir(), 'waggle-e2e-site-'))
    cpSync(APP_DIST, siteCopy, { recursive: true })
    const swFile = join(siteCopy, 'sw.js')
    const built = readFileSync(swFile, 'utf8')
    appendFileSync(swFile, versionResponder('v1'))
    const { device } = await start(siteCopy)

    const first = await device.open('/')
    await shellRendered(first)
    await serviceWorkerControls(first)
    await first.getByRole('status').filter({ hasText: OFFLINE_READY }).waitFor({ state: 'visible', timeout: WAIT.timeout })
    const pages = [first]
    while (pages.length < tabs) {
      const page = await device.newTab('/')
      await shellRendered(page)
      pages.push(page)
    }
    for (const page of pages) {
      expect(await controllerVersion(page)).toBe('v1')
      await markPage(page)
    }

    writeFileSync(swFile, `${built}${versionResponder('v2')}// version 2\n`)
    await checkForUpdate(first)
    for (const page of pages) {
      await page.getByRole('status').filter({ hasText: NEW_VERSION }).waitFor({ state: 'visible', timeout: WAIT.timeout })
    }
    return pages
  }

  /** Resolves once `page` was reloaded (its marker is gone) and runs under worker `version`. */
  async function reloadedUnder(page: Page, version: string): Promise<void> {
    // Evaluating while the page navigates can fail; the poll tries again.
    await expect.poll(() => pageMarker(page).catch(() => 'navigating'), WAIT).toBeNull()
    await shellRendered(page)
    await expect.poll(() => controllerVersion(page), WAIT).toBe(version)
  }

  test('is offered with "Reload"; the old code keeps running until the user reloads, then the new worker controls the page', async () => {
    const [page] = await deployedUpdate()
    if (page === undefined) throw new Error('no tab')
    // Installed and waiting, but nothing swapped: same page, same (old) worker.
    expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting !== null)).toBe(true)
    expect(await pageMarker(page)).toBe('first load')
    expect(await controllerVersion(page)).toBe('v1')

    await Promise.all([
      page.waitForEvent('load', { timeout: WAIT.timeout }),
      page.getByRole('button', { name: 'Reload' }).click(),
    ])
    await reloadedUnder(page, 'v2')
    expect(await page.getByText(NEW_VERSION).count()).toBe(0)
  })

  test('"Later" hides the prompt and keeps the old version, which is offered again after a reload', async () => {
    const [page] = await deployedUpdate()
    if (page === undefined) throw new Error('no tab')
    await page.getByRole('button', { name: 'Later' }).click()
    await page.getByText(NEW_VERSION).waitFor({ state: 'detached', timeout: WAIT.timeout })
    expect(await pageMarker(page)).toBe('first load')
    expect(await controllerVersion(page)).toBe('v1')

    // A reload keeps the tab a client of the old worker: the new one still waits and is offered.
    await page.reload()
    await shellRendered(page)
    await page.getByText(NEW_VERSION).waitFor({ state: 'visible', timeout: WAIT.timeout })
    expect(await controllerVersion(page)).toBe('v1')
  })

  test('"Reload" in one tab also reloads the other tab that offered the update, so none runs old code under the new worker', async () => {
    const [first, second] = await deployedUpdate(2)
    if (first === undefined || second === undefined) throw new Error('no tabs')
    await first.getByRole('button', { name: 'Reload' }).click()
    await reloadedUnder(first, 'v2')
    await reloadedUnder(second, 'v2')
  })
})
