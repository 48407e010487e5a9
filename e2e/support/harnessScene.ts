import type { Browser } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest'
import { signIn } from './auth.ts'
import { Device, launchBrowser } from './browser.ts'
import { HARNESS_DIST } from './paths.ts'
import { RelayProcess } from './relay.ts'
import { serveStatic, type StaticServer } from './staticServer.ts'

/**
 * The sync layer's test page in Chromium against a real relay process: one browser and one
 * static site per test file, a fresh relay (its own SQLite) per test, devices closed and their
 * pages' uncaught errors asserted after each. `install()` registers the hooks.
 */
export class HarnessScene {
  browser!: Browser
  site!: StaticServer
  relay!: RelayProcess
  devices: Device[] = []

  install(): this {
    beforeAll(async () => {
      this.browser = await launchBrowser()
      this.site = await serveStatic(HARNESS_DIST)
    })
    afterAll(async () => {
      await this.browser.close()
      await this.site.close()
    })
    beforeEach(async () => {
      this.relay = await RelayProcess.start()
    })
    afterEach(async (ctx) => {
      const errors = this.devices.flatMap((d) => d.tabs.flatMap((t) => t.errors))
      await Promise.all(this.devices.map((d) => d.close()))
      this.devices = []
      if (ctx.task.result?.state === 'fail') console.log(`relay log:\n${this.relay.log}`)
      await this.relay.dispose()
      expect(errors, 'uncaught errors in the pages').toEqual([])
    })
    return this
  }

  /**
   * A new device signed in as `user` (`anna` → anna@example.com). Its page comes from the static
   * server, so it stays reachable while the relay is down; the relay is the `?relay=` parameter.
   */
  async device(user: string): Promise<Device> {
    const session = await signIn(this.relay.url, `${user}@example.com`)
    const d = await Device.create(this.browser, `${this.site.url}/?relay=${encodeURIComponent(this.relay.wsUrl)}`, session)
    this.devices.push(d)
    return d
  }
}
