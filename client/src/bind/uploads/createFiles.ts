import { Limits, Reason, WaggleError, randomId, type AttachmentRef, type ConvId } from '@waggle/schema'
import { createSignal, onCleanup, type Accessor } from 'solid-js'
import type { FileView, FilesModel, UploadProgress } from '../model.ts'
import { Uploader } from './Uploader.ts'
import { httpUploadApi, type UploadApi } from './uploadHttp.ts'
import type { UploadStore } from './UploadStore.ts'

export interface FilesDeps {
  store: UploadStore
  fetch: typeof fetch
  baseUrl: string
  token: string
  now: () => number
  /** The relay connection is open. */
  online: () => boolean
  onError: (err: unknown) => void
  api?: UploadApi
  /** How long to wait before asking again for a file someone is still uploading. */
  pollMs?: number
}

/** Formats bytes for people ("2.4 MB"). */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)} kB`
  return `${(n / 1_000_000).toFixed(1)} MB`
}

/** Checks files against the limits before anything is queued; the message to show, or null. */
export function checkFiles(files: readonly { name: string; size: number }[], maxBytes = Limits.fileBytes): string | null {
  if (files.length > Limits.attachmentsPerMessage) return `A message can carry at most ${Limits.attachmentsPerMessage} files`
  const big = files.find((f) => f.size > maxBytes)
  if (big !== undefined) return `"${big.name}" is ${formatBytes(big.size)}; files can be at most ${formatBytes(maxBytes)}`
  const long = files.find((f) => f.name.length > Limits.attachmentNameLength)
  if (long !== undefined) return `A file name is at most ${Limits.attachmentNameLength} characters`
  return null
}

/**
 * The attachments side of the app model: queueing files (their bytes go to IndexedDB first),
 * progress for every tab, and each file's bytes for display, from this device when it has
 * them (own upload or an earlier download, so they open offline) or from the relay.
 */
export function createFiles(deps: FilesDeps): { model: FilesModel; startUploader: () => Uploader; dispose: () => void } {
  const { store } = deps
  const [rows, setRows] = createSignal<ReadonlyMap<string, UploadProgress>>(new Map())
  /** Blobs queued in this tab, shown before IndexedDB has them. */
  const local = new Map<string, Blob>()
  let uploader: Uploader | null = null
  const stop = store.watch((list) => {
    setRows(new Map(list.map((r) => [r.id, { state: r.state, offset: r.offset, size: r.size, error: r.error ?? null }])))
    uploader?.kick()
  }, deps.onError)

  const fetchFile = async (id: string): Promise<Blob | 'waiting' | 'forbidden'> => {
    const res = await deps.fetch(`${deps.baseUrl}/api/files/${encodeURIComponent(id)}`, { headers: { authorization: `Bearer ${deps.token}` } })
    if (res.status === 404) return 'waiting'
    if (res.status === 403) return 'forbidden'
    if (!res.ok) throw new Error(`GET /api/files answered ${res.status}`)
    return res.blob()
  }

  const model: FilesModel = {
    maxFileBytes: Limits.fileBytes,
    check: (files) => checkFiles(files),
    queue(conv: ConvId, files: readonly File[]): AttachmentRef[] {
      const problem = checkFiles(files)
      if (problem !== null) throw new WaggleError(Reason.fileTooLarge, problem)
      return files.map((file) => {
        const ref: AttachmentRef = { id: randomId(), name: file.name, size: file.size, type: file.type }
        local.set(ref.id, file)
        store.add({ ...ref, conv, blob: file, offset: 0, state: 'pending', createdAt: deps.now() }).then(() => uploader?.kick(), deps.onError)
        return ref
      })
    },
    progress: (id) => rows().get(id),
    retry(id) {
      store.retry(id).then(() => uploader?.kick(), deps.onError)
    },
    file(ref: AttachmentRef): Accessor<FileView> {
      const [view, setView] = createSignal<FileView>({ state: 'waiting' })
      let url: string | null = null
      let timer: ReturnType<typeof setTimeout> | null = null
      let gone = false
      onCleanup(() => {
        gone = true
        if (timer !== null) clearTimeout(timer)
        if (url !== null) URL.revokeObjectURL(url)
      })
      const show = (blob: Blob) => {
        if (gone) return
        url = URL.createObjectURL(blob)
        setView({ state: 'ready', url })
      }
      const attempt = async (): Promise<void> => {
        const mine = local.get(ref.id) ?? (await store.blob(ref.id))
        if (mine !== undefined) return show(mine)
        if (gone) return
        const got = await fetchFile(ref.id).catch(() => 'waiting' as const)
        if (got === 'forbidden') return void setView({ state: 'error', message: 'You cannot open this file.' })
        if (got === 'waiting') {
          // Still uploading, or offline: ask again later.
          if (!gone) timer = setTimeout(() => void attempt().catch(deps.onError), deps.pollMs ?? 3000)
          return
        }
        await store.cache(ref.id, got)
        show(got)
      }
      attempt().catch(deps.onError)
      return view
    },
  }

  return {
    model,
    startUploader() {
      uploader ??= new Uploader({ store, api: deps.api ?? httpUploadApi(deps.fetch, deps.baseUrl, () => deps.token), online: deps.online, onError: deps.onError })
      uploader.kick()
      return uploader
    },
    dispose() {
      stop()
      uploader?.dispose()
      uploader = null
    },
  }
}
