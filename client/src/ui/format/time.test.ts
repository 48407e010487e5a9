import { describe, expect, it } from 'vitest'
import { dayKey, dayLabel, daysAgo, inboxTime } from './time.ts'

// Local-time constructors keep these tests independent of the machine's time zone.
const now = new Date(2025, 2, 7, 15, 30).getTime() // Friday 7 March 2025

describe('day arithmetic', () => {
  it('counts local calendar days, not 24-hour spans', () => {
    expect(daysAgo(new Date(2025, 2, 7, 0, 1).getTime(), now)).toBe(0)
    expect(daysAgo(new Date(2025, 2, 6, 23, 59).getTime(), now)).toBe(1)
    expect(daysAgo(new Date(2025, 1, 28, 12).getTime(), now)).toBe(7)
  })

  it('keys a day so that keys sort like days', () => {
    expect(dayKey(new Date(2025, 0, 5, 23).getTime())).toBe('2025-01-05')
    expect(dayKey(new Date(2025, 0, 5).getTime()) < dayKey(new Date(2025, 0, 12).getTime())).toBe(true)
  })
})

describe('inbox time', () => {
  it('shows the clock time for today', () => {
    expect(inboxTime(new Date(2025, 2, 7, 9, 5).getTime(), now, 'en-GB')).toBe('09:05')
  })

  it('shows the weekday within the last week', () => {
    expect(inboxTime(new Date(2025, 2, 6, 9).getTime(), now, 'en-GB')).toBe('Thu')
    expect(inboxTime(new Date(2025, 2, 1, 9).getTime(), now, 'en-GB')).toBe('Sat')
  })

  it('shows the date before that, with the year only for other years', () => {
    expect(inboxTime(new Date(2025, 1, 28, 9).getTime(), now, 'en-GB')).toBe('28 Feb')
    expect(inboxTime(new Date(2024, 11, 24, 9).getTime(), now, 'en-GB')).toBe('24 Dec 2024')
  })
})

describe('day label', () => {
  it('says Today and Yesterday', () => {
    expect(dayLabel(new Date(2025, 2, 7, 1).getTime(), now)).toBe('Today')
    expect(dayLabel(new Date(2025, 2, 6, 23).getTime(), now)).toBe('Yesterday')
  })

  it('spells out older days, with the year only for other years', () => {
    // ICU versions differ on the comma after the weekday.
    expect(dayLabel(new Date(2025, 2, 3, 12).getTime(), now, 'en-GB')).toMatch(/^Monday,? 3 March$/)
    expect(dayLabel(new Date(2024, 2, 3, 12).getTime(), now, 'en-GB')).toMatch(/^Sunday,? 3 March 2024$/)
  })
})
