/**
 * The chat workload of the CRDT-choice benchmark (issue 8): sends, edits, deletes and
 * reactions on one conversation, generated from a seed so both libraries replay exactly the
 * same operations. Each operation is one transaction, as a person's action is in the app.
 */

export type ChatOp =
  | { kind: 'send'; id: string; author: string; time: number; text: string }
  | { kind: 'edit'; id: string; text: string; time: number }
  | { kind: 'delete'; id: string; time: number }
  | { kind: 'react'; key: string; time: number }
  | { kind: 'unreact'; key: string }

export interface WorkloadShape {
  messages: number
  /** Per message sent: chance of an edit, a delete and a reaction afterwards. */
  editRate: number
  deleteRate: number
  reactRate: number
}

export const DEFAULT_SHAPE: WorkloadShape = { messages: 100_000, editRate: 0.1, deleteRate: 0.05, reactRate: 0.3 }

/** mulberry32: small, fast, good enough to pick words and targets. */
export function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const WORDS = [
  'the', 'report', 'customer', 'call', 'tomorrow', 'meeting', 'perché', 'domani', 'cliente', 'über', 'Straße', 'Termin',
  'mañana', 'reunión', 'niño', 'école', 'rendez-vous', 'merci', 'ok', 'firmware', 'switch', 'offer', 'invoice', 'Verona',
]
const USERS = ['anna', 'marco', 'lena', 'tom', 'sofia', 'luca', 'noah', 'claire']
const EMOJI = ['👍', '❤️', '😂', '🎉', '👀']

function sentence(next: () => number): string {
  const n = 4 + Math.floor(next() * 10)
  const words: string[] = []
  for (let i = 0; i < n; i++) words.push(WORDS[Math.floor(next() * WORDS.length)] ?? 'ok')
  return words.join(' ')
}

/** The operations, in order: every message is sent, and some are later edited, deleted or reacted to. */
export function chatWorkload(seed: number, shape: WorkloadShape = DEFAULT_SHAPE): ChatOp[] {
  const next = rng(seed)
  const ops: ChatOp[] = []
  const live: string[] = []
  const reactions: string[] = []
  let time = 1_700_000_000_000
  for (let i = 0; i < shape.messages; i++) {
    time += 1000 + Math.floor(next() * 60_000)
    const id = `M${i.toString(36).padStart(8, '0')}`
    ops.push({ kind: 'send', id, author: USERS[i % USERS.length] ?? 'anna', time, text: sentence(next) })
    live.push(id)
    const pick = () => live[Math.max(0, live.length - 1 - Math.floor(next() * Math.min(live.length, 500)))] ?? id
    if (next() < shape.editRate) ops.push({ kind: 'edit', id: pick(), text: sentence(next), time })
    if (next() < shape.reactRate) {
      const key = `${pick()}|${EMOJI[Math.floor(next() * EMOJI.length)] ?? '👍'}|${USERS[Math.floor(next() * USERS.length)] ?? 'anna'}`
      ops.push({ kind: 'react', key, time })
      reactions.push(key)
      if (next() < 0.2) ops.push({ kind: 'unreact', key: reactions[Math.floor(next() * reactions.length)] ?? key })
    }
    if (next() < shape.deleteRate) {
      const at = Math.max(0, live.length - 1 - Math.floor(next() * Math.min(live.length, 500)))
      const [gone] = live.splice(at, 1)
      if (gone !== undefined) ops.push({ kind: 'delete', id: gone, time })
    }
  }
  return ops
}
