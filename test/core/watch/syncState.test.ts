import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { DEDUPE_WINDOW, SyncState } from '../../../core/watch/syncState';

describe('the sync state of a connector', () => {
  it('remembers delivered ids across restarts, ignoring a torn last line, within a bounded window', async () => {
    const dataDir = await tempFolder('vigil-state-');
    const state = await SyncState.open(dataDir, 'src');
    const total = DEDUPE_WINDOW * 2 + 20_000;
    for (let start = 0; start < total; start += 10_000) {
      await state.recordDelivered(Array.from({ length: 10_000 }, (_, i) => `e${start + i}`));
    }
    expect(state.rememberedIds).toBe(DEDUPE_WINDOW);
    expect(state.hasDelivered(`e${total - 1}`)).toBe(true);
    expect(state.hasDelivered('e0')).toBe(false);
    const ledger = join(dataDir, 'watch', 'src', 'delivered.jsonl');
    // Compacted on disk too: never more than twice the window.
    expect((await readFile(ledger, 'utf8')).trim().split('\n').length).toBeLessThanOrEqual(2 * DEDUPE_WINDOW);

    await state.commit('c-1', { syncedAt: '2026-03-01T10:00:00.000Z', lastEventAt: '2026-03-01T09:59:00Z', delivered: total });
    await appendFile(ledger, '"half-writ'); // a crash in the middle of an append
    const reopened = await SyncState.open(dataDir, 'src');
    expect(reopened.cursor).toBe('c-1');
    expect(reopened.snapshot).toMatchObject({ lastSyncAt: '2026-03-01T10:00:00.000Z', delivered: total });
    expect(reopened.hasDelivered(`e${total - 1}`)).toBe(true);
    expect(reopened.hasDelivered('half-writ')).toBe(false);
  });

  it('refuses a damaged state file with a message naming it, instead of starting over silently', async () => {
    const dataDir = await tempFolder('vigil-state-');
    const state = await SyncState.open(dataDir, 'src');
    await state.commit('c-1', { syncedAt: '2026-03-01T10:00:00.000Z', lastEventAt: null, delivered: 1 });
    const file = join(dataDir, 'watch', 'src', 'state.json');
    await writeFile(file, '{"format": 1, "connectorId": "src", "cursor": 7}');
    await expect(SyncState.open(dataDir, 'src')).rejects.toThrow(`${file}: cursor: Invalid input: expected string, received number (and 3 more problem(s)). Restore it from a backup, or delete it to sync src again from the start.`);
    await expect(SyncState.open(dataDir, '../escape')).rejects.toThrow('Connector id "../escape" may contain only letters');
  });
});
