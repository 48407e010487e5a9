/**
 * Group conversation pictures with the real app and relay: Anna, owner of "Sales team", selects
 * an image whose left half is red and right half blue, scales it up in "Crop picture" and pans
 * with the arrow keys until only red shows, and applies; the picture (red at its centre) reaches
 * Marco's Conversation info, where he, a member, can view it but not change it. Anna then drops
 * another picture onto the avatar and finally removes the picture.
 */
import { crc32, deflateSync } from 'node:zlib'
import type { Locator, Page } from 'playwright-core'
import { afterEach, describe, expect, test } from 'vitest'
import { AppScene, WAIT, openConversation } from './support/appFlows.ts'

const scene = new AppScene()

afterEach(async (ctx) => {
  const errors = await scene.dispose(ctx.task.result?.state === 'fail')
  expect(errors, 'uncaught errors in the pages').toEqual([])
})

type Rgb = [number, number, number]
const RED: Rgb = [230, 20, 20]
const BLUE: Rgb = [20, 40, 230]

/** An RGB PNG of `width`×`height` with `pixel(x, y)` as each pixel's colour. */
function png(width: number, height: number, pixel: (x: number, y: number) => Rgb): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
    const out = Buffer.alloc(body.length + 8)
    out.writeUInt32BE(data.length, 0)
    body.copy(out, 4)
    out.writeUInt32BE(crc32(body), body.length + 4)
    return out
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header.set([8, 2, 0, 0, 0], 8) // 8 bits per channel, RGB, deflate, no filter method, no interlace
  const rows = Buffer.alloc((width * 3 + 1) * height)
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1) // the first byte of a row is its filter type: 0, none
    for (let x = 0; x < width; x++) rows.set(pixel(x, y), row + 1 + x * 3)
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))])
}

type Colour = 'red' | 'blue' | 'other'

/** The colour name of the pixels of `el` (a canvas or an image, drawn to a canvas) at the given fractions of its size. */
async function coloursAt(el: Locator, points: [number, number][]): Promise<Colour[]> {
  return el.evaluate((node: HTMLCanvasElement | HTMLImageElement, pts: [number, number][]) => {
    let source: HTMLCanvasElement
    if (node instanceof HTMLCanvasElement) source = node
    else {
      source = document.createElement('canvas')
      source.width = node.naturalWidth
      source.height = node.naturalHeight
      source.getContext('2d')?.drawImage(node, 0, 0)
    }
    const ctx = source.getContext('2d')
    if (ctx === null) throw new Error('no 2d context')
    return pts.map(([fx, fy]) => {
      const [r = 0, g = 0, b = 0] = ctx.getImageData(Math.min(source.width - 1, Math.floor(fx * source.width)), Math.min(source.height - 1, Math.floor(fy * source.height)), 1, 1).data
      if (r > 180 && g < 90 && b < 90) return 'red'
      if (b > 180 && r < 90 && g < 110) return 'blue'
      return 'other'
    })
  }, points)
}

/** A 4×4 grid over the crop viewport, from edge to edge (none on the centre line, where red and blue first meet). */
const GRID = [0.02, 0.3, 0.7, 0.98]
const VIEW_POINTS = GRID.flatMap((x) => GRID.map((y): [number, number] => [x, y]))
const viewColours = async (crop: Locator): Promise<Set<Colour>> => new Set(await coloursAt(crop.locator('canvas'), VIEW_POINTS))
const centreColour = async (img: Locator): Promise<Colour> => {
  await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth), WAIT).toBe(256)
  const [colour = 'other'] = await coloursAt(img, [[0.5, 0.5]])
  return colour
}

async function openInfo(page: Page): Promise<Locator> {
  await openConversation(page, 'Sales team')
  await page.getByRole('button', { name: 'Conversation info' }).click()
  const info = page.getByRole('dialog', { name: 'Conversation info' })
  await info.waitFor(WAIT)
  return info
}

async function chooseFile(page: Page, button: Locator, file: { name: string; mimeType: string; buffer: Buffer }): Promise<void> {
  const chooser = page.waitForEvent('filechooser', WAIT)
  await button.click()
  await (await chooser).setFiles(file)
}

describe('conversation picture', () => {
  test('the owner selects, scales, pans and applies a picture; a member sees it and cannot change it', async () => {
    await scene.startRelay()
    const anna = await scene.signedIn('Anna Rossi')
    const marco = await scene.signedIn('Marco Bianchi')
    const annaInfo = await openInfo(anna)
    const marcoInfo = await openInfo(marco)

    // Marco is a member, not the owner: nothing to select, no picture yet.
    await marcoInfo.getByRole('heading', { name: 'Sales team' }).waitFor(WAIT)
    expect(await marcoInfo.getByRole('button', { name: 'Select image' }).count()).toBe(0)
    expect(await marcoInfo.getByRole('button', { name: 'View image' }).count()).toBe(0)

    // Not an image: a clear error, no crop dialog.
    const select = annaInfo.getByRole('button', { name: 'Select image' })
    await chooseFile(anna, select, { name: 'notes.png', mimeType: 'text/plain', buffer: Buffer.from('not a picture') })
    await expect.poll(() => annaInfo.getByRole('alert').textContent(), WAIT).toMatch(/not a picture/)

    // 200×100: left half red, right half blue; at scale 1 the crop is the centre square, half and half.
    await chooseFile(anna, select, { name: 'halves.png', mimeType: 'image/png', buffer: png(200, 100, (x) => (x < 100 ? RED : BLUE)) })
    const crop = anna.getByRole('dialog', { name: 'Crop picture' })
    await crop.waitFor(WAIT)
    expect(await annaInfo.getByRole('alert').count()).toBe(0)
    await expect.poll(() => viewColours(crop), WAIT).toEqual(new Set(['red', 'blue']))

    const scale = crop.getByRole('slider', { name: 'Scale' })
    await scale.focus()
    await scale.press('End')
    expect(await scale.inputValue()).toBe(await scale.getAttribute('max'))
    expect(await scale.inputValue()).toBe('4')
    // Still centred on the boundary after scaling.
    expect(await viewColours(crop)).toEqual(new Set(['red', 'blue']))

    // The arrows move the picture: right shows more of its left (red) part. Go too far to the
    // right, then come back with ArrowLeft while the view stays red only.
    const viewport = crop.getByRole('group', { name: 'Picture position' })
    await viewport.focus()
    let presses = 0
    while ((await viewColours(crop)).size > 1 || !(await viewColours(crop)).has('red')) {
      expect(++presses, 'presses of ArrowRight until only red shows').toBeLessThan(60)
      await viewport.press('ArrowRight')
    }
    await viewport.press('ArrowRight')
    await viewport.press('ArrowLeft')
    expect(await viewColours(crop)).toEqual(new Set(['red']))
    await crop.getByRole('button', { name: 'Apply' }).click()
    await expect.poll(() => crop.count(), WAIT).toBe(0)

    // Anna's picture, and Marco's (through the relay), are the red crop.
    const annaPicture = annaInfo.getByRole('img', { name: 'Conversation picture', exact: true })
    await annaPicture.waitFor(WAIT)
    expect(await centreColour(annaPicture)).toBe('red')
    const marcoPicture = marcoInfo.getByRole('img', { name: 'Conversation picture', exact: true })
    await marcoPicture.waitFor(WAIT)
    expect(await centreColour(marcoPicture)).toBe('red')

    // Marco can view it large, without Replace or Remove, and still has nothing to select.
    await marcoInfo.getByRole('button', { name: 'View image' }).click()
    const marcoView = marco.getByRole('dialog', { name: 'View image' })
    expect(await centreColour(marcoView.getByRole('img', { name: 'Conversation picture (full size)' }))).toBe('red')
    expect(await marcoView.getByRole('button', { name: 'Replace' }).count()).toBe(0)
    expect(await marcoView.getByRole('button', { name: 'Remove' }).count()).toBe(0)
    expect(await marcoInfo.getByRole('button', { name: 'Select image' }).count()).toBe(0)
    await marco.keyboard.press('Escape')
    await expect.poll(() => marcoView.count(), WAIT).toBe(0)

    // Anna drops an all-blue picture onto the avatar: the drop state shows, then the crop dialog.
    const dropped = await anna.evaluateHandle(async () => {
      const canvas = new OffscreenCanvas(120, 80)
      const ctx = canvas.getContext('2d')
      if (ctx === null) throw new Error('no 2d context')
      ctx.fillStyle = 'rgb(20 40 230)'
      ctx.fillRect(0, 0, 120, 80)
      const transfer = new DataTransfer()
      transfer.items.add(new File([await canvas.convertToBlob({ type: 'image/png' })], 'blue.png', { type: 'image/png' }))
      return transfer
    })
    const avatar = annaInfo.locator('.group-picture-avatar')
    await avatar.dispatchEvent('dragenter', { dataTransfer: dropped })
    await annaInfo.getByText('Drop to upload').waitFor(WAIT)
    await avatar.dispatchEvent('drop', { dataTransfer: dropped })
    await crop.waitFor(WAIT)
    expect(await annaInfo.getByText('Drop to upload').count()).toBe(0)
    await crop.getByRole('button', { name: 'Apply' }).click()
    await expect.poll(() => centreColour(marcoPicture), WAIT).toBe('blue')

    // View image → Remove: the picture goes on both devices.
    await annaInfo.getByRole('button', { name: 'View image' }).click()
    const annaView = anna.getByRole('dialog', { name: 'View image' })
    await annaView.getByRole('button', { name: 'Replace' }).waitFor(WAIT)
    await annaView.getByRole('button', { name: 'Remove' }).click()
    await expect.poll(() => annaPicture.count(), WAIT).toBe(0)
    await expect.poll(() => marcoPicture.count(), WAIT).toBe(0)
    expect(await marcoInfo.getByRole('button', { name: 'View image' }).count()).toBe(0)
  }, 120_000)
})
