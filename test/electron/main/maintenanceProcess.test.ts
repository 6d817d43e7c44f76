/**
 * The desktop app runs the knowledge store's compaction in an Electron utility process (Node's fork would need
 * ELECTRON_RUN_AS_NODE, which the packaged app's fuses switch off). Electron is mocked: its utilityProcess.fork
 * is played by a Node child running the same worker with the same environment (test/electron/fakeElectron.ts), so
 * the worker's real work on a real table is checked, and the arguments the app gives Electron.
 */
import { join } from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { HashedEmbedder } from '../../../core/embed/hashedEmbedder';
import { schemaFor, toRow } from '../../../core/knowledge/entryTable';
import { optimizeInChild, useMaintenanceForker } from '../../../core/knowledge/optimizeInChild';
import { utilityProcessForker } from '../../../electron/main/maintenanceProcess';
import { stored } from '../../fixtures/storeEntries';
import { fakeElectron } from '../fakeElectron';

vi.mock('electron', async () => (await import('../fakeElectron')).fakeElectron);

const embedder = new HashedEmbedder();

async function fragmentedTable(name: string): Promise<{ dir: string; db: lancedb.Connection; table: lancedb.Table }> {
  const dir = join(await tempFolder('vigil-maintenance-'), 'lancedb');
  const db = await lancedb.connect(dir);
  const table = await db.createEmptyTable(name, schemaFor(embedder.dimensions));
  for (let i = 0; i < 3; i++) {
    const entry = stored({ id: `e-${i}`, title: `Entry ${i}`, body: `Printer problem number ${i}` });
    await table.add([toRow(entry, embedder.embedOne(entry.body))]);
  }
  return { dir, db, table };
}

function insideElectron(): () => void {
  Object.defineProperty(process.versions, 'electron', { value: '45.4.1', configurable: true, enumerable: true });
  return () => delete (process.versions as Record<string, string | undefined>)['electron'];
}

describe('knowledge maintenance in a utility process', () => {
  afterEach(() => {
    useMaintenanceForker(null);
    fakeElectron.utilityProcess.fork.mockClear();
  });

  it('compacts the table in a utility process started with the job in its environment and piped output', async () => {
    const { dir, db, table } = await fragmentedTable('entries_app');
    const before = await table.version();
    // Electron lays out a utility process's argv its own way: the stand-in passes none, so the job must come
    // from the environment.
    useMaintenanceForker(utilityProcessForker((modulePath, _args, options) => fakeElectron.utilityProcess.fork(modulePath, [], options as { env?: NodeJS.ProcessEnv }) as never));
    const leave = insideElectron();
    try {
      expect(await optimizeInChild(dir, table, new Date(Date.now() - 3600_000))).toBe(true);
    } finally {
      leave();
    }
    expect(fakeElectron.utilityProcess.fork).toHaveBeenCalledOnce();
    const [script, , options] = fakeElectron.utilityProcess.fork.mock.calls[0]!;
    expect(script).toMatch(/optimizeWorker\.mjs$/);
    expect(options).toMatchObject({ stdio: 'pipe', serviceName: 'Vigil knowledge maintenance' });
    expect(JSON.parse(options!.env!['VIGIL_OPTIMIZE_JOB'] as string)).toEqual([dir, 'entries_app', expect.stringMatching(/^\d+$/)]);
    if (process.platform === 'linux') expect(options!.env!['MALLOC_ARENA_MAX']).toBeDefined();
    expect(await table.version()).toBeGreaterThan(before);
    expect((await table.stats()).fragmentStats.numFragments).toBe(1);
    table.close();
    db.close();
  });

  it("reports the worker's failure with the table's name", async () => {
    const { dir, db, table } = await fragmentedTable('entries_dropped');
    await db.dropTable('entries_dropped');
    useMaintenanceForker(utilityProcessForker());
    const leave = insideElectron();
    try {
      await expect(optimizeInChild(dir, table, new Date())).rejects.toThrow(/Compacting the knowledge table entries_dropped failed \(exit 1\)/);
    } finally {
      leave();
    }
    db.close();
  });

  it('without the app setting a forker, forks nothing inside Electron: the store optimizes in process', async () => {
    const { dir, db, table } = await fragmentedTable('entries_plain');
    const leave = insideElectron();
    try {
      expect(await optimizeInChild(dir, table, new Date())).toBe(false);
    } finally {
      leave();
    }
    expect(fakeElectron.utilityProcess.fork).not.toHaveBeenCalled();
    expect((await table.stats()).fragmentStats.numFragments).toBe(3);
    table.close();
    db.close();
  });
});
