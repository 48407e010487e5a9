import { docName, readMembers, type ConvId, type DocName, type UserId } from '@waggle/schema'
import { createComputed, createMemo, createSignal, onCleanup, type Accessor } from 'solid-js'
import type { DocHandle } from '../sync/index.ts'
import { onDocChange } from './docs.ts'
import type { InboxItem } from './model.ts'

export interface InCommonDeps {
  me: UserId
  inbox: Accessor<InboxItem[]>
  open: (name: DocName) => DocHandle
}

/**
 * The groups `me` shares with `peer`. The inbox projection does not list group members, so
 * each group's metadata document is opened (and kept open while the caller's owner lives)
 * and its member list read; the list follows membership changes.
 */
export function createConversationsInCommon(deps: InCommonDeps, peer: UserId): Accessor<InboxItem[]> {
  const opened = new Map<ConvId, { handle: DocHandle; stop: () => void }>()
  const [version, setVersion] = createSignal(0)
  const bump = () => setVersion((v) => v + 1)
  const groups = createMemo(() => deps.inbox().filter((i) => i.kind === 'group' && i.creation === null))

  createComputed(() => {
    const wanted = new Set(groups().map((g) => g.conv))
    for (const conv of wanted) {
      if (opened.has(conv)) continue
      const handle = deps.open(docName.convMeta(conv))
      opened.set(conv, { handle, stop: onDocChange(handle.doc, bump) })
      void handle.loaded.then(bump)
    }
    for (const [conv, o] of opened) {
      if (wanted.has(conv)) continue
      o.stop()
      o.handle.release()
      opened.delete(conv)
    }
  })
  onCleanup(() => {
    for (const o of opened.values()) {
      o.stop()
      o.handle.release()
    }
    opened.clear()
  })

  return createMemo(() => {
    version()
    return groups().filter((g) => {
      const doc = opened.get(g.conv)?.handle.doc
      if (doc === undefined) return false
      const members = readMembers(doc)
      return members.has(peer) && members.has(deps.me)
    })
  })
}
