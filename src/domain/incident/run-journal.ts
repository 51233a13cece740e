/*
 * What a revoke or contain run has done so far, kept as it goes, so that a run stopped by a signal (Ctrl-C, SIGTERM)
 * can say what it did before the process ends: each step as it ended (or that it was under way, or not started), and
 * each token listed for revocation — revoked (the org accepted it; not read back), already gone, refused, sent with no
 * usable answer, in flight (sent, no answer yet: it may or may not be revoked), or not sent. No token is kept: only
 * its ref. Pure: the command prints the record (src/renderers/interrupted.ts).
 */
import { tokenResult, type TokenRecord, type TokenResult, type TokenStatus } from './tokens.js';

/** A token's state when the run was stopped: a TokenStatus once its answer came, else in flight or not sent. */
export type JournalTokenStatus = Exclude<TokenStatus, 'would-revoke'> | 'in-flight' | 'not-sent';

export type JournalToken = Omit<TokenResult, 'status'> & { status: JournalTokenStatus };

/** A step of the run (contain: snapshot, policy, assignments, tokens): as it ended, or interrupted / not-started. */
export type JournalStep = { step: string; status: string; detail: string };

/** The --json result of a run stopped by a signal (the envelope's status is 130). */
export type InterruptedRun = {
  status: 'interrupted';
  command: 'revoke' | 'contain';
  /** The signal that stopped the run (SIGINT for Ctrl-C). */
  signal: string;
  interruptedAt: string;
  /** What the run was doing: "read" (nothing changed yet) or the step under way. */
  during: string;
  /** contain: the snapshot file (written before any change, or kept from an earlier run); null before it was. */
  snapshot: { path: string; status: string } | null;
  /** contain: every step in order; revoke: none. */
  steps: JournalStep[];
  /** Every token the run listed for revocation, with where it stood. Empty while the run was still reading. */
  tokens: JournalToken[];
  counts: Record<JournalTokenStatus, number>;
};

export class RunJournal {
  /** "read" until the first change may be made; then the step under way. */
  public during = 'read';
  public snapshot: InterruptedRun['snapshot'] = null;
  private steps: readonly JournalStep[] = [];
  private readonly tokens = new Map<string, JournalToken>();

  /** plan: the steps of the run in order (contain), shown as not started until they start. */
  public constructor(
    private readonly command: InterruptedRun['command'],
    private readonly plan: readonly string[] = []
  ) {}

  /** The run's own list of ended steps (it keeps appending to it). */
  public trackSteps(steps: readonly JournalStep[]): void {
    this.steps = steps;
  }

  /** The tokens about to be revoked: not sent yet. */
  public listed(tokens: readonly TokenRecord[]): void {
    for (const token of tokens) this.tokens.set(token.ref, { ...tokenResult(token, 'unknown'), status: 'not-sent' });
  }

  public sending(token: TokenRecord): void {
    this.tokens.set(token.ref, { ...tokenResult(token, 'unknown'), status: 'in-flight' });
  }

  /** A token's answer (or, after the read-back, its final result). */
  public ended(result: TokenResult): void {
    if (result.status !== 'would-revoke') this.tokens.set(result.ref, { ...result, status: result.status });
  }

  public record(signal: string, at: Date): InterruptedRun {
    const ended = new Map(this.steps.map((s) => [s.step, s]));
    const steps = this.plan.map((step): JournalStep => ended.get(step) ?? { step, status: step === this.during ? 'interrupted' : 'not-started', detail: '' });
    const tokens = [...this.tokens.values()];
    const counts: Record<JournalTokenStatus, number> = { revoked: 0, unchanged: 0, failed: 0, unknown: 0, 'in-flight': 0, 'not-sent': 0 };
    for (const token of tokens) counts[token.status]++;
    return { status: 'interrupted', command: this.command, signal, interruptedAt: at.toISOString(), during: this.during, snapshot: this.snapshot, steps, tokens, counts };
  }
}
