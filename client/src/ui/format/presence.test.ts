import type { ShownStatus } from '@waggle/schema'
import { describe, expect, it } from 'vitest'
import type { PersonPresence } from '../../bind/model.ts'
import { clearAfterChoice, dotLook, fromDateTimeLocal, messageCheck, presenceLabel, shortStatus, statusText, toDateTimeLocal } from './presence.ts'

// Local-time constructors keep these tests independent of the machine's time zone.
const now = new Date(2025, 2, 7, 15, 30).getTime()

const shown = (over: Partial<ShownStatus> = {}): ShownStatus => ({ availability: 'available', message: null, emoji: null, until: null, source: 'default', ...over })
const presence = (over: Partial<PersonPresence> = {}, status: Partial<ShownStatus> = {}): PersonPresence => ({
  status: shown(status), online: { kind: 'online' }, line: null, seen: 'Online', ...over,
})

describe('presence labels', () => {
  it('names the availability and whether the person is online', () => {
    expect(presenceLabel(presence())).toBe('Available, Online')
    expect(presenceLabel(presence({ online: { kind: 'offline', lastSeen: now - 300_000 }, seen: 'Last seen 5 minutes ago' }, { availability: 'busy' })))
      .toBe('Busy, Last seen 5 minutes ago')
  })

  it('draws the dot filled, outlined or grey', () => {
    expect(dotLook({ kind: 'online' })).toBe('online')
    expect(dotLook({ kind: 'inactive', lastActive: now })).toBe('inactive')
    expect(dotLook({ kind: 'offline', lastSeen: null })).toBe('offline')
  })

  it('puts the emoji before the status line, once', () => {
    expect(statusText(presence())).toBeNull()
    expect(statusText(presence({ line: 'Visiting customers' }, { emoji: '🚗' }))).toBe('🚗 Visiting customers')
    expect(statusText(presence({ line: '🚗 on the road' }, { emoji: '🚗' }))).toBe('🚗 on the road')
    expect(statusText(presence({ line: 'in conference | until 14:00' }))).toBe('in conference | until 14:00')
    expect(statusText(presence({}, { emoji: '🌴' }))).toBe('🌴')
  })

  it('shortens a long status for the inbox, counting emoji as one character', () => {
    expect(shortStatus('Visiting customers 🚗')).toBe('Visiting customers 🚗')
    expect(shortStatus('🚗'.repeat(40))).toBe('🚗'.repeat(40))
    expect(shortStatus('👩‍👩‍👧'.repeat(41))).toBe(`${'👩‍👩‍👧'.repeat(39)}…`)
    expect(shortStatus('abcdefghij klm', 10)).toBe('abcdefghi…')
  })
})

describe('the status form', () => {
  it('counts the message as a person does and refuses more than 100 characters', () => {
    expect(messageCheck('')).toEqual({ count: 0, max: 100, error: null })
    expect(messageCheck('Visiting customers 🚗')).toEqual({ count: 20, max: 100, error: null })
    expect(messageCheck('🇮🇹'.repeat(100)).error).toBeNull()
    expect(messageCheck('x'.repeat(101)).error).toBe('The status message is 1 character too long (at most 100).')
    expect(messageCheck('x'.repeat(105)).error).toMatch(/5 characters too long/)
  })

  it('turns the clear-after choice into what the model takes', () => {
    expect(clearAfterChoice('hour1', '', now)).toEqual({ kind: 'hour1' })
    expect(clearAfterChoice('never', 'whatever', now)).toEqual({ kind: 'never' })
    expect(clearAfterChoice('at', '2025-03-07T16:00', now)).toEqual({ kind: 'at', time: new Date(2025, 2, 7, 16, 0).getTime() })
    expect(clearAfterChoice('at', '2025-03-07T15:00', now)).toEqual({ error: 'Choose a date and time in the future.' })
    expect(clearAfterChoice('at', '', now)).toEqual({ error: 'Choose the date and time the status clears.' })
    expect(clearAfterChoice('at', '2025-02-30T10:00', now)).toEqual({ error: 'This is not a date and time.' })
  })

  it('reads and writes datetime-local values in local time', () => {
    expect(toDateTimeLocal(new Date(2025, 0, 5, 9, 7).getTime())).toBe('2025-01-05T09:07')
    expect(fromDateTimeLocal('2025-01-05T09:07')).toBe(new Date(2025, 0, 5, 9, 7).getTime())
    expect(fromDateTimeLocal('2025-01-05T09:07:30')).toBe(new Date(2025, 0, 5, 9, 7, 30).getTime())
    expect(fromDateTimeLocal('tomorrow')).toBeNull()
  })
})
