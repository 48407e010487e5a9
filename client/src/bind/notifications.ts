import type { ConvId, InboxEntry, MessageId, UserId } from '@waggle/schema'
import { createEffect, createRoot, type Accessor } from 'solid-js'
import type { NoticeSink } from './Notifier.ts'
import { Notifier } from './Notifier.ts'
import type { NotifyConv, NotifyLast, NotifySetting } from './notify.ts'
import type { InboxItem } from './model.ts'

export interface NotificationDeps {
  me: UserId
  myName: Accessor<string>
  inbox: Accessor<InboxItem[]>
  entries: Accessor<ReadonlyMap<ConvId, InboxEntry>>
  readPositions: Accessor<ReadonlyMap<ConvId, MessageId>>
  muted: Accessor<ReadonlyMap<ConvId, number>>
  setting: Accessor<NotifySetting>
  /** Any tab of the account is visible and focused. */
  focused: Accessor<boolean>
  /** False until the inbox and private documents are loaded (earlier, everything would look new). */
  ready: Accessor<boolean>
  sink: NoticeSink
}

/** A message's `mentions`, when the projection carries them (read defensively: not every version does). */
function mentionsOf(last: object): readonly UserId[] | undefined {
  const m = (last as { mentions?: unknown }).mentions
  return Array.isArray(m) && m.every((x) => typeof x === 'string') ? (m as UserId[]) : undefined
}

function toNotifyConvs(items: readonly InboxItem[], entries: ReadonlyMap<ConvId, InboxEntry>): Map<ConvId, NotifyConv> {
  const out = new Map<ConvId, NotifyConv>()
  for (const item of items) {
    const raw = entries.get(item.conv)?.last
    const last: NotifyLast | null = item.last === null || raw === undefined ? null : {
      id: item.last.id, author: raw.author, authorName: item.last.authorName, preview: item.last.preview, deleted: item.last.deleted,
      mentions: mentionsOf(raw),
    }
    out.set(item.conv, { conv: item.conv, kind: item.kind, title: item.title, last })
  }
  return out
}

/** Runs the {@link Notifier} on the model's state (leader tab only); returns the disposer. */
export function makeNotifications(deps: NotificationDeps): () => void {
  const notifier = new Notifier(deps.sink)
  return createRoot((dispose) => {
    createEffect(() => {
      if (!deps.ready()) return
      notifier.update({
        me: deps.me, myName: deps.myName(), setting: deps.setting(), focused: deps.focused(),
        convs: toNotifyConvs(deps.inbox(), deps.entries()), readPositions: deps.readPositions(), muted: deps.muted(),
      })
    })
    return () => {
      notifier.dispose()
      dispose()
    }
  })
}

/** Calls `onChange` with whether this page is visible and focused, now and on every change; returns the disposer. */
export function watchPageFocus(onChange: (focused: boolean) => void): () => void {
  if (typeof document === 'undefined' || typeof window === 'undefined') return () => {}
  const report = () => onChange(document.visibilityState === 'visible' && document.hasFocus())
  window.addEventListener('focus', report)
  window.addEventListener('blur', report)
  document.addEventListener('visibilitychange', report)
  report()
  return () => {
    window.removeEventListener('focus', report)
    window.removeEventListener('blur', report)
    document.removeEventListener('visibilitychange', report)
  }
}
