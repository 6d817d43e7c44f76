/**
 * A headless demo on real data: imports the ABCD retailer's guidelines as 55 articles, replays its three sample
 * customer–agent dialogues message by message through `vigil replay`, and prints what the copilot would have
 * shown the agent, and when, as the agent would have seen it (core/cli/analystView.ts).
 *
 *   npm run demo
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runReplay } from '../../core/app/replay';
import { describeForAnalyst } from '../../core/cli/analystView';
import type { Suggestion } from '../../core/formats/schemas';
import { abcdArticles, abcdTickets } from '../bench/abcdData';

const dir = await mkdtemp(join(tmpdir(), 'vigil-demo-'));
try {
  const knowledge = join(dir, 'abcd-articles.jsonl');
  const tickets = join(dir, 'abcd-tickets.jsonl');
  const articles = abcdArticles();
  const dialogues = abcdTickets();
  await writeFile(knowledge, `${articles.map((a) => JSON.stringify(a)).join('\n')}\n`);
  await writeFile(tickets, `${dialogues.map((t) => JSON.stringify(t)).join('\n')}\n`);
  const texts = new Map(dialogues.flatMap((t) => t.messages.map((m) => [`${t.id}/${m.id}`, m.text] as const)));
  const summary = await runReplay({
    tickets,
    knowledge: [knowledge],
    out: join(dir, 'suggestions.jsonl'),
    onDecision: (s: Suggestion) => {
      const said = texts.get(`${s.ticketId}/${s.afterMessageId}`) ?? '';
      console.log(`${s.ticketId} #${s.afterMessageId}\n${describeForAnalyst(s, said).join('\n')}`);
    },
  });
  console.log(`\n${articles.length} articles imported; ${summary.decisions} decisions, ${summary.shown} shown; ${summary.entriesLearned} entries learned from ${summary.ticketsLearnedFrom} closed dialogues.`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
