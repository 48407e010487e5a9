import { Show, type JSX } from 'solid-js'
import type { SystemEvent } from '@waggle/schema'
import { useApp } from '../../context.ts'
import type { MessageRow } from '../../format/rows.ts'
import { fullTime } from '../../format/time.ts'

/** "Anna Rossi added Lena Fischer": a membership event as a centered line (issue 4). */
export function SystemMessageLine(props: { row: MessageRow; event: SystemEvent }): JSX.Element {
  const { model } = useApp()
  const name = (id: string) => (id === model.me.userId ? model.me.name() : model.person(id as SystemEvent['actor'])?.name)
  const sentence = (): string => {
    const e = props.event
    const actor = name(e.actor)
    const users = e.users.map((u) => name(u))
    // Someone outside the directory (a guest): the relay's own sentence names them.
    if (actor === undefined || users.some((u) => u === undefined)) return props.row.message.text
    switch (e.event) {
      case 'created': return `${actor} created the conversation`
      case 'added': return `${actor} added ${users.join(', ')}`
      case 'joined': return `${actor} joined by link`
      case 'left': return `${actor} left`
      case 'removed': return `${actor} removed ${users.join(', ')}`
    }
  }
  return (
    <div class="msg-row system-row">
      <Show when={props.row.day}>{(day) => <div class="day-separator"><span>{day()}</span></div>}</Show>
      <p class="system-message" title={fullTime(props.row.message.time)}>{sentence()}</p>
    </div>
  )
}
