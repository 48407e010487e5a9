import type { MessageId } from '@waggle/schema'
import type { Virtualizer } from '@tanstack/solid-virtual'
import { For, Show, createEffect, createMemo, createSignal, on, onCleanup, untrack, type JSX } from 'solid-js'
import type { ConversationModel } from '../../bind/model.ts'
import { useApp } from '../context.ts'
import { latestSentOwn } from '../format/delivery.ts'
import { buildRows, initialRowIndex, type MessageRow } from '../format/rows.ts'
import { createChatVirtualizer } from './createChatVirtualizer.ts'
import { MessageRowView } from './MessageRowView.tsx'
import { VirtualRow } from './VirtualRow.tsx'

/** Within this many pixels of the bottom counts as "at the bottom" (new messages keep it pinned). */
const END_THRESHOLD = 32
/** Older messages load when the list is scrolled this close to its top. */
const LOAD_OLDER_AT = 600
const MARK_READ_DELAY = 300

function estimate(row: MessageRow | undefined): number {
  if (row === undefined) return 40
  const lines = Math.max(1, Math.ceil(row.message.text.length / 60))
  return 12 + lines * 21 + (row.showHeader ? 24 : 0) + (row.day !== null ? 44 : 0) + (row.firstUnread ? 36 : 0) + (row.message.own ? 18 : 0)
}

/** The handle the view uses to follow an own message down. */
export interface MessageListApi {
  scrollToEnd(): void
  /** Scrolls a loaded message into view; false when it is not loaded. */
  scrollToMessage(id: string): boolean
  /** Focuses a message's row when it is rendered and on screen; false otherwise. */
  focusMessage(id: string): boolean
}

/** A message jumped to (from search): focusable, and highlighted for a moment. */
export interface MessageJump {
  id: string
  highlighted: boolean
}

/**
 * The virtualised message log. Rows are keyed by message id and the virtualiser anchors to the
 * end: new messages keep it at the bottom when it is there, and loading older messages above
 * keeps the first visible message in place.
 */
export function MessageList(props: { conversation: ConversationModel; ref: (api: MessageListApi) => void; jump?: MessageJump | null }): JSX.Element {
  const app = useApp()
  const c = props.conversation
  const rows = createMemo(() => buildRows(c.messages(), { now: app.now(), readPosition: c.readPositionAtOpen() }))
  const latestOwn = createMemo(() => latestSentOwn(c.messages()))
  const [ready, setReady] = createSignal(false)
  const [atEnd, setAtEnd] = createSignal(true)
  const [newBelow, setNewBelow] = createSignal(false)
  const [far, setFar] = createSignal(false)
  let scroller!: HTMLDivElement

  const list = createChatVirtualizer({
    get count() { return rows().length },
    getScrollElement: () => scroller,
    estimateSize: (i) => estimate(rows()[i]),
    getItemKey: (i) => rows()[i]?.key ?? i,
    overscan: 6,
    paddingStart: 8,
    paddingEnd: 12,
    anchorTo: 'end',
    followOnAppend: true,
    scrollEndThreshold: END_THRESHOLD,
    onChange: (v) => untrack(() => viewChanged(v)),
  })
  const virtualizer = list.instance

  function viewChanged(v: Virtualizer<HTMLDivElement, HTMLDivElement>): void {
    onViewChange(v.getDistanceFromEnd(), v.scrollOffset ?? 0, v.scrollRect?.height ?? 0)
  }

  function onViewChange(fromEnd: number, offset: number, height: number): void {
    const end = fromEnd <= END_THRESHOLD
    setAtEnd(end)
    if (end) setNewBelow(false)
    setFar(fromEnd > height * 2)
    if (!ready()) return
    if (offset < LOAD_OLDER_AT && c.hasOlder() && !c.loadingOlder()) {
      queueMicrotask(() => {
        c.loadOlder().catch((err: unknown) => console.error('Loading older messages failed', err))
      })
    }
    scheduleMarkRead()
  }

  // Open at the first unread message, or at the bottom, once the stored messages are loaded.
  let opened = false
  createEffect(() => {
    if (opened || c.loading() || rows().length === 0) return
    opened = true
    const { index, align } = initialRowIndex(rows())
    // A list shorter than the view has nowhere to scroll; a scroll command there would never
    // complete and would keep the virtualiser from anchoring when older messages arrive.
    untrack(() => {
      if (list.totalSize() <= scroller.clientHeight) return
      if (align === 'end') virtualizer.scrollToEnd()
      else virtualizer.scrollToIndex(index, { align })
    })
    // After the scroll lands: a short list may need older messages at once, and what shows is read.
    requestAnimationFrame(() => {
      setReady(true)
      viewChanged(virtualizer)
    })
  })

  // A new last message while scrolled up: offer the jump instead of moving the reader.
  createEffect(on(() => rows().at(-1)?.key, (key, previous) => {
    if (previous !== undefined && key !== previous && !untrack(atEnd)) setNewBelow(true)
  }, { defer: true }))

  const toEnd = (): void => virtualizer.scrollToEnd()
  let followOwn = false
  createEffect(on(() => rows().length, () => {
    if (followOwn) toEnd()
    followOwn = false
  }, { defer: true }))
  props.ref({
    scrollToEnd() {
      followOwn = true
      toEnd()
    },
    scrollToMessage(id: string) {
      const index = rows().findIndex((r) => r.message.id === id)
      if (index < 0) return false
      virtualizer.scrollToIndex(index, { align: 'center' })
      return true
    },
    focusMessage(id: string) {
      const row = scroller.querySelector<HTMLElement>(`[data-key="${CSS.escape(id)}"] .msg-row`)
      if (row === null) return false
      const box = scroller.getBoundingClientRect()
      const r = row.getBoundingClientRect()
      if (r.bottom <= box.top || r.top >= box.bottom) return false
      row.focus({ preventScroll: r.top >= box.top && r.bottom <= box.bottom })
      return document.activeElement === row
    },
  })

  // Mark read: the newest message on screen, while the page is visible (debounced).
  let lastMarked: string | null = c.readPositionAtOpen()
  let markTimer: ReturnType<typeof setTimeout> | undefined
  function scheduleMarkRead(): void {
    clearTimeout(markTimer)
    markTimer = setTimeout(markVisible, MARK_READ_DELAY)
  }
  function markVisible(): void {
    if (document.visibilityState !== 'visible') return
    const id = newestVisible(scroller)
    if (id === null || (lastMarked !== null && id <= lastMarked)) return
    lastMarked = id
    c.markRead(id as MessageId)
  }
  const onVisibility = (): void => scheduleMarkRead()
  document.addEventListener('visibilitychange', onVisibility)
  onCleanup(() => {
    clearTimeout(markTimer)
    document.removeEventListener('visibilitychange', onVisibility)
  })

  const items = list.items
  // Rows are keyed by message, not by the virtualiser's item objects (new ones on every
  // measurement): a message's DOM, and a menu open on it, stays while the message is in view.
  const visibleIndex = createMemo(() => {
    const byKey = new Map<string, number>()
    for (const item of items()) {
      const row = rows()[item.index]
      if (row !== undefined) byKey.set(row.key, item.index)
    }
    return byKey
  })
  const visibleKeys = createMemo(() => [...visibleIndex().keys()])
  return (
    <div class="message-area">
      <Show when={c.loadingOlder()}>
        <p class="loading-older">Loading earlier messages…</p>
      </Show>
      <div ref={(e) => (scroller = e)} class="message-scroller" role="log" aria-label="Messages" tabIndex={0} aria-busy={c.loading()}>
        <div class="message-canvas" style={{ height: `${list.totalSize()}px` }}>
          <div class="message-window" style={{ transform: `translateY(${items()[0]?.start ?? 0}px)` }}>
            <For each={visibleKeys()}>
              {(key) => {
                const index = () => visibleIndex().get(key) ?? -1
                return (
                  <Show when={rows()[index()]}>
                    {(row) => (
                      <VirtualRow index={index()} rowKey={key} measure={(el) => virtualizer.measureElement(el)}>
                        <MessageRowView row={row()} conversation={c} latestOwn={latestOwn() === key}
                          jump={props.jump?.id === key ? (props.jump.highlighted ? 'highlighted' : 'focusable') : null} />
                      </VirtualRow>
                    )}
                  </Show>
                )
              }}
            </For>
          </div>
        </div>
        <Show when={!c.loading() && rows().length === 0}>
          <p class="message-empty">No messages yet. Say hello!</p>
        </Show>
      </div>
      <Show when={newBelow() || far()}>
        <button type="button" class="jump-button" onClick={toEnd}>
          {newBelow() ? 'New messages' : 'Jump to latest'} <span aria-hidden="true">↓</span>
        </button>
      </Show>
    </div>
  )
}

/** The id of the lowest message row that is at least partly on screen. */
function newestVisible(scroller: HTMLElement): string | null {
  const box = scroller.getBoundingClientRect()
  const nodes = scroller.querySelectorAll<HTMLElement>('[data-key]')
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i]
    if (node === undefined) continue
    const r = node.getBoundingClientRect()
    if (r.top < box.bottom - 4 && r.bottom > box.top + 4) return node.dataset['key'] ?? null
  }
  return null
}
