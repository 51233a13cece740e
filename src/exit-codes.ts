/*
 * Every exit code the plugin uses, in one place, and the ERROR CODES help section each command shows.
 * 0, 1, 2 and 68 are the sf conventions; 3, 4 and 10 are ours (10 is also what sf gives network failures).
 * doctor gives 1 a second meaning ("cannot use"), as the issue asks, and ends "cannot tell" with 4. 130 is the
 * shell's "interrupted" (README only: every command can end with it).
 */
import { Messages } from '@salesforce/core';
import { toHelpSection } from '@salesforce/sf-plugins-core';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-connectedapp', 'connectedapp.common');

export const EXIT = {
  /** Everything done (or nothing needed doing). */
  ok: 0,
  /** The command failed: nothing, or nothing known, was done. */
  error: 1,
  /** Wrong usage: a flag value or combination that cannot work; nothing was read or written. */
  usage: 2,
  /** A gate tripped: audit findings at or above --fail-on, or --check found drift. */
  gate: 3,
  /** doctor: the user (or nobody) can use the app — a check failed. */
  cannotUse: 1,
  /** doctor: cannot tell — no check failed, but one could not be decided (a source was unreadable). */
  cannotTell: 4,
  /** The org could not be reached (network failure after retries). */
  unreachable: 10,
  /** Partial success: some items done, others failed or with an unknown outcome (listed per item). */
  partial: 68,
  /** Interrupted (Ctrl-C, SIGTERM): nothing more is printed. */
  interrupted: 130,
} as const;

export type ExitName = keyof typeof EXIT;

/**
 * The ERROR CODES help section for a command that can end with these codes (besides 0, 1, 2 and 10). Names that
 * share a code (doctor's "cannot use" is 1, as "failed" is) make one entry that says both.
 */
export function errorCodesSection(...names: ExitName[]): ReturnType<typeof toHelpSection> {
  return section(['ok', 'error', 'usage', ...names, 'unreachable']);
}

/** The ERROR CODES section of a command that never contacts an org (no 10). */
export function offlineErrorCodesSection(...names: ExitName[]): ReturnType<typeof toHelpSection> {
  return section(['ok', 'error', 'usage', ...names]);
}

function section(all: ExitName[]): ReturnType<typeof toHelpSection> {
  const byCode = new Map<number, ExitName[]>();
  for (const name of [...new Set(all)].sort((a, b) => EXIT[a] - EXIT[b])) byCode.set(EXIT[name], [...(byCode.get(EXIT[name]) ?? []), name]);
  return toHelpSection(
    'ERROR CODES',
    Object.fromEntries(
      [...byCode].map(([code, names]) => [
        `${names.map((name) => messages.getMessage(`exitCode.${name}.label`)).join(' / ')} (${code})`,
        names.map((name) => messages.getMessage(`exitCode.${name}`)).join(' '),
      ])
    )
  );
}
