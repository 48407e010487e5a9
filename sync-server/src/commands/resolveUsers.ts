import { Origin, Reason, docName, guestUserId, readGuests, readPhonebook, writeGuest, type Principal, type UserId, type WorkspaceId } from '@waggle/schema'
import type { UserRecord } from '../storage/AccountStore.ts'
import { ConstraintError } from '../storage/ConstraintError.ts'
import { rejected, type CommandContext, type Outcome } from './CommandContext.ts'

/**
 * Who a command names as new members (createConversation, addMembers): colleagues by id and
 * people by email address. An address of nobody in the installation becomes a guest user of
 * the sender's workspace, whose id {@link guestUserId} derives from the address, so a device
 * can name a direct conversation with them before the relay made the account.
 */
export interface Named {
  /** Accounts that exist, by id or by email. */
  users: UserRecord[]
  /** Addresses of nobody: guests to create. */
  newEmails: string[]
}

/** Looks the named people up without writing anything; a rejection for an unknown id or a foreign address. */
export async function findNamed(ctx: CommandContext, who: Principal, members: readonly UserId[], emails: readonly string[]): Promise<Named | Outcome> {
  const users = new Map<UserId, UserRecord>()
  for (const id of new Set(members)) {
    const user = await ctx.accounts.userById(id)
    if (user === null || user.workspaceId !== who.workspaceId) return rejected(Reason.notFound, `There is no user ${id} in this workspace`)
    users.set(user.id, user)
  }
  const newEmails: string[] = []
  for (const email of new Set(emails)) {
    const user = await ctx.accounts.userByEmail(email)
    if (user === null) {
      newEmails.push(email)
      continue
    }
    if (user.workspaceId !== who.workspaceId) return rejected(Reason.forbidden, `${email} belongs to another workspace`)
    users.set(user.id, user)
  }
  for (const user of users.values()) {
    // The reference: a participant needs an email address.
    if (user.email.length === 0) return rejected(Reason.badRequest, `${user.name} has no email address`)
  }
  return { users: [...users.values()], newEmails }
}

export const isNamed = (x: Named | Outcome): x is Named => 'users' in x

/** The id each named person has or will have: an account's id, or the guest id of a new address. */
export const namedIds = (named: Named): UserId[] => [...named.users.map((u) => u.id), ...named.newEmails.map(guestUserId)]

/** Creates the guests {@link findNamed} found missing; resolves with every named account. */
export async function createNamed(ctx: CommandContext, who: Principal, named: Named): Promise<UserRecord[]> {
  const guests: UserRecord[] = []
  for (const email of named.newEmails) guests.push(await createGuest(ctx, who.workspaceId, email))
  const all = [...named.users, ...guests]
  await listGuests(ctx, who.workspaceId, all)
  return all
}

/**
 * Puts guests into the workspace directory's guest list (name and address), so every member's
 * device can show who they are. Also lists guests made before there was a list.
 */
async function listGuests(ctx: CommandContext, workspaceId: WorkspaceId, users: readonly UserRecord[]): Promise<void> {
  const guests = users.filter((u) => u.role === 'guest')
  if (guests.length === 0) return
  const listed = await ctx.hub.read(docName.directory(workspaceId), readGuests)
  const missing = guests.filter((g) => listed.get(g.id)?.name !== g.name || listed.get(g.id)?.email !== g.email)
  if (missing.length === 0) return
  await ctx.hub.change(docName.directory(workspaceId), (doc) => {
    for (const g of missing) writeGuest(doc, g.id, { name: g.name, email: g.email }, Origin.server)
  })
}

/** {@link findNamed} then {@link createNamed}: the named accounts, guests made, or the rejection to answer. */
export async function resolveUsers(ctx: CommandContext, who: Principal, members: readonly UserId[], emails: readonly string[]): Promise<UserRecord[] | Outcome> {
  const named = await findNamed(ctx, who, members, emails)
  return isNamed(named) ? createNamed(ctx, who, named) : named
}

/**
 * The guest account for `email`, named after the workspace phonebook's contact with that
 * address (people recognise a customer's name, not their address), else the address itself.
 */
async function createGuest(ctx: CommandContext, workspaceId: WorkspaceId, email: string): Promise<UserRecord> {
  const guest: UserRecord = {
    id: guestUserId(email), workspaceId, email, name: await phonebookName(ctx, workspaceId, email) ?? email,
    role: 'guest', canModifyPresence: false, createdAt: ctx.now(),
  }
  try {
    await ctx.accounts.createUser(guest)
    return guest
  } catch (err) {
    // Created meanwhile (another command, another instance): use that one.
    const existing = err instanceof ConstraintError ? await ctx.accounts.userByEmail(email) : null
    if (existing === null) throw err
    return existing
  }
}

/** The name of the phonebook contact with this address, if the workspace has one. */
async function phonebookName(ctx: CommandContext, workspaceId: WorkspaceId, email: string): Promise<string | null> {
  const phonebook = await ctx.hub.read(docName.directory(workspaceId), readPhonebook)
  return contactNameFor(phonebook.values(), email)
}

/** Pure: the first contact whose address matches `email` (compared trimmed, case-insensitively). */
export function contactNameFor(contacts: Iterable<{ name: string; email?: string | undefined }>, email: string): string | null {
  const wanted = email.trim().toLowerCase()
  for (const contact of contacts) {
    if (contact.email?.trim().toLowerCase() === wanted && contact.name.trim().length > 0) return contact.name.trim()
  }
  return null
}
