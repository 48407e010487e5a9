import type { ConvId } from '@waggle/schema'
import { createEffect, on, onCleanup, untrack, type Accessor } from 'solid-js'
import { makeDraftSaver } from '../../bind/drafts.ts'
import type { AppModel } from '../../bind/model.ts'

export interface SyncedDraft {
  /** The text in the box changed (saved about 500 ms later, or on leaving the conversation or page). */
  changed(value: string): void
  /** The text was sent: the draft goes at once. */
  sent(): void
}

/**
 * Keeps a composer's text and the conversation's draft in the private document (synced across
 * the user's devices) in step: the box starts with the draft and takes a draft written on
 * another device as long as nothing was typed here since the two last agreed.
 */
export function createSyncedDraft(
  model: Pick<AppModel, 'draft' | 'setDraft'>, conv: ConvId, text: Accessor<string>, setText: (value: string) => void,
): SyncedDraft {
  const saver = makeDraftSaver<ConvId>((key, value) => model.setDraft(key, value))
  /** What the box and the document last agreed on. */
  let agreed = untrack(text)
  createEffect(on(() => model.draft(conv), (stored) => {
    const current = untrack(text)
    if (stored === current) agreed = stored
    else if (current === agreed) {
      agreed = stored
      setText(stored)
    }
  }))
  const flush = () => saver.flush()
  window.addEventListener('pagehide', flush)
  onCleanup(() => {
    window.removeEventListener('pagehide', flush)
    saver.flush()
  })
  return {
    changed: (value) => saver.change(conv, value),
    sent() {
      saver.cancel()
      agreed = ''
      model.setDraft(conv, '')
    },
  }
}
