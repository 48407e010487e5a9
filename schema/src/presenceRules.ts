import * as v from 'valibot'
import { Reason, WaggleError } from './errors.ts'
import { Limits } from './message.ts'
import type { AutoStatus, Availability, Status } from './doc/presence.ts'

/**
 * Presence rules shared by the client and the relay (pure: every time is passed in). What a
 * person sees of a colleague's presence: the status shown (chosen, automatic or the default),
 * the status line, and "Online" / "Last seen … ago".
 */

/** A device counts as online while its user was active on it within this window. */
export const ONLINE_WINDOW_MS = 30 * 60_000
/** How long a device that went away (closed tab, lost connection) still counts, so a reload does not flicker "offline". */
export const OFFLINE_GRACE_MS = 15_000

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

/** When a chosen status clears by itself. */
export type ClearAfterChoice =
  | { kind: 'never' }
  | { kind: 'minutes30' }
  | { kind: 'hour1' }
  | { kind: 'today' }
  | { kind: 'week' }
  | { kind: 'at'; time: number }

export const ClearAfterChoiceSchema = v.variant('kind', [
  v.object({ kind: v.literal('never') }),
  v.object({ kind: v.literal('minutes30') }),
  v.object({ kind: v.literal('hour1') }),
  v.object({ kind: v.literal('today') }),
  v.object({ kind: v.literal('week') }),
  v.object({ kind: v.literal('at'), time: v.pipe(v.number(), v.finite()) }),
])

/**
 * The `clearAt` of a status set at `now` with `choice`: undefined for never; 'today' ends with
 * the local day (23:59:59.999), 'week' with the local ISO week (Sunday 23:59:59.999), both in
 * `timeZone` (an IANA name; default: the runtime's). A chosen time must be in the future.
 */
export function clearAtFor(choice: ClearAfterChoice, now: number, timeZone?: string): number | undefined {
  switch (choice.kind) {
    case 'never':
      return undefined
    case 'minutes30':
      return now + 30 * MINUTE
    case 'hour1':
      return now + HOUR
    case 'today': {
      const { year, month, day } = localDate(now, timeZone)
      return startOfLocalDay(year, month, day + 1, timeZone) - 1
    }
    case 'week': {
      const { year, month, day } = localDate(now, timeZone)
      const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay() // 0 = Sunday
      const toMonday = weekday === 0 ? 1 : 8 - weekday
      return startOfLocalDay(year, month, day + toMonday, timeZone) - 1
    }
    case 'at':
      if (!Number.isFinite(choice.time) || choice.time <= now) throw new WaggleError(Reason.badRequest, 'Choose a time in the future')
      return choice.time
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatterFor(timeZone: string | undefined): Intl.DateTimeFormat {
  const key = timeZone ?? ''
  let f = formatters.get(key)
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    })
    formatters.set(key, f)
  }
  return f
}

interface LocalTime { year: number; month: number; day: number; hour: number; minute: number; second: number }

function localTime(t: number, timeZone: string | undefined): LocalTime {
  const out: LocalTime = { year: 0, month: 1, day: 1, hour: 0, minute: 0, second: 0 }
  for (const p of formatterFor(timeZone).formatToParts(t)) {
    if (p.type === 'year' || p.type === 'month' || p.type === 'day' || p.type === 'hour' || p.type === 'minute' || p.type === 'second') {
      out[p.type] = Number(p.value)
    }
  }
  return out
}

const localDate = (t: number, timeZone: string | undefined): Pick<LocalTime, 'year' | 'month' | 'day'> => localTime(t, timeZone)

/** The local wall-clock time at `t`, as if it were UTC (ms). */
function wallClock(t: number, timeZone: string | undefined): number {
  const l = localTime(t, timeZone)
  return Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second) + (((t % 1000) + 1000) % 1000)
}

/**
 * The first instant of a local day (`day` may overflow the month). Where midnight falls in a
 * daylight-saving gap the day starts at the transition; where it happens twice, at the first.
 */
function startOfLocalDay(year: number, month: number, day: number, timeZone: string | undefined): number {
  const wall = Date.UTC(year, month - 1, day)
  const offsets = new Set([-DAY, -HOUR * 3, 0, HOUR * 3, DAY].map((d) => wallClock(wall + d, timeZone) - (wall + d)))
  let best = Number.POSITIVE_INFINITY
  for (const offset of offsets) {
    const candidate = wall - offset
    if (wallClock(candidate, timeZone) >= wall && candidate < best) best = candidate
  }
  return best
}

/** What is shown of someone's status at one moment. */
export interface ShownStatus {
  availability: Availability
  message: string | null
  emoji: string | null
  /** When it ends by itself (the chosen status's clearAt, the automatic status's end). */
  until: number | null
  source: 'chosen' | 'conference' | 'calendar' | 'default'
}

const DEFAULT_STATUS: ShownStatus = { availability: 'available', message: null, emoji: null, until: null, source: 'default' }

const autoActive = (auto: AutoStatus, now: number): boolean => auto.startedAt <= now && (auto.until === undefined || now < auto.until)

/**
 * The status shown at `now`: the automatic status while it lasts (from startedAt until its
 * until), else the chosen status until its clearAt, else available with no message.
 */
export function effectiveStatus(status: Status | undefined, auto: AutoStatus | undefined, now: number): ShownStatus {
  if (auto !== undefined && autoActive(auto, now)) {
    return { availability: auto.availability, message: nonEmpty(auto.label), emoji: null, until: auto.until ?? null, source: auto.kind }
  }
  if (status !== undefined && (status.clearAt === undefined || now < status.clearAt)) {
    return {
      availability: status.availability, message: nonEmpty(status.message), emoji: nonEmpty(status.emoji), until: status.clearAt ?? null, source: 'chosen',
    }
  }
  return { ...DEFAULT_STATUS }
}

const nonEmpty = (s: string | undefined): string | null => (s === undefined || s === '' ? null : s)

const sameShown = (a: ShownStatus, b: ShownStatus): boolean =>
  a.availability === b.availability && a.message === b.message && a.emoji === b.emoji && a.until === b.until && a.source === b.source

/** The next time after `now` at which {@link effectiveStatus} changes by itself, or null (for timers). */
export function nextStatusChange(status: Status | undefined, auto: AutoStatus | undefined, now: number): number | null {
  const times = [status?.clearAt, auto?.startedAt, auto?.until].filter((t): t is number => t !== undefined && t > now).sort((a, b) => a - b)
  const current = effectiveStatus(status, auto, now)
  for (const t of times) if (!sameShown(effectiveStatus(status, auto, t), current)) return t
  return null
}

/** Whether someone is online: from their devices' awareness and the stored last-seen time. */
export type OnlineState = { kind: 'online' } | { kind: 'inactive'; lastActive: number } | { kind: 'offline'; lastSeen: number | null }

/**
 * Online while any connected device was active within {@link ONLINE_WINDOW_MS}; 'inactive'
 * when devices are connected but none was active within it; offline with no device.
 */
export function onlineState(lastActives: readonly number[], lastSeen: number | undefined, now: number): OnlineState {
  if (lastActives.length === 0) return { kind: 'offline', lastSeen: lastSeen ?? null }
  const latest = Math.max(...lastActives)
  return now - latest <= ONLINE_WINDOW_MS ? { kind: 'online' } : { kind: 'inactive', lastActive: latest }
}

/** The automatic status during a conference: "in conference | until …". */
export function conferenceStatus(startedAt: number, until: number | undefined): AutoStatus {
  return { kind: 'conference', label: 'in conference', availability: 'busy', startedAt, ...(until !== undefined ? { until } : {}) }
}

/** The automatic status during a calendar event, labelled with its title (cut to 100 characters as a person counts them). */
export function calendarStatus(title: string, startedAt: number, until: number): AutoStatus {
  const label = cutToVisible(title.trim(), Limits.statusMessageLength)
  return { kind: 'calendar', label: label === '' ? 'in a meeting' : label, availability: 'busy', startedAt, until }
}

/** The first `max` characters of `text` as a person counts them (grapheme clusters), within the status message's size bound. */
export function cutToVisible(text: string, max: number): string {
  const maxUnits = max * 16
  const Segmenter = (Intl as { Segmenter?: typeof Intl.Segmenter }).Segmenter
  const pieces = Segmenter === undefined ? [...text] : Array.from(new Segmenter(undefined, { granularity: 'grapheme' }).segment(text), (s) => s.segment)
  let out = ''
  let n = 0
  for (const piece of pieces) {
    if (n === max || out.length + piece.length > maxUnits) break
    out += piece
    n++
  }
  return out
}

/**
 * The line under a name: the message and when it ends ("in conference | until 14:00"), the
 * message alone without an end, "until 14:00" with an end but no message, null with neither.
 */
export function statusLine(shown: ShownStatus, formatTime: (t: number) => string): string | null {
  const until = shown.until === null ? null : `until ${formatTime(shown.until)}`
  if (shown.message === null) return until
  return until === null ? shown.message : `${shown.message} | ${until}`
}

const plural = (n: number, unit: string): string => `${n} ${unit}${n === 1 ? '' : 's'}`

const defaultFormatDate = (t: number): string => new Date(t).toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' })

/**
 * "Online", "Last seen just now / 5 minutes ago / 3 hours ago / yesterday / 4 days ago", and
 * "Last seen <date>" beyond a week; "Offline" for someone never seen.
 */
export function lastSeenText(online: OnlineState, now: number, formatDate: (t: number) => string = defaultFormatDate): string {
  if (online.kind === 'online') return 'Online'
  const seen = online.kind === 'inactive' ? online.lastActive : online.lastSeen
  if (seen === null) return 'Offline'
  const ago = now - seen
  if (ago < MINUTE) return 'Last seen just now'
  if (ago < HOUR) return `Last seen ${plural(Math.floor(ago / MINUTE), 'minute')} ago`
  if (ago < DAY) return `Last seen ${plural(Math.floor(ago / HOUR), 'hour')} ago`
  const days = Math.floor(ago / DAY)
  if (days === 1) return 'Last seen yesterday'
  if (days < 7) return `Last seen ${days} days ago`
  return `Last seen ${formatDate(seen)}`
}
