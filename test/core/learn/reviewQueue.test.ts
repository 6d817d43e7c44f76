import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { CopilotService } from '../../../core/app/copilotService';
import { closedTicket, TRAVEL_ANSWER } from './learnTickets';

const open: CopilotService[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

async function service(dataDir?: string): Promise<CopilotService> {
  const s = await CopilotService.open({ dataDir: dataDir ?? (await tempFolder('vigil-review-')) });
  open.push(s);
  return s;
}

describe('the review queue and entry history', () => {
  it('lists proposed entries and approves, edits or rejects each, recording who did it', async () => {
    const s = await service();
    await s.learnFromClosedTicket(closedTicket('T-1', 'My card is declined when I pay abroad', TRAVEL_ANSWER), 'review');
    await s.learnFromClosedTicket(closedTicket('T-2', 'Outlook keeps asking for my password', 'Remove the saved credentials in Credential Manager.'), 'review');
    await s.learnFromClosedTicket(closedTicket('T-3', 'The VPN drops on hotel wifi every few minutes', 'Lower the tunnel MTU to 1380.'), 'review');
    expect((await s.learning.reviewQueue()).map((i) => i.id)).toEqual(['qa-T-1', 'qa-T-2', 'qa-T-3', 'case-T-1', 'case-T-2', 'case-T-3']);
    expect(await s.knowledge.searchKnowledge('card declined abroad')).toEqual([]); // proposed entries are never suggested

    const approved = await s.learning.approveEntry('qa-T-1', 'maria');
    expect(approved).toMatchObject({ status: 'approved', provenance: { approvedBy: 'maria' } });
    const edited = await s.learning.editEntry('qa-T-2', { answer: 'Open Credential Manager, remove the Outlook entries, then sign in again.' }, 'maria');
    expect(edited).toMatchObject({ status: 'approved', body: 'Open Credential Manager, remove the Outlook entries, then sign in again.' });
    await expect(s.learning.editEntry('qa-T-3', { answer: 'Maybe ask someone.' }, 'maria')).rejects.toThrow(/not changed: answer/);
    const rejected = await s.learning.rejectEntry('qa-T-3', 'maria', 'too vague');
    expect(rejected.status).toBe('retired');

    expect((await s.learning.reviewQueue()).map((i) => i.id)).toEqual(['case-T-1', 'case-T-2', 'case-T-3']);
    expect((await s.knowledge.searchKnowledge('card declined abroad'))[0]?.id).toBe('qa-T-1');
    expect((await s.knowledge.searchKnowledge('vpn drops hotel wifi')).map((h) => h.id)).not.toContain('qa-T-3');
    expect(s.learning.entryHistory('qa-T-3').map((v) => `${v.version}:${v.action}:${v.actor}`)).toEqual(['1:created:learn', '2:rejected:maria']);
    expect(s.learning.entryHistory('qa-T-3')[1]?.note).toBe('too vague');
  });

  it('restores any version, as a new version, and the history survives a restart', async () => {
    const dataDir = await tempFolder('vigil-review-');
    const s = await service(dataDir);
    await s.learnFromClosedTicket(closedTicket('T-1', 'My card is declined when I pay abroad', TRAVEL_ANSWER), 'auto');
    await s.learning.editEntry('qa-T-1', { answer: 'Call the card hotline to unblock payments abroad right away.' }, 'omar');
    await s.close();
    open.pop();

    const again = await service(dataDir);
    expect(again.learning.entryHistory('qa-T-1').map((v) => v.action)).toEqual(['created', 'edited']);
    const restored = await again.learning.restoreEntry('qa-T-1', 1, 'maria');
    expect(restored.body).toBe(TRAVEL_ANSWER);
    expect(again.learning.entryHistory('qa-T-1').at(-1)).toMatchObject({ version: 3, action: 'restored', restoredFrom: 1, actor: 'maria' });
    expect((await again.knowledge.searchKnowledge('card declined abroad')).find((h) => h.id === 'qa-T-1')?.body).toBe(TRAVEL_ANSWER);
    await expect(again.learning.restoreEntry('qa-T-1', 9, 'maria')).rejects.toThrow(/versions 1 to 3; there is no version 9/);
  });

  it('keeps an imported entry as version 1 before its first change, so nothing stored is lost', async () => {
    const dir = await tempFolder('vigil-review-');
    const file = join(dir, 'kb.jsonl');
    await writeFile(file, `${JSON.stringify({ id: 'kb-travel', kind: 'qa', question: 'Card declined abroad?', body: TRAVEL_ANSWER })}\n`);
    const s = await service(join(dir, 'data'));
    await s.importEntries(file);
    await s.learning.editEntry('kb-travel', { answer: 'Enable travel mode under Card settings in the app, then pay again.' }, 'omar');
    const versions = s.learning.entryHistory('kb-travel');
    expect(versions.map((v) => v.action)).toEqual(['baseline', 'edited']);
    expect(versions[0]?.entry.body).toBe(TRAVEL_ANSWER);
    expect((await s.learning.restoreEntry('kb-travel', 1, 'omar')).body).toBe(TRAVEL_ANSWER);
  });

  it('names the file, line and field of a damaged history line, and loads the rest', async () => {
    const dataDir = await tempFolder('vigil-review-');
    const s = await service(dataDir);
    await s.learnFromClosedTicket(closedTicket('T-1', 'My card is declined when I pay abroad', TRAVEL_ANSWER), 'auto');
    await s.close();
    open.pop();
    const { appendFile } = await import('node:fs/promises');
    await appendFile(join(dataDir, 'learn', 'history.jsonl'), '{"entryId":"x","version":"one"}\n');
    const { EntryHistory } = await import('../../../core/knowledge/entryHistory');
    const history = await EntryHistory.open(dataDir);
    expect(history.issues).toHaveLength(1);
    expect(history.issues[0]).toMatchObject({ line: 3, field: 'version' });
    expect(history.issues[0]?.file).toMatch(/learn\/history\.jsonl$/);
    expect(history.versions('qa-T-1')).toHaveLength(1);
    const warnings: string[] = [];
    const reopened = await CopilotService.open({ dataDir, onProgress: (m) => warnings.push(m) });
    open.push(reopened);
    expect(warnings).toEqual([expect.stringMatching(/^Skipped a damaged line \(the rest was loaded\): .*learn\/history\.jsonl:3: version: /)]);
    expect(reopened.learning.entryHistory('qa-T-1')).toHaveLength(1);
  });
});

describe('the entry history under concurrent changes', () => {
  it('numbers versions without gaps or collisions when changes arrive at once', async () => {
    const { EntryHistory } = await import('../../../core/knowledge/entryHistory');
    const dataDir = await tempFolder('vigil-history-');
    const history = await EntryHistory.open(dataDir);
    const entry = { id: 'qa-1', kind: 'qa' as const, body: 'Lower the tunnel MTU to 1380.', status: 'approved' as const, provenance: { sourceTicketIds: ['T-1'], createdAt: '2026-03-01T00:00:00Z' } };
    await Promise.all(Array.from({ length: 6 }, (_, i) => history.record('edited', { ...entry, body: `answer ${i}` }, 'maria')));
    expect(history.versions('qa-1').map((v) => v.version)).toEqual([1, 2, 3, 4, 5, 6]);
    await history.close();
    const reopened = await EntryHistory.open(dataDir);
    expect(reopened.versions('qa-1').map((v) => `${v.version}:${v.entry.body}`)).toEqual(['1:answer 0', '2:answer 1', '3:answer 2', '4:answer 3', '5:answer 4', '6:answer 5']);
    await reopened.close();
  });
});
