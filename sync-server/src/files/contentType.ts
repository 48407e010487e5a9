/**
 * Which files the relay accepts, and the magic-byte check at completion. The declared type must
 * be on this list; for images and PDF, whose content a browser renders, the first bytes must
 * match it too (so a script cannot be served inline as "image/png"). The other types are always
 * served as attachments (downloads) with `nosniff`, so they are never rendered in the page.
 */
export const ALLOWED_TYPES: ReadonlySet<string> = new Set([
  'image/png', 'image/jpeg', 'image/gif', 'image/webp',
  'application/pdf',
  'text/plain',
  'text/csv',
  'application/zip',
  'application/msword',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
])

/** Normalises a declared type (`Image/PNG; x=y` → `image/png`). */
export function normaliseType(type: string): string {
  return (type.split(';')[0] ?? '').trim().toLowerCase()
}

export const isAllowedType = (type: string): boolean => ALLOWED_TYPES.has(normaliseType(type))

/** Images are shown inline; everything else is a download. */
export const isInlineType = (type: string): boolean => normaliseType(type).startsWith('image/')

const MAGIC: Readonly<Record<string, (b: Uint8Array) => boolean>> = {
  'image/png': (b) => starts(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  'image/jpeg': (b) => starts(b, [0xff, 0xd8, 0xff]),
  'image/gif': (b) => starts(b, [0x47, 0x49, 0x46, 0x38]),
  'image/webp': (b) => starts(b, [0x52, 0x49, 0x46, 0x46]) && starts(b.subarray(8), [0x57, 0x45, 0x42, 0x50]),
  'application/pdf': (b) => starts(b, [0x25, 0x50, 0x44, 0x46, 0x2d]),
}

/** Bytes {@link matchesMagic} needs to look at. */
export const SNIFF_BYTES = 16

/** False when `type` is sniffed (images, PDF) and the first bytes are not of that type. */
export function matchesMagic(type: string, head: Uint8Array): boolean {
  const check = MAGIC[normaliseType(type)]
  return check === undefined || check(head)
}

function starts(b: Uint8Array, sig: readonly number[]): boolean {
  return b.byteLength >= sig.length && sig.every((x, i) => b[i] === x)
}
