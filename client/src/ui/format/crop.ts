/**
 * Geometry of the picture crop: a square viewport over an image that can be scaled and panned.
 *
 * - At scale 1 the image's shorter side exactly fills the viewport; scale goes up to `MAX_SCALE`.
 * - The offset is where the image's centre sits relative to the viewport's centre, in viewport
 *   units (what a pointer drag moves): `{ x: 10, y: 0 }` has the image moved 10 units to the
 *   right, so the viewport shows more of its left part.
 * - The image always covers the whole viewport: offsets are clamped to that.
 */

export const MIN_SCALE = 1
export const MAX_SCALE = 4
/** Side of the encoded picture, in pixels. */
export const OUTPUT_SIZE = 256

export interface Size {
  width: number
  height: number
}

export interface Offset {
  x: number
  y: number
}

export interface Crop {
  scale: number
  offset: Offset
}

/** A rectangle in image pixels (the part of the image to draw). */
export interface Rect {
  x: number
  y: number
  width: number
  height: number
}

export function clampScale(scale: number): number {
  if (!Number.isFinite(scale)) return MIN_SCALE
  return Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale))
}

/** The image's size on screen, in viewport units, at `scale`. */
export function displayedSize(image: Size, viewport: number, scale: number): Size {
  const unit = (viewport / Math.min(image.width, image.height)) * clampScale(scale)
  return { width: image.width * unit, height: image.height * unit }
}

const clampAxis = (value: number, shown: number, viewport: number): number => {
  const slack = Math.max(0, (shown - viewport) / 2)
  // `+ 0` turns -0 into 0 (tests compare with toEqual).
  return Math.min(slack, Math.max(-slack, value)) + 0
}

/** The nearest offset at which the image still covers the whole viewport. */
export function clampOffset(image: Size, viewport: number, scale: number, offset: Offset): Offset {
  const shown = displayedSize(image, viewport, scale)
  return { x: clampAxis(offset.x, shown.width, viewport), y: clampAxis(offset.y, shown.height, viewport) }
}

/** A clamped crop: scale within bounds, offset keeping the viewport covered. */
export function clampCrop(image: Size, viewport: number, crop: Crop): Crop {
  const scale = clampScale(crop.scale)
  return { scale, offset: clampOffset(image, viewport, scale, crop.offset) }
}

/** `crop` moved by `delta` viewport units (a drag or an arrow key), clamped. */
export function pan(image: Size, viewport: number, crop: Crop, delta: Offset): Crop {
  return clampCrop(image, viewport, { scale: crop.scale, offset: { x: crop.offset.x + delta.x, y: crop.offset.y + delta.y } })
}

/**
 * `crop` at a new scale, keeping the image point at the viewport's centre where it is (as far as
 * the clamping allows: zooming out near an edge pulls the image back over the viewport).
 */
export function zoom(image: Size, viewport: number, crop: Crop, scale: number): Crop {
  const from = clampScale(crop.scale)
  const to = clampScale(scale)
  const ratio = to / from
  return clampCrop(image, viewport, { scale: to, offset: { x: crop.offset.x * ratio, y: crop.offset.y * ratio } })
}

/** The part of the image (in image pixels) that the viewport shows: a square, always inside the image. */
export function sourceRect(image: Size, viewport: number, crop: Crop): Rect {
  const { scale, offset } = clampCrop(image, viewport, crop)
  const shown = displayedSize(image, viewport, scale)
  const unitsPerPixel = shown.width / image.width
  const side = Math.min(image.width, image.height) / scale
  const x = ((shown.width - viewport) / 2 - offset.x) / unitsPerPixel
  const y = ((shown.height - viewport) / 2 - offset.y) / unitsPerPixel
  // Rounding errors must never put the rectangle outside the image.
  return {
    x: Math.min(image.width - side, Math.max(0, x)),
    y: Math.min(image.height - side, Math.max(0, y)),
    width: side,
    height: side,
  }
}
