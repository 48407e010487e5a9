import { describe, expect, it } from 'vitest'
import { MAX_SCALE, MIN_SCALE, clampCrop, clampOffset, clampScale, displayedSize, pan, sourceRect, zoom, type Crop, type Rect } from './crop.ts'

const wide = { width: 400, height: 200 } // landscape 2:1
const tall = { width: 300, height: 600 } // portrait 1:2
const square = { width: 500, height: 500 }
const V = 256
const centred = (scale: number): Crop => ({ scale, offset: { x: 0, y: 0 } })

const expectRect = (actual: Rect, expected: Rect): void => {
  expect(actual.x).toBeCloseTo(expected.x, 9)
  expect(actual.y).toBeCloseTo(expected.y, 9)
  expect(actual.width).toBeCloseTo(expected.width, 9)
  expect(actual.height).toBeCloseTo(expected.height, 9)
}

describe('scale', () => {
  it('keeps the scale between 1 and 4', () => {
    expect(MIN_SCALE).toBe(1)
    expect(MAX_SCALE).toBe(4)
    expect(clampScale(0.2)).toBe(1)
    expect(clampScale(2.5)).toBe(2.5)
    expect(clampScale(9)).toBe(4)
    expect(clampScale(Number.NaN)).toBe(1)
  })

  it('fills the viewport with the shorter side at scale 1', () => {
    expect(displayedSize(wide, V, 1)).toEqual({ width: 512, height: 256 })
    expect(displayedSize(tall, V, 1)).toEqual({ width: 256, height: 512 })
    expect(displayedSize(square, V, 2)).toEqual({ width: 512, height: 512 })
  })
})

describe('clamping the offset', () => {
  it('leaves an offset that keeps the viewport covered alone', () => {
    expect(clampOffset(wide, V, 1, { x: 100, y: 0 })).toEqual({ x: 100, y: 0 })
    expect(clampOffset(square, V, 2, { x: -50, y: 60 })).toEqual({ x: -50, y: 60 })
  })

  it('stops at the left edge of the image (image moved right as far as it goes)', () => {
    // 512 units wide in a 256 viewport: 128 units of slack on each side.
    expect(clampOffset(wide, V, 1, { x: 1000, y: 0 })).toEqual({ x: 128, y: 0 })
    expectRect(sourceRect(wide, V, { scale: 1, offset: { x: 1000, y: 0 } }), { x: 0, y: 0, width: 200, height: 200 })
  })

  it('stops at the right edge', () => {
    expect(clampOffset(wide, V, 1, { x: -1000, y: 0 })).toEqual({ x: -128, y: 0 })
    expectRect(sourceRect(wide, V, { scale: 1, offset: { x: -1000, y: 0 } }), { x: 200, y: 0, width: 200, height: 200 })
  })

  it('stops at the top edge', () => {
    expect(clampOffset(tall, V, 1, { x: 0, y: 1000 })).toEqual({ x: 0, y: 128 })
    expectRect(sourceRect(tall, V, { scale: 1, offset: { x: 0, y: 1000 } }), { x: 0, y: 0, width: 300, height: 300 })
  })

  it('stops at the bottom edge', () => {
    expect(clampOffset(tall, V, 1, { x: 0, y: -1000 })).toEqual({ x: 0, y: -128 })
    expectRect(sourceRect(tall, V, { scale: 1, offset: { x: 0, y: -1000 } }), { x: 0, y: 300, width: 300, height: 300 })
  })

  it('clamps both axes at once, at a corner', () => {
    // Square at scale 2: 512 units, 128 units of slack on every side.
    expect(clampOffset(square, V, 2, { x: 999, y: -999 })).toEqual({ x: 128, y: -128 })
    expectRect(sourceRect(square, V, { scale: 2, offset: { x: 999, y: -999 } }), { x: 0, y: 250, width: 250, height: 250 })
  })

  it('does not let the shorter side move at scale 1', () => {
    expect(clampOffset(wide, V, 1, { x: 0, y: 40 })).toEqual({ x: 0, y: 0 })
    expect(clampOffset(tall, V, 1, { x: -40, y: 0 })).toEqual({ x: 0, y: 0 })
    expect(clampOffset(square, V, 1, { x: 30, y: -30 })).toEqual({ x: 0, y: 0 })
  })

  it('stays inside the image whatever the input', () => {
    for (const image of [wide, tall, square, { width: 1, height: 3 }, { width: 4032, height: 3024 }]) {
      for (const scale of [1, 1.37, 2, 3.99, 4]) {
        for (const offset of [{ x: 1e6, y: 1e6 }, { x: -1e6, y: 3 }, { x: 0.1, y: -1e6 }]) {
          const r = sourceRect(image, V, { scale, offset })
          expect(r.x).toBeGreaterThanOrEqual(0)
          expect(r.y).toBeGreaterThanOrEqual(0)
          expect(r.x + r.width).toBeLessThanOrEqual(image.width + 1e-9)
          expect(r.y + r.height).toBeLessThanOrEqual(image.height + 1e-9)
          expect(r.width).toBeCloseTo(Math.min(image.width, image.height) / scale, 9)
          expect(r.height).toBe(r.width)
        }
      }
    }
  })
})

describe('source rectangle', () => {
  it('is the centred square at scale 1 with no offset', () => {
    expectRect(sourceRect(wide, V, centred(1)), { x: 100, y: 0, width: 200, height: 200 })
    expectRect(sourceRect(tall, V, centred(1)), { x: 0, y: 150, width: 300, height: 300 })
    expectRect(sourceRect(square, V, centred(1)), { x: 0, y: 0, width: 500, height: 500 })
  })

  it('shrinks around the centre as the scale grows', () => {
    expectRect(sourceRect(wide, V, centred(4)), { x: 175, y: 75, width: 50, height: 50 })
    expectRect(sourceRect(square, V, centred(2)), { x: 125, y: 125, width: 250, height: 250 })
  })

  it('moves the opposite way to the image: image right shows more of the left', () => {
    // Wide at scale 1: 512/400 = 1.28 units per image pixel; 64 units = 50 pixels.
    expectRect(sourceRect(wide, V, { scale: 1, offset: { x: 64, y: 0 } }), { x: 50, y: 0, width: 200, height: 200 })
    expectRect(sourceRect(wide, V, { scale: 1, offset: { x: -64, y: 0 } }), { x: 150, y: 0, width: 200, height: 200 })
  })

  it('does not depend on the viewport size, only on the offset relative to it', () => {
    const a = sourceRect(wide, 256, { scale: 2, offset: { x: 40, y: -20 } })
    const b = sourceRect(wide, 512, { scale: 2, offset: { x: 80, y: -40 } })
    expectRect(b, a)
  })
})

describe('panning', () => {
  it('adds the delta and clamps', () => {
    let crop = centred(2)
    crop = pan(wide, V, crop, { x: 100, y: 0 })
    expect(crop.offset).toEqual({ x: 100, y: 0 })
    // Wide at scale 2: 1024×512 units; slack 384 across and 128 down.
    crop = pan(wide, V, crop, { x: 1000, y: -1000 })
    expect(crop.offset).toEqual({ x: 384, y: -128 })
    crop = pan(wide, V, crop, { x: -10, y: 10 })
    expect(crop.offset).toEqual({ x: 374, y: -118 })
  })
})

describe('zooming', () => {
  const centre = (r: Rect) => ({ x: r.x + r.width / 2, y: r.y + r.height / 2 })

  it('keeps the image point at the centre of the viewport', () => {
    const before: Crop = { scale: 1.5, offset: { x: 60, y: -30 } }
    const at = centre(sourceRect(square, V, before))
    for (const scale of [1.5, 2, 3, 4]) {
      const after = zoom(square, V, before, scale)
      expect(after.scale).toBe(scale)
      const c = centre(sourceRect(square, V, after))
      expect(c.x).toBeCloseTo(at.x, 9)
      expect(c.y).toBeCloseTo(at.y, 9)
    }
  })

  it('keeps the centre on the way back down while it can, then clamps to cover the viewport', () => {
    const zoomed = pan(wide, V, centred(4), { x: 300, y: 200 })
    const at = centre(sourceRect(wide, V, zoomed))
    const half = zoom(wide, V, zoomed, 3)
    const c = centre(sourceRect(wide, V, half))
    expect(c.x).toBeCloseTo(at.x, 9)
    expect(c.y).toBeCloseTo(at.y, 9)
    // At scale 1 the height no longer moves, and the width is clamped to its slack.
    const out = zoom(wide, V, zoomed, 1)
    expect(out.offset.y).toBe(0)
    expect(Math.abs(out.offset.x)).toBeLessThanOrEqual(128)
    expect(out).toEqual(clampCrop(wide, V, out))
  })

  it('clamps the scale', () => {
    expect(zoom(square, V, centred(2), 10).scale).toBe(4)
    expect(zoom(square, V, centred(2), 0).scale).toBe(1)
  })
})
