/**
 * File and image sharing (issue 4) with the real app and relay: Anna attaches an image and a
 * PDF in the direct conversation; Marco's device shows the image preview and a link for the
 * PDF. An upload queued while the relay is down waits ("Uploading 0%") and completes once the
 * relay is back; one cut off mid-transfer by the relay crashing goes on from the relay's offset
 * after the restart and arrives intact. Files Marco has opened still open with the relay down,
 * after a reload.
 */
import { createHash, randomBytes } from 'node:crypto'
import type { Page, Request } from 'playwright-core'
import { afterEach, describe, expect, test } from 'vitest'
import { serviceWorkerControls } from './support/app.ts'
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

/** A successful answer of the relay's upload routes, as the page received it. */
interface UploadAnswer {
  method: string
  /** The `Upload-Offset` the page sent (PATCH). */
  sent: number | null
  /** The `Upload-Offset` the relay answered (HEAD, PATCH). */
  answer: number | null
}

const isUpload = (req: Request): boolean => new URL(req.url()).pathname.startsWith('/api/uploads')

/** Fetches `href` inside the page; its size and SHA-256 (hex). */
const digestIn = (page: Page, href: string): Promise<{ size: number; sha256: string }> =>
  page.evaluate(async (url) => {
    const bytes = await (await fetch(url)).arrayBuffer()
    const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))
    return { size: bytes.byteLength, sha256: [...hash].map((b) => b.toString(16).padStart(2, '0')).join('') }
  }, href)

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

  test('an upload cut off mid-transfer by a relay crash goes on from the relay\'s offset and arrives intact', async () => {
    const r = await scene.startRelay()
    const anna = await scene.signedIn('Anna Rossi')
    const marco = await scene.signedIn('Marco Bianchi')
    await openConversation(anna, 'Marco Bianchi')
    await openConversation(marco, 'Anna Rossi')
    await expect.poll(() => syncStatus(anna).innerText(), WAIT).toBe('Synced')

    // 8 MB of random bytes behind a PDF header: sixteen 512 KiB chunks (CHUNK_BYTES in uploadHttp.ts).
    const big = randomBytes(8_000_000)
    PDF.copy(big)
    const sha256 = createHash('sha256').update(big).digest('hex')
    // Answers in the order the page got them (`response` fires on the headers, so a HEAD, whose
    // empty body Chromium reports as aborted, counts too).
    const answers: UploadAnswer[] = []
    let firstAck!: () => void
    /** The relay acknowledged the first chunk (the next one is already on its way). */
    const firstChunkAcknowledged = new Promise<void>((resolve) => (firstAck = resolve))
    anna.on('response', (res) => {
      if (!isUpload(res.request()) || !res.ok()) return
      const offset = (h: Record<string, string>) => (h['upload-offset'] === undefined ? null : Number(h['upload-offset']))
      const answer: UploadAnswer = { method: res.request().method(), sent: offset(res.request().headers()), answer: offset(res.headers()) }
      answers.push(answer)
      if (answer.method === 'PATCH') firstAck()
    })
    await attachAndSend(anna, 'The signed contract', [{ name: 'signed.pdf', mimeType: 'application/pdf', buffer: big }])
    await firstChunkAcknowledged
    await r.kill()

    const row = message(anna, 'The signed contract')
    const progress = row.getByRole('progressbar', { name: 'Uploading signed.pdf' })
    const percent = async (): Promise<number> => Number(/Uploading (\d+)%/.exec(await row.innerText())?.[1] ?? NaN)
    await expect.poll(percent, WAIT).toBeGreaterThan(0)
    expect(await percent()).toBeLessThan(100)

    await r.restart()
    await expect.poll(() => progress.count(), WAIT).toBe(0)
    // Before the crash: created, then some chunks but not all. After the restart the uploader
    // asked the relay how far it got (HEAD) and went on from there, not from zero: past the
    // acknowledged chunks (and the one in flight, if the relay had written it before it died).
    const head = answers.findIndex((a) => a.method === 'HEAD')
    expect(head, JSON.stringify(answers)).toBeGreaterThan(1)
    const before = answers.slice(0, head)
    expect(before[0]?.method).toBe('POST')
    const acknowledged = Math.max(...before.map((a) => a.answer ?? 0))
    expect(acknowledged).toBeGreaterThan(0)
    expect(acknowledged).toBeLessThan(big.length)
    const resumedAt = answers[head]?.answer ?? -1
    expect(resumedAt).toBeGreaterThanOrEqual(acknowledged)
    const after = answers.slice(head + 1)
    expect(after.map((a) => a.method)).toEqual(after.map(() => 'PATCH'))
    // Each chunk starts where the relay said the previous one ended, up to the whole file.
    expect(after.map((a) => a.sent)).toEqual([resumedAt, ...after.slice(0, -1).map((a) => a.answer)])
    expect(after.at(-1)?.answer).toBe(big.length)

    const link = message(marco, 'The signed contract').getByRole('link', { name: 'signed.pdf' })
    await link.waitFor(WAIT)
    expect(await digestIn(marco, (await link.getAttribute('href')) ?? '')).toEqual({ size: big.length, sha256 })
  })

  test('an image and a PDF once opened still open after a reload with the relay down', async () => {
    const r = await scene.startRelay()
    const anna = await scene.signedIn('Anna Rossi')
    const marco = await scene.signedIn('Marco Bianchi')
    await openConversation(anna, 'Marco Bianchi')
    await serviceWorkerControls(marco)
    await attachAndSend(anna, 'Site photo and the offer', [
      { name: 'site.png', mimeType: 'image/png', buffer: PNG },
      { name: 'offer.pdf', mimeType: 'application/pdf', buffer: PDF },
    ])
    await openConversation(marco, 'Anna Rossi')
    const preview = () => message(marco, 'Site photo and the offer').getByRole('img', { name: 'site.png' })
    const pdfLink = () => message(marco, 'Site photo and the offer').getByRole('link', { name: 'offer.pdf' })
    await expect.poll(() => preview().evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), WAIT).toBe(1)
    await pdfLink().waitFor(WAIT)

    await r.stop()
    await expect.poll(() => syncStatus(marco).innerText(), WAIT).toMatch(/Offline|Connecting/)
    // The reload comes from the service worker; the files from this device's IndexedDB cache.
    await marco.reload()
    await openConversation(marco, 'Anna Rossi')
    await expect.poll(() => preview().evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), WAIT).toBe(1)
    await pdfLink().waitFor(WAIT)
    const head = await pdfLink().evaluate(async (a: HTMLAnchorElement) => [...new Uint8Array(await (await fetch(a.href)).arrayBuffer())].slice(0, 5))
    expect(String.fromCharCode(...head)).toBe('%PDF-')
    expect(r.running).toBe(false)
  })
})
