/*
 * A process for dir-lock.test.ts: takes the lock `test.lock` in the directory given, says so on stdout, then ends
 * as the mode says — or waits to be signalled.
 *   wait      no signal listener of its own (the lock's listener must end it as the signal would)
 *   sf-like   a SIGTERM listener registered first that exits with 130, as SfCommand's does
 *   exit      process.exit(3) (no `finally` runs)
 *   throw     an uncaught error
 */
import { acquireDirLock } from '../../../src/adapters/dir-lock.js';

const [dir, mode] = process.argv.slice(2);
if (mode === 'sf-like') {
  process.on('SIGTERM', () => {
    process.exit(130);
  });
}
const lock = await acquireDirLock(dir, 'test.lock');
process.stdout.write(`locked ${lock.holder.pid}\n`);
if (mode === 'exit') process.exit(3);
if (mode === 'throw') setTimeout(() => {
  throw new Error('uncaught on purpose');
}, 10);
setInterval(() => undefined, 60_000);
