import { PICTURE_MAX_BYTES } from '@waggle/schema'
import { Show, createSignal, type JSX } from 'solid-js'

const SIZE = 256

/**
 * Reads an image file, crops it to a centred square and scales it to 256×256 on a canvas,
 * then encodes it as JPEG, lowering the quality until the data URL fits in 48 KB.
 */
export async function makePicture(file: File): Promise<string> {
  const bitmap = await createImageBitmap(file)
  const side = Math.min(bitmap.width, bitmap.height)
  const canvas = document.createElement('canvas')
  canvas.width = SIZE
  canvas.height = SIZE
  const ctx = canvas.getContext('2d')
  if (ctx === null) throw new Error('This browser cannot draw images')
  ctx.drawImage(bitmap, (bitmap.width - side) / 2, (bitmap.height - side) / 2, side, side, 0, 0, SIZE, SIZE)
  bitmap.close()
  for (const quality of [0.85, 0.7, 0.55, 0.4, 0.25]) {
    const url = canvas.toDataURL('image/jpeg', quality)
    if (url.length <= PICTURE_MAX_BYTES) return url
  }
  throw new Error('The picture is too detailed to fit; try another one')
}

/** The group picture: view it, upload a new one (cropped and scaled here), or remove it. */
export function PictureField(props: { picture: string | null; canEdit: boolean; onChange: (picture: string | null) => void }): JSX.Element {
  const [error, setError] = createSignal<string | null>(null)
  const onFile = (file: File | undefined) => {
    if (file === undefined) return
    setError(null)
    makePicture(file).then(props.onChange, (err: unknown) => setError(err instanceof Error ? err.message : String(err)))
  }
  return (
    <div class="group-picture">
      <Show when={props.picture} fallback={<div class="group-picture-empty" aria-hidden="true" />}>
        {(src) => <a href={src()} target="_blank" rel="noopener"><img src={src()} alt="Conversation picture" width="96" height="96" /></a>}
      </Show>
      <Show when={props.canEdit}>
        <label class="button secondary">
          {props.picture === null ? 'Upload picture' : 'Replace picture'}
          <input type="file" accept="image/png,image/jpeg,image/webp" class="sr-only" onChange={(e) => onFile(e.currentTarget.files?.[0])} />
        </label>
      </Show>
      <Show when={error()}>{(e) => <p role="alert" class="form-error">{e()}</p>}</Show>
    </div>
  )
}
