import type { AttachmentRef, ConvId } from '@waggle/schema'
import { For, Match, Show, Switch, createSignal, type Accessor, type JSX } from 'solid-js'
import type { FilesModel } from '../../bind/model.ts'
import { formatBytes } from '../../bind/uploads/createFiles.ts'
import { useApp } from '../context.ts'
import './attachments.css'

/** Files chosen in the composer, not sent yet. */
export interface AttachmentDraft {
  files: Accessor<readonly File[]>
  /** Why the last files could not be added (size, count). */
  error: Accessor<string | null>
  add(files: readonly File[]): void
  remove(index: number): void
  clear(): void
  /** Stores the chosen files on the device and queues their upload; the refs go into the message. */
  queue(conv: ConvId): AttachmentRef[]
}

export function createAttachmentDraft(files: FilesModel): AttachmentDraft {
  const [chosen, setChosen] = createSignal<readonly File[]>([])
  const [error, setError] = createSignal<string | null>(null)
  return {
    files: chosen,
    error,
    add(added) {
      if (added.length === 0) return
      const next = [...chosen(), ...added]
      const problem = files.check(next)
      setError(problem)
      if (problem === null) setChosen(next)
    },
    remove(index) {
      setChosen(chosen().filter((_, i) => i !== index))
      setError(null)
    },
    clear() {
      setChosen([])
      setError(null)
    },
    queue: (conv) => (chosen().length === 0 ? [] : files.queue(conv, chosen())),
  }
}

/** The paper clip: a visually styled label around the file input named "Attach files". */
export function AttachButton(props: { draft: AttachmentDraft; disabled: boolean }): JSX.Element {
  return (
    <label class="attach-button" title="Attach files" classList={{ disabled: props.disabled }}>
      <svg width="20" height="20" viewBox="0 0 20 20" aria-hidden="true">
        <path d="M14.5 9.5 9 15a3.5 3.5 0 0 1-5-5l6.5-6.5a2.3 2.3 0 0 1 3.3 3.3L7.3 13.3a1.1 1.1 0 0 1-1.6-1.6L11.5 6" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" />
      </svg>
      <input
        type="file" multiple class="sr-only" aria-label="Attach files" disabled={props.disabled}
        onChange={(e) => {
          props.draft.add([...(e.currentTarget.files ?? [])])
          e.currentTarget.value = ''
        }}
      />
    </label>
  )
}

/** Chosen files with their remove buttons, and the size error before anything is uploaded. */
export function AttachmentChips(props: { draft: AttachmentDraft }): JSX.Element {
  return (
    <>
      <Show when={props.draft.error()}>{(m) => <p class="composer-error" role="alert">{m()}</p>}</Show>
      <Show when={props.draft.files().length > 0}>
        <ul class="attachment-chips" aria-label="Files to send">
          <For each={props.draft.files()}>
            {(file, i) => (
              <li class="attachment-chip">
                <span class="attachment-chip-name">{file.name}</span>
                <span class="attachment-size">{formatBytes(file.size)}</span>
                <button type="button" class="link-button" aria-label={`Remove ${file.name}`} onClick={() => props.draft.remove(i())}>×</button>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </>
  )
}

/** The attachments of one message: previews for images, links for other files, upload state. */
export function MessageAttachments(props: { items: readonly AttachmentRef[]; own: boolean }): JSX.Element {
  return (
    <ul class="attachments">
      <For each={props.items}>{(ref) => <li><Attachment item={ref} /></li>}</For>
    </ul>
  )
}

function Attachment(props: { item: AttachmentRef }): JSX.Element {
  const { model } = useApp()
  // Not named `ref`: Solid treats a `ref` prop as an element ref.
  const ref = props.item
  const view = model.files.file(ref)
  const progress = () => model.files.progress(ref.id)
  const image = ref.type.startsWith('image/')
  const url = () => {
    const v = view()
    return v.state === 'ready' ? v.url : null
  }
  const problem = () => {
    const v = view()
    return v.state === 'error' ? ` ${v.message}` : null
  }
  const percent = () => {
    const p = progress()
    return p === undefined || p.size === 0 ? 0 : Math.floor((p.offset / p.size) * 100)
  }
  return (
    <div class="attachment" classList={{ 'attachment-image': image }}>
      <Show
        when={url()}
        fallback={
          <>
            <span class="attachment-name">{ref.name}</span>
            <span class="attachment-status">{problem() ?? (progress() === undefined ? ' Uploading…' : '')}</span>
          </>
        }
      >
        {(u) => (image
          ? <a href={u()} target="_blank" rel="noopener"><img class="attachment-preview" src={u()} alt={ref.name} /></a>
          : <a class="attachment-link" href={u()} download={ref.name}>{ref.name}</a>)}
      </Show>
      <span class="attachment-size"> {formatBytes(ref.size)}</span>
      <Show when={progress()}>
        {(p) => (
          <Switch>
            <Match when={p().state === 'pending'}>
              <div class="attachment-progress">
                <div role="progressbar" aria-label={`Uploading ${ref.name}`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent()} class="progress-track">
                  <div class="progress-fill" style={{ width: `${percent()}%` }} />
                </div>
                <span>Uploading {percent()}%</span>
              </div>
            </Match>
            <Match when={p().state === 'failed'}>
              <p class="delivery delivery-error">
                <span>Upload failed: {p().error}</span>
                <button type="button" class="link-button" onClick={() => model.files.retry(ref.id)}>Retry</button>
              </p>
            </Match>
          </Switch>
        )}
      </Show>
    </div>
  )
}
