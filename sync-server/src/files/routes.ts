import {
  ID_PATTERN, Limits, Reason, WaggleError, currentSegment, docName, isDeleted, listMessages, type ConvId, type Principal,
} from '@waggle/schema'
import type { Context, Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import * as v from 'valibot'
import { jsonBody } from '../http/validate.ts'
import type { AccountStore } from '../storage/AccountStore.ts'
import type { DocHub } from '../relay/DocHub.ts'
import type { FileRecord, FileStore } from './FileStore.ts'
import { SNIFF_BYTES, isAllowedType, isInlineType, matchesMagic, normaliseType } from './contentType.ts'

/** Largest PATCH body: one chunk of a resumable upload. */
export const MAX_CHUNK_BYTES = 1024 * 1024

/** Paths the 64 KiB JSON body limit does not apply to (they have their own). */
export const isUploadChunk = (method: string, path: string): boolean => method === 'PATCH' && path.startsWith('/api/uploads/')

export const CreateUploadBody = v.object({
  conv: v.pipe(v.string(), v.regex(ID_PATTERN)),
  id: v.pipe(v.string(), v.regex(ID_PATTERN)),
  name: v.pipe(v.string(), v.minLength(1), v.maxLength(Limits.attachmentNameLength)),
  size: v.pipe(v.number(), v.integer(), v.minValue(0)),
  type: v.pipe(v.string(), v.maxLength(255)),
})

export interface FileRoutesDeps {
  files: FileStore
  accounts: AccountStore
  /** Reads segments, to find the message an attachment belongs to (hidden history). */
  hub: Pick<DocHub, 'read'>
  maxFileBytes: number
  signedIn: (c: Context) => Promise<Principal>
  now: () => number
}

/** The state of an upload as every upload route answers it. */
const stateOf = (r: FileRecord) => ({ id: r.id, offset: r.offset, size: r.size, complete: r.complete })

/**
 * Resumable uploads and downloads (README "Files"): `POST /api/uploads`, `PATCH` and `HEAD`
 * `/api/uploads/:id`, `GET /api/files/:id`. Register before the `/api/*` catch-all.
 */
export function mountFileRoutes(app: Hono, deps: FileRoutesDeps): void {
  const { files, accounts } = deps

  const writableMember = async (conv: ConvId, who: Principal) => {
    const m = await accounts.conversationMember(conv, who.userId)
    if (m === null) throw new WaggleError(Reason.forbidden, 'You are not a member of this conversation')
    if (m.readOnly) throw new WaggleError(Reason.readOnly, 'This conversation is read-only for you')
  }
  const ownUpload = async (c: Context, who: Principal): Promise<FileRecord> => {
    const r = await files.get(c.req.param('id') ?? '')
    if (r === null || r.owner !== who.userId) throw new WaggleError(Reason.notFound, 'No such upload')
    return r
  }

  app.post('/api/uploads', async (c) => {
    const who = await deps.signedIn(c)
    const body = await jsonBody(c, CreateUploadBody)
    const conv = body.conv as ConvId
    const type = normaliseType(body.type)
    const existing = await files.get(body.id)
    if (existing !== null) {
      // Idempotent for the same uploader: a device that lost the answer asks again.
      if (existing.owner !== who.userId || existing.conv !== conv || existing.size !== body.size) {
        throw new WaggleError(Reason.conflict, 'This upload id is taken')
      }
      return c.json(stateOf(existing), 200)
    }
    if (body.size > deps.maxFileBytes) {
      throw new WaggleError(Reason.fileTooLarge, `A file is at most ${Math.floor(deps.maxFileBytes / 1_000_000)} MB`)
    }
    if (!isAllowedType(type)) throw new WaggleError(Reason.unsupportedFileType, `Files of type "${type || 'unknown'}" cannot be shared`)
    await writableMember(conv, who)
    const record: FileRecord = { id: body.id, conv, owner: who.userId, name: body.name, size: body.size, type, offset: 0, complete: false, createdAt: deps.now() }
    await files.create(record)
    if (record.size === 0) return c.json(stateOf(await finish(files, record)), 201)
    return c.json(stateOf(record), 201)
  })

  // HEAD is answered by this route too (Hono runs GET handlers for HEAD and drops the body).
  app.get('/api/uploads/:id', async (c) => {
    const r = await ownUpload(c, await deps.signedIn(c))
    c.header('Upload-Offset', String(r.offset))
    c.header('Upload-Length', String(r.size))
    c.header('Cache-Control', 'no-store')
    return c.json(stateOf(r))
  })

  app.patch('/api/uploads/:id', bodyLimit({
    maxSize: MAX_CHUNK_BYTES,
    onError: () => { throw new WaggleError(Reason.frameTooLarge, `A chunk is at most ${MAX_CHUNK_BYTES} bytes`) },
  }), async (c) => {
    const who = await deps.signedIn(c)
    const r = await ownUpload(c, who)
    const offset = Number(c.req.header('upload-offset') ?? 'NaN')
    if (!Number.isSafeInteger(offset) || offset < 0) throw new WaggleError(Reason.badRequest, 'Upload-Offset must be a byte offset')
    if (r.complete) return c.json(stateOf(r))
    if (offset !== r.offset) {
      c.header('Upload-Offset', String(r.offset))
      throw new WaggleError(Reason.uploadOffsetMismatch, `The upload is at ${r.offset}, not ${offset}`)
    }
    await writableMember(r.conv, who)
    const chunk = new Uint8Array(await c.req.arrayBuffer())
    if (offset + chunk.byteLength > r.size) throw new WaggleError(Reason.badRequest, 'The chunk goes past the declared size')
    const next = await files.append(r.id, offset, chunk)
    const updated = next === r.size ? await finish(files, { ...r, offset: next }) : { ...r, offset: next }
    c.header('Upload-Offset', String(updated.offset))
    return c.json(stateOf(updated))
  })

  app.get('/api/files/:id', async (c) => {
    const who = await deps.signedIn(c)
    const r = await files.get(c.req.param('id'))
    if (r === null) throw new WaggleError(Reason.notFound, 'No such file')
    const m = await accounts.conversationMember(r.conv, who.userId)
    if (m === null) throw new WaggleError(Reason.forbidden, 'You are not a member of this conversation')
    if (!r.complete) throw new WaggleError(Reason.notFound, 'This file is still uploading')
    if (m.firstSegment > 0 && r.owner !== who.userId && !(await attachedFrom(deps.hub, r.conv, r.id, m.firstSegment))) {
      throw new WaggleError(Reason.forbidden, 'This file belongs to conversation history you cannot see')
    }
    const disposition = isInlineType(r.type) ? 'inline' : 'attachment'
    return new Response(await files.open(r.id), {
      headers: {
        'Content-Type': r.type,
        'Content-Length': String(r.size),
        'X-Content-Type-Options': 'nosniff',
        'Content-Disposition': `${disposition}; filename*=UTF-8''${encodeURIComponent(r.name)}`,
        'Cache-Control': 'private, max-age=31536000, immutable',
      },
    })
  })
}

/**
 * Whether a live message of `conv` in segment `firstSegment` or later carries attachment `id`:
 * a member added with hidden history (`firstSegment > 0`) may download only files of messages
 * they may read. Files are tied to the conversation at upload, not to a segment (the message
 * that carries one may be posted after the upload, even in a later segment), so the readable
 * segments are searched; members who see the whole history skip this.
 */
async function attachedFrom(hub: Pick<DocHub, 'read'>, conv: ConvId, id: string, firstSegment: number): Promise<boolean> {
  const last = await hub.read(docName.convMeta(conv), currentSegment)
  for (let seg = last; seg >= firstSegment; seg--) {
    const found = await hub.read(docName.segment(conv, seg), (doc) =>
      listMessages(doc).some((msg) => !isDeleted(msg) && msg.attachments?.some((a) => a.id === id) === true))
    if (found) return true
  }
  return false
}

/** All bytes are in: check the content against the declared type, then mark it complete. */
async function finish(files: FileStore, r: FileRecord): Promise<FileRecord> {
  if (!matchesMagic(r.type, await files.head(r.id, SNIFF_BYTES))) {
    await files.delete(r.id)
    throw new WaggleError(Reason.fileTypeMismatch, `The content of "${r.name}" is not a ${r.type} file; the upload was removed`)
  }
  await files.markComplete(r.id)
  return { ...r, complete: true }
}
