import { Reason, assertNever, type Command, type CommandResult, type Principal } from '@waggle/schema'
import { ConstraintError } from '../storage/ConstraintError.ts'
import type { CommandContext, Outcome } from './CommandContext.ts'
import { KeyedLock } from './KeyedLock.ts'
import { addMembers } from './addMembers.ts'
import { createConversation } from './createConversation.ts'
import { joinByLink } from './joinByLink.ts'
import { leaveConversation } from './leaveConversation.ts'
import { removeMember } from './removeMember.ts'
import { setAvailableByLink } from './setAvailableByLink.ts'
import { updateConversation } from './updateConversation.ts'

/**
 * Applies commands (ARCHITECTURE §2) at most once per command id: the answer, accepted or
 * rejected, is stored with the sender, and a retry of the id by the same user gets the stored
 * answer without anything being applied again. Another user reusing the id is refused.
 *
 * Commands with the same id, and commands on the same conversation, run one at a time in this
 * instance; across instances the stores' uniqueness rules decide.
 */
export class CommandService {
  readonly #ctx: CommandContext
  readonly #locks = new KeyedLock()

  constructor(ctx: CommandContext) {
    this.#ctx = ctx
  }

  apply(who: Principal, command: Command): Promise<CommandResult> {
    return this.#locks.run(`command:${command.id}`, async () => {
      const answered = await this.#answered(who, command)
      if (answered !== null) return answered
      const result = toResult(command, await this.#dispatch(who, command))
      try {
        await this.#ctx.accounts.putCommandResult({ id: command.id, userId: who.userId, result, at: this.#ctx.now() })
      } catch (err) {
        // Another instance answered the same id meanwhile: its answer is the one that counts.
        if (!(err instanceof ConstraintError && err.constraint === 'duplicate')) throw err
        return (await this.#answered(who, command)) ?? result
      }
      return result
    })
  }

  /** The stored answer for a retry, a conflict for someone else's id, or null when unanswered. */
  async #answered(who: Principal, command: Command): Promise<CommandResult | null> {
    const stored = await this.#ctx.accounts.commandResult(command.id)
    if (stored === null) return null
    if (stored.userId === who.userId) return stored.result
    return { id: command.id, status: 'rejected', reason: Reason.conflict, message: 'This command id was already used; send the command with a new id' }
  }

  #dispatch(who: Principal, command: Command): Promise<Outcome> {
    switch (command.type) {
      case 'createConversation':
        return this.#locks.run(`conv:${command.conv}`, () => createConversation(this.#ctx, who, command))
      case 'addMembers':
        return this.#locks.run(`conv:${command.conv}`, () => addMembers(this.#ctx, who, command))
      case 'removeMember':
        return this.#locks.run(`conv:${command.conv}`, () => removeMember(this.#ctx, who, command))
      case 'leaveConversation':
        return this.#locks.run(`conv:${command.conv}`, () => leaveConversation(this.#ctx, who, command))
      case 'updateConversation':
        return this.#locks.run(`conv:${command.conv}`, () => updateConversation(this.#ctx, who, command))
      case 'setAvailableByLink':
        return this.#locks.run(`conv:${command.conv}`, () => setAvailableByLink(this.#ctx, who, command))
      case 'joinByLink':
        // Membership checks read the table; two joins of one person are made idempotent there.
        return joinByLink(this.#ctx, who, command)
      default:
        return assertNever(command, 'command')
    }
  }
}

function toResult(command: Command, outcome: Outcome): CommandResult {
  if (outcome.status === 'accepted' && outcome.conv !== undefined) return { id: command.id, status: 'accepted', conv: outcome.conv }
  return outcome.status === 'accepted'
    ? { id: command.id, status: 'accepted' }
    : { id: command.id, status: 'rejected', reason: outcome.reason, message: outcome.message }
}
