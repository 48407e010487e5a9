import * as v from 'valibot'
import { describe, expect, test } from 'vitest'
import { Reason, WaggleError } from './errors.ts'
import type { UserId } from './ids.ts'
import { AutoStatusSchema, visibleLength, type AutoStatus, type Status } from './doc/presence.ts'
import {
  ClearAfterChoiceSchema, OFFLINE_GRACE_MS, ONLINE_WINDOW_MS, calendarStatus, clearAtFor, conferenceStatus, cutToVisible, effectiveStatus, lastSeenText,
  nextStatusChange, onlineState, statusLine, type ShownStatus,
} from './presenceRules.ts'

const MIN = 60_000
const HOUR = 60 * MIN
const DAY = 24 * HOUR
const anna = 'anna' as UserId

describe('constants', () => {
  test('online window and offline grace', () => {
    expect(ONLINE_WINDOW_MS).toBe(30 * 60_000)
    expect(OFFLINE_GRACE_MS).toBe(15_000)
  })
})

describe('clearAtFor', () => {
  // Wednesday 2025-03-12 14:30 in Berlin (UTC+1).
  const wedBerlin = Date.parse('2025-03-12T13:30:00Z')

  test('never, 30 minutes and one hour', () => {
    expect(clearAtFor({ kind: 'never' }, wedBerlin, 'Europe/Berlin')).toBeUndefined()
    expect(clearAtFor({ kind: 'minutes30' }, wedBerlin)).toBe(wedBerlin + 30 * MIN)
    expect(clearAtFor({ kind: 'hour1' }, wedBerlin)).toBe(wedBerlin + HOUR)
  })

  test('today ends with the local day in the given time zone', () => {
    expect(clearAtFor({ kind: 'today' }, wedBerlin, 'Europe/Berlin')).toBe(Date.parse('2025-03-12T23:59:59.999+01:00'))
    expect(clearAtFor({ kind: 'today' }, wedBerlin, 'UTC')).toBe(Date.parse('2025-03-12T23:59:59.999Z'))
    // 13:30 UTC is already Thursday 02:30 in Auckland (UTC+13).
    expect(clearAtFor({ kind: 'today' }, wedBerlin, 'Pacific/Auckland')).toBe(Date.parse('2025-03-13T23:59:59.999+13:00'))
    expect(clearAtFor({ kind: 'today' }, wedBerlin, 'America/Los_Angeles')).toBe(Date.parse('2025-03-12T23:59:59.999-07:00'))
  })

  test('this week ends on Sunday 23:59:59.999 local (ISO weeks)', () => {
    expect(clearAtFor({ kind: 'week' }, wedBerlin, 'Europe/Berlin')).toBe(Date.parse('2025-03-16T23:59:59.999+01:00'))
    const sunday = Date.parse('2025-03-16T10:00:00+01:00')
    expect(clearAtFor({ kind: 'week' }, sunday, 'Europe/Berlin')).toBe(Date.parse('2025-03-16T23:59:59.999+01:00'))
    const monday = Date.parse('2025-03-17T00:00:00+01:00')
    expect(clearAtFor({ kind: 'week' }, monday, 'Europe/Berlin')).toBe(Date.parse('2025-03-23T23:59:59.999+01:00'))
  })

  test('daylight saving: a day of 23 hours and a week across the change', () => {
    // Berlin moves to summer time on Sunday 2025-03-30 at 02:00.
    const sat = Date.parse('2025-03-29T12:00:00+01:00')
    expect(clearAtFor({ kind: 'week' }, sat, 'Europe/Berlin')).toBe(Date.parse('2025-03-30T23:59:59.999+02:00'))
    const sun = Date.parse('2025-03-30T01:00:00+01:00')
    expect(clearAtFor({ kind: 'today' }, sun, 'Europe/Berlin')).toBe(Date.parse('2025-03-30T23:59:59.999+02:00'))
    // Santiago: midnight does not exist on 2024-09-08 (00:00 → 01:00); Saturday ends at the jump.
    const satSantiago = Date.parse('2024-09-07T20:00:00-04:00')
    expect(clearAtFor({ kind: 'today' }, satSantiago, 'America/Santiago')).toBe(Date.parse('2024-09-08T04:00:00Z') - 1)
    // Autumn: at Saturday 24:00 (-03:00) the clocks go back to 23:00 (-04:00); Saturday ends at the second midnight.
    const satAutumn = Date.parse('2024-04-06T12:00:00-03:00')
    expect(clearAtFor({ kind: 'today' }, satAutumn, 'America/Santiago')).toBe(Date.parse('2024-04-07T00:00:00-04:00') - 1)
  })

  test('the runtime time zone by default', () => {
    const end = clearAtFor({ kind: 'today' }, wedBerlin) as number
    const d = new Date(end)
    expect([d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds()]).toEqual([23, 59, 59, 999])
    expect(end).toBeGreaterThan(wedBerlin)
    expect(end - wedBerlin).toBeLessThanOrEqual(DAY)
  })

  test('a chosen time must be in the future', () => {
    expect(clearAtFor({ kind: 'at', time: wedBerlin + 5 * MIN }, wedBerlin)).toBe(wedBerlin + 5 * MIN)
    for (const time of [wedBerlin, wedBerlin - 1, Number.NaN]) {
      let thrown: unknown
      try {
        clearAtFor({ kind: 'at', time }, wedBerlin)
      } catch (err) {
        thrown = err
      }
      expect(thrown).toBeInstanceOf(WaggleError)
      expect((thrown as WaggleError).reason).toBe(Reason.badRequest)
    }
  })

  test('the schema takes every choice and refuses others', () => {
    for (const c of [{ kind: 'never' }, { kind: 'minutes30' }, { kind: 'hour1' }, { kind: 'today' }, { kind: 'week' }, { kind: 'at', time: 5 }]) {
      expect(v.is(ClearAfterChoiceSchema, c)).toBe(true)
    }
    expect(v.is(ClearAfterChoiceSchema, { kind: 'at' })).toBe(false)
    expect(v.is(ClearAfterChoiceSchema, { kind: 'forever' })).toBe(false)
  })
})

const status = (over: Partial<Status> = {}): Status => ({ availability: 'away', message: 'Lunch', emoji: '🍝', updatedAt: 1, updatedBy: anna, ...over })

describe('effectiveStatus and nextStatusChange', () => {
  const now = 1_000_000

  test('the default: available, nothing to say', () => {
    expect(effectiveStatus(undefined, undefined, now)).toEqual({ availability: 'available', message: null, emoji: null, until: null, source: 'default' })
    expect(nextStatusChange(undefined, undefined, now)).toBeNull()
  })

  test('a chosen status lasts until its clearAt, then is gone', () => {
    const s = status({ clearAt: now + HOUR })
    expect(effectiveStatus(s, undefined, now)).toEqual({ availability: 'away', message: 'Lunch', emoji: '🍝', until: now + HOUR, source: 'chosen' })
    expect(effectiveStatus(s, undefined, now + HOUR).source).toBe('default')
    expect(nextStatusChange(s, undefined, now)).toBe(now + HOUR)
    expect(nextStatusChange(s, undefined, now + HOUR)).toBeNull()
    expect(effectiveStatus(status({ message: '', emoji: '' }), undefined, now)).toMatchObject({ message: null, emoji: null, until: null })
  })

  test('an automatic status overrides while startedAt <= now < until, and the chosen one returns', () => {
    const s = status()
    const conf = conferenceStatus(now + MIN, now + HOUR)
    expect(effectiveStatus(s, conf, now).source).toBe('chosen')
    expect(nextStatusChange(s, conf, now)).toBe(now + MIN)
    expect(effectiveStatus(s, conf, now + MIN)).toEqual({ availability: 'busy', message: 'in conference', emoji: null, until: now + HOUR, source: 'conference' })
    expect(nextStatusChange(s, conf, now + MIN)).toBe(now + HOUR)
    expect(effectiveStatus(s, conf, now + HOUR)).toMatchObject({ source: 'chosen', message: 'Lunch' })
    expect(nextStatusChange(s, conf, now + HOUR)).toBeNull()
  })

  test('an automatic status without an end lasts until cleared', () => {
    const conf = conferenceStatus(now, undefined)
    expect(conf).not.toHaveProperty('until')
    expect(effectiveStatus(undefined, conf, now + 10 * DAY)).toMatchObject({ source: 'conference', until: null })
    expect(nextStatusChange(undefined, conf, now)).toBeNull()
  })

  test('a clearAt hidden under an automatic status is no change; the end of the automatic status is', () => {
    const s = status({ clearAt: now + 30 * MIN })
    const cal = calendarStatus('Visiting customers', now, now + HOUR)
    expect(nextStatusChange(s, cal, now)).toBe(now + HOUR)
    expect(effectiveStatus(s, cal, now + HOUR).source).toBe('default')
    // A chosen status that clears while nothing overrides it.
    expect(nextStatusChange(status({ clearAt: now + 2 * HOUR }), cal, now)).toBe(now + HOUR)
    expect(nextStatusChange(status({ clearAt: now + 2 * HOUR }), cal, now + HOUR)).toBe(now + 2 * HOUR)
  })
})

describe('automatic statuses', () => {
  test('conference: busy, labelled in conference', () => {
    expect(conferenceStatus(5, 10)).toEqual({ kind: 'conference', label: 'in conference', availability: 'busy', startedAt: 5, until: 10 })
    expect(v.is(AutoStatusSchema, conferenceStatus(5, undefined))).toBe(true)
  })

  test('calendar: the title cut to 100 characters as a person counts them', () => {
    expect(calendarStatus('Visiting customers', 1, 2)).toEqual({ kind: 'calendar', label: 'Visiting customers', availability: 'busy', startedAt: 1, until: 2 })
    const long = '👩‍👩‍👧'.repeat(150)
    const auto: AutoStatus = calendarStatus(long, 1, 2)
    expect(visibleLength(auto.label)).toBe(100)
    expect(auto.label).toBe('👩‍👩‍👧'.repeat(100))
    expect(v.is(AutoStatusSchema, auto)).toBe(true)
    expect(calendarStatus('   ', 1, 2).label).toBe('in a meeting')
  })

  test('cutToVisible keeps whole graphemes within the size bound', () => {
    expect(cutToVisible('héllo wörld', 5)).toBe('héllo')
    expect(cutToVisible('ab', 5)).toBe('ab')
    const zalgo = `a${'\u0301'.repeat(40)}`
    expect(cutToVisible(zalgo.repeat(3), 3)).toBe(zalgo)
    expect(cutToVisible(zalgo, 2)).toBe('')
  })
})

describe('onlineState and lastSeenText', () => {
  const now = Date.parse('2025-03-12T12:00:00Z')

  test('online while a device was active within the window; inactive when connected but idle; offline otherwise', () => {
    expect(onlineState([now - ONLINE_WINDOW_MS - 1, now - 5 * MIN], undefined, now)).toEqual({ kind: 'online' })
    expect(onlineState([now - ONLINE_WINDOW_MS], undefined, now)).toEqual({ kind: 'online' })
    expect(onlineState([now - HOUR, now - 2 * HOUR], now - DAY, now)).toEqual({ kind: 'inactive', lastActive: now - HOUR })
    expect(onlineState([], now - DAY, now)).toEqual({ kind: 'offline', lastSeen: now - DAY })
    expect(onlineState([], undefined, now)).toEqual({ kind: 'offline', lastSeen: null })
  })

  test('the texts', () => {
    const off = (ago: number) => lastSeenText({ kind: 'offline', lastSeen: now - ago }, now, () => '3 Mar 2025')
    expect(lastSeenText({ kind: 'online' }, now)).toBe('Online')
    expect(lastSeenText({ kind: 'offline', lastSeen: null }, now)).toBe('Offline')
    expect(off(10_000)).toBe('Last seen just now')
    expect(off(-5_000)).toBe('Last seen just now')
    expect(off(MIN)).toBe('Last seen 1 minute ago')
    expect(off(5 * MIN + 30_000)).toBe('Last seen 5 minutes ago')
    expect(off(3 * HOUR + 59 * MIN)).toBe('Last seen 3 hours ago')
    expect(off(DAY + HOUR)).toBe('Last seen yesterday')
    expect(off(4 * DAY)).toBe('Last seen 4 days ago')
    expect(off(8 * DAY)).toBe('Last seen 3 Mar 2025')
    expect(lastSeenText({ kind: 'inactive', lastActive: now - 45 * MIN }, now)).toBe('Last seen 45 minutes ago')
    expect(lastSeenText({ kind: 'offline', lastSeen: now - 30 * DAY }, now)).toMatch(/^Last seen .*2025/)
  })
})

describe('statusLine', () => {
  const hhmm = (t: number) => new Date(t).toISOString().slice(11, 16)
  const shown = (over: Partial<ShownStatus>): ShownStatus => ({ availability: 'busy', message: null, emoji: null, until: null, source: 'chosen', ...over })

  test('message and end, message alone, end alone, nothing', () => {
    const t14 = Date.parse('2025-03-12T14:00:00Z')
    expect(statusLine(effectiveStatus(undefined, conferenceStatus(t14 - HOUR, t14), t14 - MIN), hhmm)).toBe('in conference | until 14:00')
    expect(statusLine(effectiveStatus(undefined, calendarStatus('Visiting customers', 0, t14 + 4 * HOUR), t14), hhmm)).toBe('Visiting customers | until 18:00')
    expect(statusLine(shown({ message: 'Working from home' }), hhmm)).toBe('Working from home')
    expect(statusLine(shown({ until: t14 }), hhmm)).toBe('until 14:00')
    expect(statusLine(effectiveStatus(undefined, undefined, t14), hhmm)).toBeNull()
  })
})
