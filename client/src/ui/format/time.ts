/**
 * Time and day labels for the inbox and the message list. Pure: `now` and the locale are
 * parameters so the labels are testable; calendar days are the device's local days.
 */

const DAY_MS = 86_400_000

const formatters = new Map<string, Intl.DateTimeFormat>()

/**
 * One formatter per locale and options, made once: making an `Intl.DateTimeFormat` costs far more
 * than formatting with one, and every message row and inbox row formats times on each render
 * (the client benchmark found it the largest cost of sending a message and of loading the inbox).
 */
function formatter(locale: string | undefined, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale ?? ''}|${JSON.stringify(options)}`
  let f = formatters.get(key)
  if (f === undefined) {
    f = new Intl.DateTimeFormat(locale, options)
    formatters.set(key, f)
  }
  return f
}

/** A local calendar day as a sortable key, e.g. `2025-03-07`. */
export function dayKey(time: number): string {
  const d = new Date(time)
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
}

function startOfDay(time: number): number {
  const d = new Date(time)
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime()
}

/** Whole local days from `time`'s day to `now`'s day (0 today, 1 yesterday; DST-safe). */
export function daysAgo(time: number, now: number): number {
  return Math.round((startOfDay(now) - startOfDay(time)) / DAY_MS)
}

/** Hours and minutes in the locale's style, e.g. `09:41`. */
export function clockTime(time: number, locale?: string): string {
  return formatter(locale, { hour: '2-digit', minute: '2-digit' }).format(time)
}

/** The inbox's time: today the clock time, this week the weekday, else the date. */
export function inboxTime(time: number, now: number, locale?: string): string {
  const ago = daysAgo(time, now)
  if (ago <= 0) return clockTime(time, locale)
  if (ago < 7) return formatter(locale, { weekday: 'short' }).format(time)
  const sameYear = new Date(time).getFullYear() === new Date(now).getFullYear()
  return formatter(locale, sameYear ? { day: 'numeric', month: 'short' } : { day: 'numeric', month: 'short', year: 'numeric' }).format(time)
}

/** The message list's day separator: "Today", "Yesterday", or the full date. */
export function dayLabel(time: number, now: number, locale?: string): string {
  const ago = daysAgo(time, now)
  if (ago === 0) return 'Today'
  if (ago === 1) return 'Yesterday'
  const sameYear = new Date(time).getFullYear() === new Date(now).getFullYear()
  return formatter(locale, sameYear
    ? { weekday: 'long', day: 'numeric', month: 'long' }
    : { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(time)
}

/** A full date and time for a tooltip or a screen reader, e.g. "Friday 7 March 2025 at 09:41". */
export function fullTime(time: number, locale?: string): string {
  return formatter(locale, { dateStyle: 'full', timeStyle: 'short' }).format(time)
}
