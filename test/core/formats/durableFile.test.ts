import { readdirSync, readFileSync, statSync } from 'node:fs';
import { appendDurable, readJsonFile, renameDurable, writeFileAtomic, writeJsonAtomic } from '../../../core/formats/durableFile';
import { tempFolder } from '../../support/tempFolder';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const HELPER = 'core/formats/durableFile.ts';

/** Source files under `folder` (relative to the repo), recursively. */
function sourceFiles(folder: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(repoRoot, folder), { withFileTypes: true })) {
    const path = `${folder}/${entry.name}`;
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|tsx|mts|js|mjs|cjs)$/.test(entry.name)) out.push(path);
  }
  return out;
}

/** Files of core/ and electron/ that rename anything themselves instead of through the durable helper. */
function renamesOutsideHelper(): string[] {
  return [...sourceFiles('core'), ...sourceFiles('electron')]
    .filter((file) => file !== HELPER)
    .filter((file) => /\brename(Sync)?\s*\(/.test(readFileSync(join(repoRoot, file), 'utf8')));
}

describe('one durable write', () => {
  it('is the only place in core/ and electron/ that renames a file', () => {
    expect(statSync(join(repoRoot, HELPER)).isFile()).toBe(true);
    // Names each file that renames by hand: its write is not fsynced, or not in the one way everyone else does it.
    expect(renamesOutsideHelper()).toEqual([]);
  });

  it('replaces a file whole, leaving no temporary file beside it', async () => {
    const dir = await tempFolder('vigil-durable-');
    const file = join(dir, 'nested', 'settings.json');
    await writeJsonAtomic(file, { a: 1 });
    await writeJsonAtomic(file, { a: 2 });
    expect(await readFile(file, 'utf8')).toBe('{\n  "a": 2\n}\n');
    expect(await readdir(join(dir, 'nested'))).toEqual(['settings.json']);
  });

  it('gives a secret file mode 0600 whatever the umask', async () => {
    if (process.platform === 'win32') return;
    const dir = await tempFolder('vigil-durable-');
    const file = join(dir, 'secrets.json');
    await writeFile(file, 'old', { mode: 0o644 });
    await writeFileAtomic(file, 'new', { mode: 0o600 });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('keeps the old file when the write fails before the rename', async () => {
    const dir = await tempFolder('vigil-durable-');
    const file = join(dir, 'index.json');
    await writeJsonAtomic(file, { version: 1 });
    const crash = (): never => {
      throw new Error('crashed before the rename');
    };
    await expect(writeJsonAtomic(file, { version: 2 }, { beforeRename: crash })).rejects.toThrow('crashed before the rename');
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ version: 1 });
    expect(await readdir(dir)).toEqual(['index.json']);
  });

  it('moves a finished file to its new name, and appends line by line', async () => {
    const dir = await tempFolder('vigil-durable-');
    await appendDurable(join(dir, 'log.jsonl'), '{"n":1}\n');
    await appendDurable(join(dir, 'log.jsonl'), '{"n":2}\n');
    await renameDurable(join(dir, 'log.jsonl'), join(dir, 'log.1.jsonl'));
    expect(await readdir(dir)).toEqual(['log.1.jsonl']);
    expect(await readFile(join(dir, 'log.1.jsonl'), 'utf8')).toBe('{"n":1}\n{"n":2}\n');
  });

  it('reads back what it wrote, and names the file and field of a damaged one', async () => {
    const dir = await tempFolder('vigil-durable-');
    const file = join(dir, 'trust.json');
    const schema = z.object({ keys: z.array(z.string()) });
    expect(await readJsonFile(file, schema, { keys: [] })).toEqual({ keys: [] });
    await writeJsonAtomic(file, { keys: ['k1'] });
    expect(await readJsonFile(file, schema, { keys: [] })).toEqual({ keys: ['k1'] });
    await writeFile(file, '{"keys": [1]}');
    await expect(readJsonFile(file, schema, { keys: [] })).rejects.toThrow(`${file}: keys.0:`);
  });
});
