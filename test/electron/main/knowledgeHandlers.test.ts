import type { IpcMainInvokeEvent } from 'electron';
import { describe, expect, it } from 'vitest';
import { createKnowledgeHandlers } from '../../../electron/main/knowledgeHandlers';
import { ServiceHost } from '../../../electron/main/serviceHost';
import { fakeDesktopService } from './fakeDesktopService';

const event = {} as IpcMainInvokeEvent;


describe('the knowledge browser handlers', () => {
  it('hands each request to the workspace, naming the signed-in user as the one who changed an entry', async () => {
    const service = fakeDesktopService();
    const handlers = createKnowledgeHandlers(new ServiceHost(async () => service), () => 'maria');
    await handlers.listEntries({ status: 'approved', offset: 50 }, event);
    expect(service.knowledge.listEntries).toHaveBeenCalledWith({ status: 'approved', offset: 50 });
    await expect(handlers.entryDetail({ entryId: 'qa-1' }, event)).resolves.toBeNull();
    await handlers.editEntry({ entryId: 'qa-1', patch: { answer: 'Do X.' } }, event);
    expect(service.knowledge.reviseEntry).toHaveBeenCalledWith('qa-1', { answer: 'Do X.' }, 'maria');
    await handlers.setEntryStatus({ entryId: 'qa-1', status: 'retired', reason: 'outdated' }, event);
    expect(service.knowledge.setEntryStatus).toHaveBeenCalledWith('qa-1', 'retired', 'maria', 'outdated');
    await handlers.restoreEntryVersion({ entryId: 'qa-1', version: 2 }, event);
    expect(service.knowledge.restoreEntryVersion).toHaveBeenCalledWith('qa-1', 2, 'maria');
  });
});
