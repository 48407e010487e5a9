/**
 * Transaction origins. Every write to a Y.Doc runs in `doc.transact(fn, origin)` with one of
 * these, so observers can tell a user's edit (send it) from one that came from the network or
 * from storage (do not echo it back).
 */
export interface TxOrigin {
  readonly kind: 'local' | 'localOnly' | 'remote' | 'storage' | 'tab' | 'server' | 'seed'
}

export const Origin = {
  /** An edit made by the user on this device: stored, put in the outbox and sent. */
  local: { kind: 'local' },
  /**
   * A change kept on this device only: stored, never queued or sent. Used to take back a
   * rejected edit the user discarded (the rejected update itself never reached the relay).
   */
  localOnly: { kind: 'localOnly' },
  /** An update received from the relay. */
  remote: { kind: 'remote' },
  /** Loaded from local or server storage. */
  storage: { kind: 'storage' },
  /** Received from another tab of the same account through BroadcastChannel. */
  tab: { kind: 'tab' },
  /** Written by the relay itself (commands, projections). */
  server: { kind: 'server' },
  /** Written by the demo seeder. */
  seed: { kind: 'seed' },
} as const satisfies Record<string, TxOrigin>

export function isOrigin(value: unknown): value is TxOrigin {
  return typeof value === 'object' && value !== null && Object.values(Origin).includes(value as TxOrigin)
}
