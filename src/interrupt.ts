/*
 * On Ctrl-C or SIGTERM, base-command's signal listener (endQuietlyOnSignals) ends the process with 130. A command
 * that changes the org registers here, for the time it runs, what to print first: what it had done. The listener
 * is put before the others, runs once, and writes synchronously — the process exits as soon as it returns.
 */
import { writeSync } from 'node:fs';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGBREAK', 'SIGHUP'] as const;
/** The exit code of an interrupted run (base-command ends with it; the shell's 128 + SIGINT). */
export const INTERRUPTED_EXIT = 130;

/** Calls `report` once on the first stop signal, before the listener that ends the process. Returns the remover. */
export function onInterrupt(report: (signal: string) => void): () => void {
  let reported = false;
  const listener = (signal: NodeJS.Signals): void => {
    if (reported) return;
    reported = true;
    try {
      report(signal);
    } catch {
      // The record is best effort; ending the process is not.
    }
    // Alone (no command's listener to end the process), a listener would keep the process alive: end it here.
    if (process.listenerCount(signal) === 1) process.exit(INTERRUPTED_EXIT);
  };
  for (const signal of SIGNALS) process.prependListener(signal, listener);
  return () => {
    for (const signal of SIGNALS) process.removeListener(signal, listener);
  };
}

/** Writes the whole text to a file descriptor before returning, waiting out a full pipe (the process exits next). */
export function writeAllSync(fd: number, text: string): void {
  const buffer = Buffer.from(text, 'utf8');
  const pause = new Int32Array(new SharedArrayBuffer(4));
  let offset = 0;
  while (offset < buffer.length) {
    try {
      offset += writeSync(fd, buffer, offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      Atomics.wait(pause, 0, 0, 5);
    }
  }
}
