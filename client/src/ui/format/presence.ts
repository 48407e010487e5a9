import { Limits, visibleLength, type Availability, type ClearAfterChoice, type OnlineState } from '@waggle/schema'
import type { PersonPresence } from '../../bind/model.ts'

/**
 * Labels and form rules of the presence UI. Pure: times are parameters, so they are testable.
 * What is shown (status line, "Last seen …") comes from the model (`PersonPresence`).
 */

export const AVAILABILITIES: readonly Availability[] = ['available', 'away', 'busy']

export const availabilityLabel: Readonly<Record<Availability, string>> = { available: 'Available', away: 'Away', busy: 'Busy' }

/** How the dot is drawn: filled while online, outlined while a tab is open but unused, grey when offline. */
export type DotLook = 'online' | 'inactive' | 'offline'

export const dotLook = (online: OnlineState): DotLook => online.kind

/** The accessible text of a presence dot, e.g. "Available, Online" or "Busy, Last seen 5 minutes ago". */
export function presenceLabel(p: PersonPresence): string {
  return `${availabilityLabel[p.status.availability]}, ${p.seen}`
}

/** The status line as shown under a name: the emoji, then the model's line ("in conference | until 14:00", the message). */
export function statusText(p: PersonPresence): string | null {
  const emoji = p.status.emoji
  if (p.line === null) return emoji
  return emoji === null || p.line.startsWith(emoji) ? p.line : `${emoji} ${p.line}`
}

/** A status text cut to `max` characters as a person counts them, with "…" when cut (for the inbox rows). */
export function shortStatus(text: string, max = 40): string {
  if (visibleLength(text) <= max) return text
  const Segmenter = (Intl as { Segmenter?: typeof Intl.Segmenter }).Segmenter
  const pieces = Segmenter === undefined ? [...text] : Array.from(new Segmenter(undefined, { granularity: 'grapheme' }).segment(text), (s) => s.segment)
  return `${pieces.slice(0, max - 1).join('').trimEnd()}…`
}

/** The status message's counter and, past the limit, the error that blocks saving. */
export function messageCheck(message: string): { count: number; max: number; error: string | null } {
  const max = Limits.statusMessageLength
  const count = visibleLength(message)
  return { count, max, error: count > max ? `The status message is ${count - max} ${count - max === 1 ? 'character' : 'characters'} too long (at most ${max}).` : null }
}

/** The "Clear after" select's options (`at` asks for a date and time). */
export const CLEAR_AFTER_OPTIONS: readonly { kind: ClearAfterChoice['kind']; label: string }[] = [
  { kind: 'never', label: 'Never' },
  { kind: 'minutes30', label: '30 minutes' },
  { kind: 'hour1', label: '1 hour' },
  { kind: 'today', label: 'Today' },
  { kind: 'week', label: 'This week' },
  { kind: 'at', label: 'Date and time…' },
]

/** A `datetime-local` input's value for `time` (local wall clock, minutes). */
export function toDateTimeLocal(time: number): string {
  const d = new Date(time)
  const p = (n: number): string => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`
}

/** A `datetime-local` value as a local time (ms), or null when it is not one. */
export function fromDateTimeLocal(value: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value)
  if (m === null) return null
  const [year, month, day, hour, minute, second] = m.slice(1).map((s) => (s === undefined ? 0 : Number(s))) as [number, number, number, number, number, number]
  const d = new Date(year, month - 1, day, hour, minute, second)
  return d.getMonth() === month - 1 && d.getDate() === day ? d.getTime() : null
}

/** The form's "Clear after" as the model takes it, or why not (no or a past date and time). */
export function clearAfterChoice(kind: ClearAfterChoice['kind'], dateTime: string, now: number): ClearAfterChoice | { error: string } {
  if (kind !== 'at') return { kind }
  if (dateTime === '') return { error: 'Choose the date and time the status clears.' }
  const time = fromDateTimeLocal(dateTime)
  if (time === null) return { error: 'This is not a date and time.' }
  if (time <= now) return { error: 'Choose a date and time in the future.' }
  return { kind: 'at', time }
}

/** Common status emoji offered by the form, with their names for screen readers. */
export const STATUS_EMOJI: readonly { emoji: string; name: string }[] = [
  { emoji: '📅', name: 'In a meeting' },
  { emoji: '🚗', name: 'Commuting' },
  { emoji: '🏠', name: 'Working from home' },
  { emoji: '🍽️', name: 'Lunch' },
  { emoji: '🤒', name: 'Out sick' },
  { emoji: '🌴', name: 'On holiday' },
  { emoji: '🎧', name: 'Focusing' },
]
