/**
 * Child process for the crash-safety tests: does one long piece of work and prints a line for each step that is
 * acknowledged (durable), until the test kills it with SIGKILL.
 *   node --import tsx test/core/privacy/crashChild.ts ingest|learn|reindex DATA_DIR [FILE]
 */
import { CopilotService } from '../../../core/app/copilotService';
import { HashedEmbedder } from '../../../core/embed/hashedEmbedder';

const [mode, dataDir, file] = process.argv.slice(2);

if (mode === 'ingest') {
  const service = await CopilotService.open({ dataDir: dataDir! });
  await service.importEntries(file!, (imported) => process.stdout.write(`${imported}\n`));
} else if (mode === 'learn') {
  const service = await CopilotService.open({ dataDir: dataDir! });
  for (let i = 0; i < 100_000; i++) {
    const ticket = {
      id: `C-${i}`,
      status: 'closed' as const,
      messages: [
        { id: '1', author: 'customer' as const, text: `My printer number ${i} shows offline after the update.` },
        { id: '2', author: 'analyst' as const, text: `Re-add printer ${i} by its IP address; that fixes it.` },
      ],
      resolution: `Re-add printer ${i} by its IP address after the firmware update.`,
    };
    const learned = await service.learnFromClosedTicket(ticket, 'auto');
    process.stdout.write(`${JSON.stringify(learned.entryIds)}\n`);
  }
} else if (mode === 'reindex') {
  // Opening with another embedder re-embeds every entry into a new table before switching to it ('wait': before
  // open resolves, as the CLI does, so the kill lands in the middle of it).
  await CopilotService.open({ dataDir: dataDir!, embedder: new HashedEmbedder({ dimensions: 256 }), reindex: 'wait', onProgress: (m) => process.stdout.write(`${m}\n`) });
  process.stdout.write('done\n');
}
