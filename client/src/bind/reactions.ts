import { allReactions, docName, observeReactions, type ConvId, type DocName, type MessageId, type UserId } from '@waggle/schema'
import { createMemo, createSignal, type Accessor } from 'solid-js'
import type { DocHandle } from '../sync/index.ts'
import type { ReactionSummary } from './model.ts'

/**
 * One emoji under one message, as the view shows it. `anonymous`: the viewer is an external
 * member of a read-only conversation, who sees counts but not who reacted (the reference).
 */
export function summarize(byEmoji: ReadonlyMap<string, readonly UserId[]>, me: UserId, nameOf: (id: UserId) => string, anonymous = false): ReactionSummary[] {
  const out: ReactionSummary[] = []
  for (const [emoji, users] of byEmoji) {
    if (users.length === 0) continue
    // Own name first as "You", then the others in the order they are stored.
    const mine = users.includes(me)
    const others = anonymous ? [] : users.filter((u) => u !== me)
    const names = [...(mine ? ['You'] : []), ...others.map(nameOf)]
    out.push({ emoji, count: users.length, mine, users: anonymous ? (mine ? [me] : []) : [...users], names })
  }
  return out
}

/**
 * The reactions documents (`conv/{conv}/seg/{n}/reactions`) of a conversation's loaded
 * segments: opened with each segment, merged into one reactive map by message id.
 */
export class SegmentReactions {
  readonly #open: (name: DocName) => DocHandle
  readonly #conv: ConvId
  readonly #handles = new Map<number, { handle: DocHandle; stop: () => void }>()
  readonly #version: Accessor<number>
  readonly #bump: () => void
  /** Message id to emoji to users, over every open segment. */
  readonly all: Accessor<Map<MessageId, Map<string, UserId[]>>>

  constructor(open: (name: DocName) => DocHandle, conv: ConvId) {
    this.#open = open
    this.#conv = conv
    const [version, setVersion] = createSignal(0)
    this.#version = version
    this.#bump = () => setVersion((v) => v + 1)
    this.all = createMemo(() => {
      this.#version()
      const out = new Map<MessageId, Map<string, UserId[]>>()
      for (const { handle } of this.#handles.values()) {
        for (const [id, byEmoji] of allReactions(handle.doc)) out.set(id, byEmoji)
      }
      return out
    })
  }

  /** The reactions documents opened so far. */
  handles(): DocHandle[] {
    return [...this.#handles.values()].map((h) => h.handle)
  }

  /** Opens segment `n`'s reactions (once). */
  open(n: number): DocHandle {
    const existing = this.#handles.get(n)
    if (existing !== undefined) return existing.handle
    const handle = this.#open(docName.reactions(this.#conv, n))
    const stop = observeReactions(handle.doc, this.#bump)
    this.#handles.set(n, { handle, stop })
    void handle.loaded.then(this.#bump)
    this.#bump()
    return handle
  }

  dispose(): void {
    for (const { handle, stop } of this.#handles.values()) {
      stop()
      handle.release()
    }
    this.#handles.clear()
  }
}
