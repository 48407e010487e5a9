import type { Locator, Page } from 'playwright-core'
import { expect } from 'vitest'
import { AppDevice, type AppDeviceOptions } from './app.ts'
import { APP_DIST } from './paths.ts'
import { RelayProcess } from './relay.ts'

/**
 * What a person does in the real app, through its accessible names, shared by the app's e2e
 * files: one relay serving the app build and any number of devices (each a Chromium profile).
 */
export const WAIT = { timeout: 20_000 }

/** The relay and devices of one test; `dispose()` in `afterEach` (asserts no uncaught page errors). */
export class AppScene {
  relay: RelayProcess | null = null
  readonly devices: AppDevice[] = []

  async startRelay(): Promise<RelayProcess> {
    this.relay = await RelayProcess.start({ staticDir: APP_DIST })
    return this.relay
  }

  /** A new device signed in as the demo user `name` (the demo offers the account and fills the code). */
  async signedIn(name: string, options: AppDeviceOptions = {}): Promise<Page> {
    const page = await this.newDevice(options)
    await page.getByRole('button', { name }).click()
    await expect.poll(() => page.getByLabel('Code').inputValue(), WAIT).toMatch(/^\d{6}$/)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await conversations(page).waitFor(WAIT)
    return page
  }

  /** A new device (its own Chromium profile) showing the app's first page, signed out. */
  async newDevice(options: AppDeviceOptions = {}): Promise<Page> {
    if (this.relay === null) throw new Error('start the relay first')
    const device = await AppDevice.launch(this.relay.url, options)
    this.devices.push(device)
    return device.open('/')
  }

  /** The device `page` is a tab of (to open another tab on it, or close it). */
  deviceOf(page: Page): AppDevice {
    const device = this.devices.find((d) => d.context === page.context())
    if (device === undefined) throw new Error('not a page of this scene')
    return device
  }

  /** Closes everything; prints the relay's log when the test failed; returns the pages' uncaught errors. */
  async dispose(failed: boolean): Promise<string[]> {
    const errors = this.devices.flatMap((d) => d.errors)
    for (const d of this.devices.splice(0)) await d.close()
    if (failed && this.relay !== null) console.log(`relay log:\n${this.relay.log}`)
    await this.relay?.dispose()
    this.relay = null
    return errors
  }
}

export const conversations = (page: Page): Locator => page.getByRole('list', { name: 'Conversations' })

/** The inbox entry (a link) for a conversation titled `title`. */
export const entry = (page: Page, title: string): Locator => conversations(page).getByRole('link', { name: new RegExp(title) })

export async function openConversation(page: Page, title: string): Promise<void> {
  await entry(page, title).click()
  await page.getByRole('textbox', { name: 'Message' }).waitFor(WAIT)
}

export async function send(page: Page, text: string): Promise<void> {
  const box = page.getByRole('textbox', { name: 'Message' })
  await box.fill(text)
  await box.press('Enter')
  await expect.poll(() => box.inputValue(), WAIT).toBe('')
}

export const messageLog = (page: Page): Locator => page.getByRole('log', { name: 'Messages' })

/** The message row holding `text` (a row carries author, time, text and the delivery line). */
export const message = (page: Page, text: string): Locator => messageLog(page).locator('.msg-row').filter({ hasText: text })

/** Texts of the loaded messages among `candidates`, in the order the list shows them. */
export async function shownInOrder(page: Page, candidates: string[]): Promise<string[]> {
  const rows = await messageLog(page).locator('.msg-row').allInnerTexts()
  const order: string[] = []
  for (const row of rows) for (const c of candidates) if (row.includes(c) && !order.includes(c)) order.push(c)
  return order
}

export const syncStatus = (page: Page): Locator => page.getByRole('status', { name: 'Connection status' })
