import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { CopilotService } from '../../../core/app/copilotService';
import { writePrivacySettings } from '../../../core/privacy/privacySettings';
import { redactTicket } from '../../../core/privacy/redaction';
import { thread } from '../../fixtures/tickets';

const ticket = thread(
  { id: 'T-7', status: 'closed', subject: 'Refund for Jonas Berger', requester: 'Jonas Berger', resolution: 'Refunded the duplicate charge to the card; it arrives within 5 working days.' },
  'Hi, Jonas here (jonas.berger@example.de). My card 5555 5555 5555 4444 was charged twice for the same order.',
  'Refunded the duplicate charge; it reaches the card in 5 working days.',
);

describe('redaction before storage', () => {
  it('redacts every text field of a ticket, the requester included, and keeps ids', () => {
    const { ticket: clean, counts } = redactTicket(ticket);
    expect(clean.subject).toBe('Refund for [NAME]');
    expect(clean.messages[0]?.text).toBe('Hi, [NAME] here ([EMAIL]). My card [CARD] was charged twice for the same order.');
    expect(clean.messages.map((m) => m.id)).toEqual(['1', '2']);
    expect(counts).toMatchObject({ name: 2, email: 1, card: 1 });
    expect(ticket.messages[0]?.text).toContain('jonas.berger@example.de'); // the original is untouched
  });

  it('learns without storing personal data when the team turns it on', async () => {
    for (const redactBeforeStorage of [false, true]) {
      const service = await CopilotService.open({ dataDir: await tempFolder('vigil-redact-store-'), redactBeforeStorage });
      try {
        const learned = await service.learnFromClosedTicket(ticket, 'auto');
        const stored = JSON.stringify([...(await service.getEntries(learned.entryIds)).values()]);
        // The learner's own cleaning drops e-mail addresses and long numbers, but not names or grouped card numbers.
        expect(stored).not.toContain('jonas.berger@example.de');
        expect(stored.includes('Jonas Berger')).toBe(!redactBeforeStorage);
        expect(stored.includes('5555 5555 5555 4444')).toBe(!redactBeforeStorage);
        if (redactBeforeStorage) expect(stored).toMatch(/\[NAME\][\s\S]*\[CARD\]/);
        expect(learned.entryIds).toEqual(['case-T-7', 'qa-T-7']);
      } finally {
        await service.close();
      }
    }
  });

  it('follows the data folder\'s setting when not told, so `vigil watch` learns as the app does', async () => {
    const dataDir = await tempFolder('vigil-redact-setting-');
    await writePrivacySettings(dataDir, { redactBeforeStorage: true });
    const service = await CopilotService.open({ dataDir });
    try {
      const learned = await service.learnFromClosedTicket(ticket, 'auto');
      const stored = JSON.stringify([...(await service.getEntries(learned.entryIds)).values()]);
      expect(stored).not.toContain('Jonas Berger');
      expect(stored).toMatch(/\[NAME\][\s\S]*\[CARD\]/);
    } finally {
      await service.close();
    }
  });

  it('refuses to open on a damaged setting, naming it, rather than learn unredacted', async () => {
    const dataDir = await tempFolder('vigil-redact-setting-');
    await writeFile(join(dataDir, 'settings.json'), JSON.stringify({ privacy: { redactBeforeStorage: 'yes' } }));
    await expect(CopilotService.open({ dataDir })).rejects.toThrow(/settings\.json.*privacy.*redactBeforeStorage/s);
  });
});
