import { Show, createSignal, type JSX } from 'solid-js'
import { Dialog } from '../../Dialog.tsx'
import { PictureCropDialog } from './PictureCropDialog.tsx'

const ACCEPT = ['image/png', 'image/jpeg', 'image/webp']
const NOT_AN_IMAGE = 'This file is not a picture that can be used; choose a PNG, JPEG or WebP image'

/** Decodes a chosen or dropped file for the crop dialog; rejects anything but a readable PNG, JPEG or WebP. */
async function readImage(file: File): Promise<ImageBitmap> {
  if (!ACCEPT.includes(file.type)) throw new Error(NOT_AN_IMAGE)
  try {
    return await createImageBitmap(file)
  } catch {
    throw new Error(NOT_AN_IMAGE)
  }
}

/** A button that opens the file chooser for a picture (the input itself stays hidden). */
function ChooseImageButton(props: { label: string; class?: string; onFile: (file: File) => void }): JSX.Element {
  let input!: HTMLInputElement
  return (
    <>
      <button type="button" class={props.class ?? 'button button-small'} onClick={() => input.click()}>{props.label}</button>
      <input ref={(e) => (input = e)} type="file" accept={ACCEPT.join(',')} hidden onChange={(e) => {
        const file = e.currentTarget.files?.[0]
        e.currentTarget.value = ''
        if (file !== undefined) props.onFile(file)
      }} />
    </>
  )
}

/**
 * The group picture. Managers drop a picture onto the avatar or "Select image", then crop and
 * scale it ("Crop picture"); with a picture set, "View image" (or a click on the picture) shows it
 * large, with "Replace" and "Remove" for managers. Everyone else can view it.
 */
export function PictureField(props: { picture: string | null; canEdit: boolean; onChange: (picture: string | null) => void }): JSX.Element {
  const [error, setError] = createSignal<string | null>(null)
  const [cropping, setCropping] = createSignal<ImageBitmap | null>(null)
  const [viewing, setViewing] = createSignal(false)
  const [dropping, setDropping] = createSignal(false)
  let dragDepth = 0

  const onFile = (file: File) => {
    setError(null)
    setViewing(false)
    readImage(file).then(setCropping, (err: unknown) => setError(err instanceof Error ? err.message : String(err)))
  }
  const hasFiles = (e: DragEvent) => e.dataTransfer?.types.includes('Files') === true
  const dropHandlers = {
    onDragEnter: (e: DragEvent) => {
      if (!props.canEdit || !hasFiles(e)) return
      e.preventDefault()
      dragDepth++
      setDropping(true)
    },
    onDragOver: (e: DragEvent) => {
      if (!props.canEdit || !hasFiles(e)) return
      e.preventDefault()
      if (e.dataTransfer !== null) e.dataTransfer.dropEffect = 'copy'
    },
    onDragLeave: () => {
      dragDepth = Math.max(0, dragDepth - 1)
      if (dragDepth === 0) setDropping(false)
    },
    onDrop: (e: DragEvent) => {
      dragDepth = 0
      setDropping(false)
      if (!props.canEdit) return
      e.preventDefault()
      const file = e.dataTransfer?.files[0]
      if (file !== undefined) onFile(file)
    },
  }

  return (
    <div class="group-picture">
      <div class="group-picture-avatar" classList={{ droppable: props.canEdit, dropping: dropping() }} {...dropHandlers}>
        <Show when={props.picture} fallback={<div class="group-picture-empty" aria-hidden="true" />}>
          {(src) => <img src={src()} alt="Conversation picture" width="96" height="96" onClick={() => setViewing(true)} />}
        </Show>
        <Show when={props.canEdit}>
          <span class="group-picture-drop" aria-hidden="true">{dropping() ? 'Drop to upload' : 'Drop a picture'}</span>
        </Show>
      </div>
      <div class="group-picture-actions">
        <Show when={props.picture !== null}>
          <button type="button" class="button button-small" onClick={() => setViewing(true)}>View image</button>
        </Show>
        <Show when={props.canEdit}>
          <ChooseImageButton label="Select image" onFile={onFile} />
          <p class="field-hint">Or drop a picture onto the avatar.</p>
        </Show>
        <Show when={error()}>{(e) => <p role="alert" class="form-error">{e()}</p>}</Show>
      </div>
      <Show when={viewing() ? props.picture : null}>
        {(src) => (
          <Dialog title="View image" onClose={() => setViewing(false)} class="dialog-narrow picture-view">
            {(close) => (
              <>
                <img class="picture-view-image" src={src()} alt="Conversation picture (full size)" width="256" height="256" />
                <Show when={props.canEdit}>
                  <div class="dialog-actions">
                    <button type="button" class="button picture-remove" onClick={() => {
                      props.onChange(null)
                      close()
                    }}>Remove</button>
                    <ChooseImageButton label="Replace" class="button button-primary" onFile={onFile} />
                  </div>
                </Show>
              </>
            )}
          </Dialog>
        )}
      </Show>
      <Show when={cropping()} keyed>
        {(image) => (
          <PictureCropDialog image={image} onApply={(picture) => props.onChange(picture)} onClose={() => {
            image.close()
            if (cropping() === image) setCropping(null)
          }} />
        )}
      </Show>
    </div>
  )
}
