import {
  Virtualizer, elementScroll, observeElementOffset, observeElementRect,
  type PartialKeys, type VirtualItem, type VirtualizerOptions,
} from '@tanstack/solid-virtual'
import { createComputed, createEffect, createSignal, mergeProps, onCleanup, onMount, untrack, type Accessor } from 'solid-js'
import { createStore, reconcile } from 'solid-js/store'

type Options = PartialKeys<VirtualizerOptions<HTMLDivElement, HTMLDivElement>, 'observeElementRect' | 'observeElementOffset' | 'scrollToFn'>

export interface ChatVirtualizer {
  instance: Virtualizer<HTMLDivElement, HTMLDivElement>
  /** The rows to render, keyed by item key (so a row's element follows its message). */
  items: Accessor<VirtualItem[]>
  totalSize: Accessor<number>
}

/**
 * A virtualiser for an element, like `@tanstack/solid-virtual`'s `createVirtualizer`, but with
 * the scroll corrections applied after the DOM has been updated, as the React adapter does in a
 * layout effect. The Solid adapter applies them in the same computation that changes the
 * options, before the list has grown, so the browser clamps the write: loading older messages
 * above (`anchorTo: 'end'`) then jumped to the top instead of keeping the visible message in
 * place.
 */
export function createChatVirtualizer(options: Options): ChatVirtualizer {
  const resolved = mergeProps({ observeElementRect, observeElementOffset, scrollToFn: elementScroll }, options)
  const instance = new Virtualizer<HTMLDivElement, HTMLDivElement>(resolved)
  const [items, setItems] = createStore<VirtualItem[]>(instance.getVirtualItems())
  const [totalSize, setTotalSize] = createSignal(instance.getTotalSize())
  const [version, setVersion] = createSignal(0)

  const publish = (): void => {
    setItems(reconcile(instance.getVirtualItems(), { key: 'key' }))
    setTotalSize(instance.getTotalSize())
  }

  createComputed(() => {
    instance.setOptions(mergeProps(resolved, {
      onChange: (v: Virtualizer<HTMLDivElement, HTMLDivElement>, sync: boolean) => {
        publish()
        options.onChange?.(v, sync)
      },
    }))
    untrack(() => {
      publish()
      setVersion((n) => n + 1)
    })
  })

  onMount(() => {
    const cleanup = instance._didMount()
    instance._willUpdate()
    onCleanup(cleanup)
  })

  // Effects run after Solid has written the DOM: the list has its new height here.
  createEffect(() => {
    version()
    untrack(() => instance._willUpdate())
  })

  return { instance, items: () => items, totalSize }
}
