/** Which rule a rejected write broke. */
export type Constraint = 'duplicate' | 'missing-reference'

/**
 * A write that storage refused because it would break a uniqueness or reference rule: a taken
 * email or id (`duplicate`), or a record pointing at a workspace, user or conversation that does
 * not exist (`missing-reference`). Every {@link AccountStore} throws this, so callers can answer
 * "email taken" without knowing which database is underneath.
 *
 * @see {@link AccountStore}
 */
export class ConstraintError extends Error {
  override readonly name = 'ConstraintError'
  constructor(
    readonly constraint: Constraint,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options)
  }
}
