/**
 * Child process for the folder lock's race test: waits for "go" on stdin, tries to take the data folder's lock,
 * prints `held` or `busy: <message>`, and keeps a held lock until stdin closes.
 *   node --import tsx test/core/knowledge/folderLockChild.ts DATA_DIR
 */
import { createInterface } from 'node:readline';
import { lockDataFolder } from '../../../core/knowledge/folderLock';

const [dataDir] = process.argv.slice(2);
const lines = createInterface({ input: process.stdin });
process.stdout.write('ready\n');
lines.once('line', () => {
  lockDataFolder(dataDir!).then(
    (lock) => {
      process.stdout.write('held\n');
      lines.once('close', () => void lock.release());
    },
    (err: unknown) => {
      process.stdout.write(`busy: ${(err as Error).message}\n`);
      lines.close();
    },
  );
});
