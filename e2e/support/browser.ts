import { chromium, type Browser, type BrowserContext, type Page, type WebSocket } from 'playwright-core'
import type { SyncStatus } from '@waggle/client'
import type { HarnessOutboxEntry, HarnessSession } from '../harness/api.ts'

export const CHROMIUM = '/usr/lib/chromium/chromium'
/** TOOLCHAIN.md: Debian's Chromium, headless, without background traffic. */
export const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
]

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS })
}

/**
 * One device: a browser context of its own (own IndexedDB, Web Locks and BroadcastChannel
 * scope), signed in as one user, whose tabs load the test page from `pageUrl`.
 */
export class Device {
  readonly tabs: Tab[] = []

  private constructor(
    readonly context: BrowserContext,
    readonly pageUrl: string,
    readonly session: HarnessSession,
  ) {}

  /** `pageUrl` carries the relay as `?relay=ws://…/ws` when the page is served from elsewhere. */
  static async create(browser: Browser, pageUrl: string, session: HarnessSession): Promise<Device> {
    return new Device(await browser.newContext(), pageUrl, session)
  }

  /** Opens a tab on the test page and starts the sync client in it. */
  async newTab(): Promise<Tab> {
    const tab = new Tab(await this.context.newPage())
    this.tabs.push(tab)
    await tab.load(this.pageUrl, this.session)
    return tab
  }

  /** WebSockets currently open from any tab of this device. */
  openSockets(): number {
    return this.tabs.reduce((n, tab) => n + tab.openSockets(), 0)
  }

  close(): Promise<void> {
    return this.context.close()
  }
}

/** A tab with the test page, its WebSockets and its uncaught errors recorded. */
export class Tab {
  readonly sockets: WebSocket[] = []
  /** Uncaught exceptions and unhandled rejections in the page. */
  readonly errors: string[] = []
  #session: HarnessSession | null = null

  constructor(readonly page: Page) {
    page.on('websocket', (ws) => this.sockets.push(ws))
    page.on('pageerror', (err) => this.errors.push(err.stack ?? err.message))
  }

  async load(url: string, session: HarnessSession): Promise<void> {
    await this.page.goto(url)
    await this.#start(session)
  }

  /** Reloads the page (the sync client goes with it) and starts a new client, as the app would. */
  async reload(): Promise<void> {
    if (this.#session === null) throw new Error('This tab was never started')
    await this.page.reload()
    await this.#start(this.#session)
  }

  /** WebSockets open from this tab (none once it is closed: Playwright reports no close then). */
  openSockets(): number {
    if (this.page.isClosed()) return 0
    return this.sockets.filter((ws) => !ws.isClosed()).length
  }

  async close(): Promise<void> {
    await this.page.close()
  }

  get closed(): boolean {
    return this.page.isClosed()
  }

  open(doc: string): Promise<void> {
    return this.page.evaluate((d) => window.harness.open(d), doc)
  }

  send(doc: string, text: string): Promise<string> {
    return this.page.evaluate(([d, t]) => window.harness.send(d, t), [doc, text] as const)
  }

  async state(doc: string): Promise<Uint8Array> {
    return Uint8Array.from(await this.page.evaluate((d) => window.harness.state(d), doc))
  }

  texts(doc: string): Promise<string[]> {
    return this.page.evaluate((d) => window.harness.texts(d), doc)
  }

  status(): Promise<SyncStatus> {
    return this.page.evaluate(() => window.harness.status())
  }

  isLeader(): Promise<boolean> {
    return this.page.evaluate(() => window.harness.isLeader())
  }

  outbox(): Promise<HarnessOutboxEntry[]> {
    return this.page.evaluate(() => window.harness.outbox())
  }

  waitSynced(timeoutMs = 20_000): Promise<void> {
    return this.page.evaluate((t) => window.harness.waitSynced(t), timeoutMs)
  }

  /** The status line the page shows. */
  statusText(): Promise<string> {
    return this.page.locator('#status').innerText()
  }

  async #start(session: HarnessSession): Promise<void> {
    this.#session = session
    await this.page.waitForFunction(() => typeof window.harness === 'object')
    await this.page.evaluate((s) => window.harness.start(s), session)
  }
}
