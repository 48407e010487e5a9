import type { UploadRow } from './UploadStore.ts'

/** Bytes per PATCH (the relay takes up to 1 MiB). */
export const CHUNK_BYTES = 512 * 1024

/** What one step of an upload came to. */
export type StepOutcome =
  | { kind: 'offset'; offset: number; complete: boolean }
  /** Network failure, 5xx, 408, 429: try again later (HEAD first). */
  | { kind: 'retry' }
  /** A final refusal (type, size, membership, content mismatch): shown with "Retry". */
  | { kind: 'failed'; message: string }
  | { kind: 'unauthorized' }

export interface UploadApi {
  create(row: UploadRow): Promise<StepOutcome>
  /** The relay's offset (HEAD), after a network drop. */
  offset(id: string): Promise<StepOutcome>
  patch(id: string, offset: number, chunk: Blob): Promise<StepOutcome>
}

/** The relay's upload routes (sync-server README "Files") over `fetch`. */
export function httpUploadApi(fetchFn: typeof fetch, baseUrl: string, token: () => string): UploadApi {
  const auth = () => ({ authorization: `Bearer ${token()}` })
  const call = async (path: string, init: RequestInit): Promise<StepOutcome> => {
    let res: Response
    try {
      res = await fetchFn(`${baseUrl}${path}`, init)
    } catch {
      return { kind: 'retry' }
    }
    return outcomeOf(res, init.method === 'HEAD' ? null : ((await res.json().catch(() => null)) as unknown))
  }
  return {
    create: (row) => call('/api/uploads', {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ conv: row.conv, id: row.id, name: row.name, size: row.size, type: row.type }),
    }),
    offset: (id) => call(`/api/uploads/${encodeURIComponent(id)}`, { method: 'HEAD', headers: auth() }),
    patch: (id, offset, chunk) => call(`/api/uploads/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      headers: { ...auth(), 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' },
      body: chunk,
    }),
  }
}

/** Maps an answer to an outcome; the offset comes from the `Upload-Offset` header or the body. */
export function outcomeOf(res: Pick<Response, 'status' | 'headers'>, body: unknown): StepOutcome {
  const b = body as { offset?: unknown; size?: unknown; complete?: unknown; reason?: unknown; message?: unknown } | null
  if (res.status === 401) return { kind: 'unauthorized' }
  if (res.status === 409 && b?.reason === 'upload-offset-mismatch') return { kind: 'retry' }
  if (res.status >= 200 && res.status < 300) {
    const header = res.headers.get('upload-offset')
    const offset = header !== null ? Number(header) : typeof b?.offset === 'number' ? b.offset : NaN
    const length = res.headers.get('upload-length')
    const complete = b?.complete === true || (length !== null && Number(length) === offset)
    return Number.isSafeInteger(offset) ? { kind: 'offset', offset, complete } : { kind: 'retry' }
  }
  if (res.status === 408 || res.status === 429 || res.status >= 500) return { kind: 'retry' }
  return { kind: 'failed', message: typeof b?.message === 'string' ? b.message : `The server refused this file (${res.status}).` }
}
