import * as Y from 'yjs'
import { Reason } from '../errors.ts'
import { ID_PATTERN } from '../ids.ts'
import { readColleagues, readGuests, readPhonebook, readServices } from '../doc/directory.ts'
import { changedKeys, checkLayout, rootMap, type Changes, type Layout } from './changes.ts'
import type { ContentRefusal, Writer } from './content.ts'

const refuse = (reason: Reason, message: string): ContentRefusal => ({ reason, message })

/** The directory layout (doc/directory.ts): four maps keyed by id, each value a schema's object. */
export const DirectoryLayout: Layout = { colleagues: 'map', guests: 'map', services: 'map', phonebook: 'map' }

/** Each directory map's reader from doc/directory.ts: parses the map's values with its schema. */
const directoryReaders: Readonly<Record<string, (doc: Y.Doc) => Map<string, unknown>>> = {
  colleagues: readColleagues,
  guests: readGuests,
  services: readServices,
  phonebook: readPhonebook,
}

/** Whether `value` under map `name` is one the directory's own reader accepts. */
function validDirectoryValue(name: string, value: unknown): boolean {
  const read = directoryReaders[name]
  if (read === undefined) return false
  const scratch = new Y.Doc()
  try {
    scratch.getMap(name).set('k', value)
    return read(scratch).has('k')
  } finally {
    scratch.destroy()
  }
}

/**
 * The content gate of the workspace directory (`ws/{ws}/directory`): the access policy lets
 * only admins (and the relay) write it at all; what they write must fit the layout: the four
 * maps, keys that are ids, every value written valid for its map (the directory's readers
 * decide). Removing an entry is allowed.
 */
export function checkDirectoryContent(_before: Y.Doc, after: Y.Doc, _writer: Writer, changes: Changes): ContentRefusal | null {
  const layout = checkLayout(DirectoryLayout, changes, 'A directory')
  if (layout !== null) return layout
  for (const name of changes.roots.keys()) {
    const map = rootMap(after, name)
    for (const key of changedKeys(changes, name)) {
      if (!ID_PATTERN.test(key)) return refuse(Reason.invalidContent, `A directory entry is keyed by an id, not "${key.slice(0, 40)}"`)
      const value = map?.get(key)
      if (value !== undefined && !validDirectoryValue(name, value)) return refuse(Reason.invalidContent, `Not a valid entry of ${name}`)
    }
  }
  return null
}

/** The conversation metadata layout (doc/convMeta.ts). */
export const ConvMetaLayout: Layout = { info: 'map', members: 'map', segments: 'map' }

/**
 * The content gate of conversation metadata (`conv/{c}/meta`): written by the relay only.
 * Members read it (docAccess gives them `read`); title, description, picture and the other
 * fields change through the `updateConversation` command, which checks that the caller is an
 * owner or an admin, and the relay writes the result. A client write is refused here too, in
 * case the access policy ever lets one through.
 */
export function checkConvMetaContent(_before: Y.Doc, _after: Y.Doc, writer: Writer, changes: Changes): ContentRefusal | null {
  if (writer !== 'server') return refuse(Reason.forbidden, 'Conversation details change through commands, not direct edits')
  return checkLayout(ConvMetaLayout, changes, 'Conversation metadata')
}

/**
 * The private document's layout (doc/userPrivate.ts): key-value arrays only. Kept in step with
 * userPrivate.ts by a test that writes through each of its accessors.
 */
export const PrivateLayout: Layout = {
  settings: 'array', readPositions: 'array', pins: 'array', drafts: 'array', archived: 'array',
  hidden: 'array', muted: 'array', savedStatuses: 'array', recentSearches: 'array',
}

const isEntry = (e: unknown): boolean => typeof e === 'object' && e !== null && typeof (e as { key?: unknown }).key === 'string'

/**
 * The content gate of a user's private document (`user/{u}/private`): only its owner writes it
 * (docAccess); the check keeps it to its layout: the known key-value arrays, holding
 * `{ key, val }` entries of plain values. The values are the owner's own and are parsed on read.
 */
export function checkPrivateContent(_before: Y.Doc, _after: Y.Doc, _writer: Writer, changes: Changes): ContentRefusal | null {
  const layout = checkLayout(PrivateLayout, changes, 'A private document')
  if (layout !== null) return layout
  if (changes.inserted.some(({ value }) => !isEntry(value))) return refuse(Reason.invalidContent, 'Not a private document’s layout: entries are { key, val }')
  return null
}

/** The content gate of documents only the relay writes (inboxes, call history, live dashboard). */
export function checkServerOnly(_before: Y.Doc, _after: Y.Doc, writer: Writer): ContentRefusal | null {
  return writer === 'server' ? null : refuse(Reason.forbidden, 'Only the relay writes this document')
}
