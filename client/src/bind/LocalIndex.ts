import { liveQuery, type Dexie, type EntityTable } from 'dexie'
import { Reason, WaggleError, isId, isReason, type CommandId, type ConversationCommand, type CreateConversationCommand, type ConvId, type MessageId } from '@waggle/schema'
import type { UnreadRecord } from './unread.ts'
import { openAccountDb, type AccountDbOptions } from '../sync/index.ts'

/** Derived state of one conversation, kept so the inbox renders without opening its segments. */
export interface ConvIndexRow extends UnreadRecord {
  conv: ConvId
  /** The segment the count was taken from. */
  segment: number
  /**
   * The inbox's last message the device's copy of the segment was seen to hold: the indexer
   * fetches every conversation's current segment once per new message, so it can be read offline.
   */
  fetched?: MessageId | null
}

/** An outbox row creating a conversation (listed in the inbox while pending). */
export type CreationRow = CommandRow & { command: CreateConversationCommand }
export const isCreation = (row: CommandRow): row is CreationRow => row.command.type === 'createConversation'

/** A command waiting in the durable outbox (ARCHITECTURE §2). */
export interface CommandRow {
  /** Device-local send order. */
  seq: number
  id: CommandId
  conv: ConvId
  command: ConversationCommand
  state: 'pending' | 'rejected'
  reason?: Reason
  message?: string
  createdAt: number
}

/** A revised segment (edits or deletes, from the inbox's `revised`) this device fetched again. */
interface RevisionRow {
  /** `conv/seg`. */
  key: string
  at: number
}

type IndexDb = Dexie & {
  convs: EntityTable<ConvIndexRow, 'conv'>
  commands: EntityTable<CommandRow, 'seq'>
  revisions: EntityTable<RevisionRow, 'key'>
}

export type LocalIndexOptions = AccountDbOptions

/** IndexedDB name of an account's local index (next to its documents, `waggle-<account>`). */
export function indexDbNameFor(account: string): string {
  if (account.length === 0) throw new WaggleError(Reason.badRequest, 'An account is required to open the local index')
  return `waggle-${account}-index`
}

/**
 * The account's local index (ARCHITECTURE §5) in its own Dexie database, shared by the tabs:
 * per-conversation derived state written by the leader's indexer, and the command outbox.
 * Writes commit with strict durability, so a queued command survives a crash. Every tab reads
 * through `liveQuery`, which Dexie also notifies across tabs.
 */
export class LocalIndex {
  readonly #db: IndexDb

  constructor(options: LocalIndexOptions) {
    // Every tab reads it through liveQuery.
    this.#db = openAccountDb(indexDbNameFor(options.account), options, true) as IndexDb
    this.#db.version(1).stores({ convs: 'conv', commands: '++seq, &id, conv' })
    this.#db.version(2).stores({ convs: 'conv', commands: '++seq, &id, conv', revisions: 'key' })
  }

  /** Revisions of segments fetched again, by `conv/seg`. */
  async revisions(): Promise<Map<string, number>> {
    const rows = await this.#db.revisions.toArray()
    return new Map(rows.filter((r) => typeof r.key === 'string' && typeof r.at === 'number').map((r) => [r.key, r.at]))
  }

  async putRevision(key: string, at: number): Promise<void> {
    await this.#db.revisions.put({ key, at })
  }

  async convRows(): Promise<ConvIndexRow[]> {
    return (await this.#db.convs.toArray()).flatMap((row) => toConvRow(row) ?? [])
  }

  async putConvRows(rows: readonly ConvIndexRow[]): Promise<void> {
    if (rows.length > 0) await this.#db.convs.bulkPut([...rows])
  }

  /** Pending and rejected commands in send order. */
  async commands(): Promise<CommandRow[]> {
    return (await this.#db.commands.orderBy('seq').toArray()).map(toCommandRow)
  }

  async queue(command: ConversationCommand, createdAt: number): Promise<void> {
    await this.#db.commands.add({ id: command.id, conv: command.conv, command, state: 'pending', createdAt })
  }

  /** Accepted by the server (or given up by the user): gone from the outbox. */
  async remove(id: CommandId): Promise<void> {
    await this.#db.commands.where('id').equals(id).delete()
  }

  async reject(id: CommandId, reason: Reason, message: string): Promise<void> {
    await this.#db.commands.where('id').equals(id).modify({ state: 'rejected', reason, message })
  }

  /** Calls `next` with the rows now and after every change, in this tab or another. */
  watchConvs(next: (rows: ConvIndexRow[]) => void, error: (err: unknown) => void): () => void {
    const sub = liveQuery(() => this.convRows()).subscribe({ next, error })
    return () => sub.unsubscribe()
  }

  watchCommands(next: (rows: CommandRow[]) => void, error: (err: unknown) => void): () => void {
    const sub = liveQuery(() => this.commands()).subscribe({ next, error })
    return () => sub.unsubscribe()
  }

  /** Deletes the database (sign-out with "clear local data"); this instance is closed afterwards. */
  async destroy(): Promise<void> {
    await this.#db.delete()
  }

  close(): void {
    this.#db.close()
  }
}

const isMessageIdOrNull = (x: unknown): x is MessageId | null => x === null || isId(x)
const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0

/** Rows read from storage are checked like any boundary (CONVENTIONS rule 7); a bad one is recomputed. */
function toConvRow(row: ConvIndexRow): ConvIndexRow | null {
  const ok = isId(row.conv) && isCount(row.unread) && isCount(row.segment) && isMessageIdOrNull(row.last) && isMessageIdOrNull(row.read)
  if (!ok) return null
  const fetched = isMessageIdOrNull(row.fetched) ? row.fetched : null
  return { conv: row.conv, unread: row.unread, segment: row.segment, last: row.last, read: row.read, mentioned: row.mentioned === true, fetched }
}

const GROUP_COMMANDS = new Set(['addMembers', 'removeMember', 'leaveConversation', 'updateConversation', 'setAvailableByLink'])

function toCommandRow(row: CommandRow): CommandRow {
  const c = row.command as Partial<CreateConversationCommand> | Partial<Exclude<ConversationCommand, CreateConversationCommand>> | undefined
  const ok =
    typeof row.seq === 'number' && isId(row.id) && isId(row.conv) && typeof row.createdAt === 'number' &&
    (row.state === 'pending' || row.state === 'rejected') &&
    (row.reason === undefined || isReason(row.reason)) && (row.message === undefined || typeof row.message === 'string') &&
    c !== undefined && c.id === row.id && c.conv === row.conv &&
    (c.type === 'createConversation'
      ? (c.kind === 'direct' || c.kind === 'group') && typeof c.title === 'string' && Array.isArray(c.members)
      : typeof c.type === 'string' && GROUP_COMMANDS.has(c.type))
  if (!ok) throw new WaggleError(Reason.storageFailed, `Queued command ${String(row.seq)} is malformed`)
  return row
}
