import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { CHROMIUM, CHROMIUM_FLAGS } from './browser.ts'

export interface AppDeviceOptions {
  /** Permissions granted to the app's origin from the start, e.g. `['notifications']`. */
  permissions?: string[]
  /** A script every page of the device runs before the app's own (`context.addInitScript`). */
  initScript?: () => void
}

/**
 * One device running the real app (the build in e2e/.app-dist, served by the relay): a Chromium
 * with a persistent profile of its own in a temp directory. A normal profile rather than a new
 * (incognito-like) context, so the device has what an installed app has: Chromium checks
 * installability only outside incognito, and the service worker, IndexedDB and localStorage
 * stay across reloads and relay restarts as they do on a real device.
 */
export class AppDevice {
  /** Uncaught exceptions and unhandled rejections in any of the device's pages. */
  readonly errors: string[] = []

  private constructor(
    readonly context: BrowserContext,
    /** The app's origin, e.g. the relay's `http://127.0.0.1:<port>`. */
    readonly baseUrl: string,
    private readonly profileDir: string,
  ) {
    for (const page of context.pages()) this.#record(page)
    context.on('page', (page) => this.#record(page))
  }

  static async launch(baseUrl: string, options: AppDeviceOptions = {}): Promise<AppDevice> {
    const profileDir = mkdtempSync(join(tmpdir(), 'waggle-e2e-profile-'))
    try {
      const context = await chromium.launchPersistentContext(profileDir, { executablePath: CHROMIUM, args: CHROMIUM_FLAGS })
      if (options.permissions !== undefined) await context.grantPermissions(options.permissions, { origin: baseUrl })
      if (options.initScript !== undefined) await context.addInitScript(options.initScript)
      return new AppDevice(context, baseUrl, profileDir)
    } catch (err) {
      rmSync(profileDir, { recursive: true, force: true })
      throw err
    }
  }

  /** The device's first tab (a persistent profile starts with one) on `path` of the app. */
  async open(path = '/'): Promise<Page> {
    const page = this.context.pages()[0] ?? (await this.context.newPage())
    await page.goto(new URL(path, this.baseUrl).href)
    return page
  }

  /** Another tab of the app on the same device. */
  async newTab(path = '/'): Promise<Page> {
    const page = await this.context.newPage()
    await page.goto(new URL(path, this.baseUrl).href)
    return page
  }

  async close(): Promise<void> {
    await this.context.close()
    rmSync(this.profileDir, { recursive: true, force: true })
  }

  #record(page: Page): void {
    page.on('pageerror', (err) => this.errors.push(`${page.url()}: ${err.stack ?? err.message}`))
  }
}

/** Waits until a service worker controls `page` (the app's worker claims the page it installs from). */
export async function serviceWorkerControls(page: Page, timeoutMs = 20_000): Promise<void> {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: timeoutMs })
}
