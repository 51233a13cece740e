/*
 * How a run of writes ended, from its items. Every written item ends in exactly one of: applied and verified
 * by reading the org back; applied but not verified (the read-back failed); not applied (the org refused, or a
 * read-back showed it absent); outcome unknown (no answer and no read-back). Items that needed no change count
 * as done.
 */
export type RunOutcome = 'success' | 'success-unverified' | 'partial' | 'failed';

export type ItemState = {
  /** The item is as asked: applied, or already so. */
  done: boolean;
  /** Applied, but reading back to confirm it failed. */
  unverified: boolean;
};

/** success(-unverified) when every item is done, failed when none is, partial for a mix. */
export function runOutcome(items: readonly ItemState[]): RunOutcome {
  const done = items.filter((i) => i.done).length;
  if (done === items.length) return items.some((i) => i.unverified) ? 'success-unverified' : 'success';
  return done === 0 ? 'failed' : 'partial';
}
