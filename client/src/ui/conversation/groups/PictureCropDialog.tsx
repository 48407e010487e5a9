import { PICTURE_MAX_BYTES } from '@waggle/schema'
import { Show, createEffect, createSignal, createUniqueId, type JSX } from 'solid-js'
import { Dialog } from '../../Dialog.tsx'
import { MAX_SCALE, MIN_SCALE, OUTPUT_SIZE, pan, sourceRect, zoom, type Crop, type Rect, type Size } from '../../format/crop.ts'

/** The viewport's side in crop units (pointer moves are converted from CSS pixels to these). */
const VIEW = 256
/** An arrow key moves the picture this far (Shift: four times as far). */
const STEP = 16
const SCALE_STEP = 0.25

/**
 * Draws `rect` of `source` into a 256×256 canvas (on white, for transparent PNGs) and encodes it
 * as JPEG, lowering the quality until the data URL fits in PICTURE_MAX_BYTES.
 */
export function encodePicture(source: CanvasImageSource, rect: Rect): string {
  const canvas = document.createElement('canvas')
  canvas.width = OUTPUT_SIZE
  canvas.height = OUTPUT_SIZE
  const ctx = canvas.getContext('2d')
  if (ctx === null) throw new Error('This browser cannot draw images')
  ctx.fillStyle = '#fff'
  ctx.fillRect(0, 0, OUTPUT_SIZE, OUTPUT_SIZE)
  ctx.imageSmoothingQuality = 'high'
  ctx.drawImage(source, rect.x, rect.y, rect.width, rect.height, 0, 0, OUTPUT_SIZE, OUTPUT_SIZE)
  for (const quality of [0.85, 0.7, 0.55, 0.4, 0.25]) {
    const url = canvas.toDataURL('image/jpeg', quality)
    if (url.length <= PICTURE_MAX_BYTES) return url
  }
  throw new Error('The picture is too detailed to fit; try another one')
}

/**
 * "Crop picture": the image in a square viewport under a round mask; drag it or move it with the
 * arrow keys, scale it with the "Scale" slider (or + and −), and Apply encodes what the viewport
 * shows. `image` stays the caller's (it closes it).
 */
export function PictureCropDialog(props: { image: ImageBitmap; onApply: (picture: string) => void; onClose: () => void }): JSX.Element {
  const id = createUniqueId()
  const size = (): Size => ({ width: props.image.width, height: props.image.height })
  const [crop, setCrop] = createSignal<Crop>({ scale: MIN_SCALE, offset: { x: 0, y: 0 } })
  const [error, setError] = createSignal<string | null>(null)
  const [dragging, setDragging] = createSignal(false)
  let canvas!: HTMLCanvasElement
  let viewport!: HTMLDivElement

  const move = (dx: number, dy: number) => setCrop((c) => pan(size(), VIEW, c, { x: dx, y: dy }))
  const scaleTo = (scale: number) => setCrop((c) => zoom(size(), VIEW, c, scale))

  // The preview is drawn from the same rectangle that Apply encodes.
  createEffect(() => {
    const rect = sourceRect(size(), VIEW, crop())
    const ctx = canvas.getContext('2d')
    if (ctx === null) return
    ctx.imageSmoothingQuality = 'high'
    ctx.clearRect(0, 0, canvas.width, canvas.height)
    ctx.drawImage(props.image, rect.x, rect.y, rect.width, rect.height, 0, 0, canvas.width, canvas.height)
  })

  const onKeyDown = (e: KeyboardEvent) => {
    const step = e.shiftKey ? STEP * 4 : STEP
    const moves: Record<string, [number, number]> = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] }
    const delta = moves[e.key]
    if (delta !== undefined) move(delta[0], delta[1])
    else if (e.key === '+' || e.key === '=') scaleTo(crop().scale + SCALE_STEP)
    else if (e.key === '-') scaleTo(crop().scale - SCALE_STEP)
    else return
    e.preventDefault()
  }

  let last: { x: number; y: number } | null = null
  const onPointerDown = (e: PointerEvent) => {
    if (e.button !== 0) return
    viewport.setPointerCapture(e.pointerId)
    viewport.focus()
    last = { x: e.clientX, y: e.clientY }
    setDragging(true)
  }
  const onPointerMove = (e: PointerEvent) => {
    if (last === null) return
    const units = VIEW / viewport.getBoundingClientRect().width
    move((e.clientX - last.x) * units, (e.clientY - last.y) * units)
    last = { x: e.clientX, y: e.clientY }
  }
  const onPointerEnd = () => {
    last = null
    setDragging(false)
  }

  return (
    <Dialog title="Crop picture" onClose={props.onClose} class="dialog-narrow picture-crop">
      {(close) => (
        <>
          <div
            ref={(e) => (viewport = e)} class="crop-viewport" classList={{ dragging: dragging() }} tabIndex={0}
            role="group" aria-roledescription="crop area" aria-label="Picture position" aria-describedby={`${id}-hint`}
            onKeyDown={onKeyDown} onPointerDown={onPointerDown} onPointerMove={onPointerMove} onPointerUp={onPointerEnd} onPointerCancel={onPointerEnd}
          >
            <canvas ref={(e) => (canvas = e)} width={VIEW * 2} height={VIEW * 2} aria-hidden="true" />
            <div class="crop-mask" aria-hidden="true" />
          </div>
          <p id={`${id}-hint`} class="hint">Drag the picture, or focus it and use the arrow keys to move it (Shift moves further; + and − scale it). The round area is the picture.</p>
          <label class="crop-scale">
            Scale
            <input
              type="range" min={MIN_SCALE} max={MAX_SCALE} step="0.01" value={crop().scale}
              aria-valuetext={`${Math.round(crop().scale * 100)}%`}
              onInput={(e) => scaleTo(e.currentTarget.valueAsNumber)}
            />
          </label>
          <Show when={error()}>{(e) => <p role="alert" class="form-error">{e()}</p>}</Show>
          <div class="dialog-actions">
            <button type="button" class="button" onClick={close}>Cancel</button>
            <button type="button" class="button button-primary" onClick={() => {
              setError(null)
              try {
                props.onApply(encodePicture(props.image, sourceRect(size(), VIEW, crop())))
                close()
              } catch (err) {
                setError(err instanceof Error ? err.message : String(err))
              }
            }}>Apply</button>
          </div>
        </>
      )}
    </Dialog>
  )
}
