import { For, type JSX } from 'solid-js'
import type { MatchRange } from '../../bind/model.ts'
import { highlightSegments } from '../format/search.ts'

/** `text` with the matched `ranges` in `<mark>`. */
export function Highlight(props: { text: string; ranges: readonly MatchRange[] }): JSX.Element {
  return (
    <For each={highlightSegments(props.text, props.ranges)}>
      {(s) => (s.match ? <mark class="search-mark">{s.text}</mark> : s.text)}
    </For>
  )
}
