/**
 * File and image sharing (issue 4) with the real app and relay: Anna attaches an image and a
 * PDF in the direct conversation; Marco's device shows the image preview and a link for the
 * PDF. An upload queued while the relay is down waits ("Uploading 0%") and completes once the
 * relay is back.
 */
import type { Page } from 'playwright-core'
import { afterEach, describe, expect, test } from 'vitest'
import { AppScene, WAIT, message, messageLog, openConversation, syncStatus } from './support/appFlows.ts'

const scene = new AppScene()

afterEach(async (ctx) => {
  const errors = await scene.dispose(ctx.task.result?.state === 'fail')
  expect(errors, 'uncaught errors in the pages').toEqual([])
})

/** A valid 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64')
/** A small valid PDF (one empty page). */
const PDF = Buffer.from([
  '%PDF-1.4',
  '1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj',
  '2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj',
  '3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj',
  'trailer << /Root 1 0 R >>',
  '%%EOF',
].join('\n'))

async function attachAndSend(page: Page, text: string, files: { name: string; mimeType: string; buffer: Buffer }[]): Promise<void> {
  await page.getByLabel('Attach files').setInputFiles(files)
  for (const f of files) await page.getByRole('button', { name: `Remove ${f.name}` }).waitFor(WAIT)
  const box = page.getByRole('textbox', { name: 'Message' })
  await box.fill(text)
  await box.press('Enter')
  await expect.poll(() => box.inputValue(), WAIT).toBe('')
}

describe('files and images', () => {
  test('an image and a PDF reach the other device: a preview and a download link', async () => {
    await scene.startRelay()
    const anna = await scene.signedIn('Anna Rossi')
    const marco = await scene.signedIn('Marco Bianchi')
    await openConversation(anna, 'Marco Bianchi')
    await openConversation(marco, 'Anna Rossi')

    await attachAndSend(anna, 'Photo and offer attached', [
      { name: 'site.png', mimeType: 'image/png', buffer: PNG },
      { name: 'offer.pdf', mimeType: 'application/pdf', buffer: PDF },
    ])
    // Anna sees her own image at once (from the local blob).
    await message(anna, 'Photo and offer attached').getByRole('img', { name: 'site.png' }).waitFor(WAIT)

    const row = message(marco, 'Photo and offer attached')
    const preview = row.getByRole('img', { name: 'site.png' })
    await preview.waitFor(WAIT)
    await expect.poll(() => preview.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), WAIT).toBe(1)
    const link = row.getByRole('link', { name: 'offer.pdf' })
    await link.waitFor(WAIT)
    expect(await link.getAttribute('download')).toBe('offer.pdf')
    const bytes = await link.evaluate(async (a: HTMLAnchorElement) => [...new Uint8Array(await (await fetch(a.href)).arrayBuffer())].slice(0, 5))
    expect(String.fromCharCode(...bytes)).toBe('%PDF-')
  })

  test('an upload interrupted by stopping the relay resumes after the restart and completes', async () => {
    const r = await scene.startRelay()
    const anna = await scene.signedIn('Anna Rossi')
    const marco = await scene.signedIn('Marco Bianchi')
    await openConversation(anna, 'Marco Bianchi')
    await openConversation(marco, 'Anna Rossi')
    await expect.poll(() => syncStatus(anna).innerText(), WAIT).toBe('Synced')

    await r.stop()
    await expect.poll(() => syncStatus(anna).innerText(), WAIT).toMatch(/Offline|Connecting/)
    // 1.5 MB: three chunks.
    const big = Buffer.alloc(1_500_000, 7)
    PDF.copy(big)
    await attachAndSend(anna, 'The full contract', [{ name: 'contract.pdf', mimeType: 'application/pdf', buffer: big }])
    const progress = message(anna, 'The full contract').getByRole('progressbar', { name: 'Uploading contract.pdf' })
    await progress.waitFor(WAIT)
    expect(await message(anna, 'The full contract').innerText()).toContain('Uploading 0%')

    await r.restart()
    // The message reaches Marco; the file follows once the upload completes.
    const link = message(marco, 'The full contract').getByRole('link', { name: 'contract.pdf' })
    await link.waitFor(WAIT)
    await expect.poll(() => progress.count(), WAIT).toBe(0)
    const size = await link.evaluate(async (a: HTMLAnchorElement) => (await (await fetch(a.href)).arrayBuffer()).byteLength)
    expect(size).toBe(1_500_000)
    expect(await messageLog(marco).innerText()).toContain('1.5 MB')
  })
})
