import { createEffect, type JSX } from 'solid-js'

/**
 * A measured row of the virtual list. The element is measured again whenever it shows another
 * row (the virtualiser reuses elements by index), after `data-index` has been updated.
 */
export function VirtualRow(props: { index: number; rowKey: string; measure: (el: HTMLDivElement) => void; children: JSX.Element }): JSX.Element {
  let el!: HTMLDivElement
  createEffect(() => {
    void props.index
    void props.rowKey
    props.measure(el)
  })
  return <div ref={(e) => (el = e)} class="vrow" data-index={props.index} data-key={props.rowKey}>{props.children}</div>
}
