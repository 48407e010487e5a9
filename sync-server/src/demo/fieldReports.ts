import type { MessageId, NewMessage, UserId } from '@waggle/schema'

/** "Field reports": a long demo conversation for the virtualised list and older-segment loading. */
export const FIELD_REPORTS = {
  id: 'field-reports',
  title: 'Field reports',
  description: 'Site visits and installs, one line each',
  members: ['luca', 'noah', 'lena', 'tom'],
  /** Messages in each of its segments; segment 1 is the current one. */
  perSegment: 5_000,
  segments: 2,
  intervalMs: 5 * 60_000,
} as const

const sites = ['Bergamo', 'Munich', 'Verona', 'Lyon', 'Madrid', 'Brescia', 'Innsbruck', 'Zurich', 'Trento', 'Milan', 'Padua']
const tasks = [
  'replaced the PoE switch', 'updated the phone firmware', 'checked the SIP trunk', 'swapped a faulty handset',
  'ran new cabling to reception', 'configured the call queue', 'tested the door intercom',
  'fixed one-way audio (firewall ALG)', 'installed a DECT base station', 'trained the staff on the softphone',
]
const outcomes = ['all good', 'customer happy', 'follow-up next week', 'waiting for a spare part', 'ticket closed', 'needs a second visit']

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

/**
 * A message id in the layout of schema's `timeSortableId` (10 characters of time, then 16),
 * with `n` in place of the random part: unique, in order, and the same on every run.
 */
function reportId(time: number, n: number): MessageId {
  let prefix = ''
  for (let t = time, i = 0; i < 10; i++, t = Math.floor(t / 32)) prefix = CROCKFORD.charAt(t % 32) + prefix
  let suffix = ''
  for (let k = n, i = 0; i < 16; i++, k = Math.floor(k / 32)) suffix = CROCKFORD.charAt(k % 32) + suffix
  return (prefix + suffix) as MessageId
}

/**
 * Message `n` (from 0) of the conversation, the same on every run: author, text and time
 * follow from `n`, and so does the id.
 */
export function fieldReport(n: number, start: number): NewMessage {
  const time = start + n * FIELD_REPORTS.intervalMs
  const pick = (list: readonly string[]): string => list[n % list.length] ?? ''
  return {
    id: reportId(time, n),
    author: pick(FIELD_REPORTS.members) as UserId,
    time,
    text: `Report ${n + 1}: ${pick(sites)}, ${pick(tasks)}; ${pick(outcomes)}.`,
  }
}
