import { describe, expect, it } from 'vitest'
import { directConvId, guestUserId } from './commands.ts'
import { ID_PATTERN, type UserId } from './ids.ts'

describe('guestUserId', () => {
  it('is g- and 16 hex digits, the same for the address however it is cased or padded', () => {
    const id = guestUserId('Ext@Partner.example')
    expect(id).toMatch(/^g-[0-9a-f]{16}$/)
    expect(ID_PATTERN.test(id)).toBe(true)
    expect(guestUserId('  ext@partner.EXAMPLE ')).toBe(id)
    expect(guestUserId('other@partner.example')).not.toBe(id)
  })

  it('names a direct conversation a device can compute before the guest exists', () => {
    const guest = guestUserId('ext@partner.example')
    expect(directConvId('anna' as UserId, guest)).toBe(directConvId(guest, 'anna' as UserId))
    expect(ID_PATTERN.test(directConvId('anna' as UserId, guest))).toBe(true)
  })
})
