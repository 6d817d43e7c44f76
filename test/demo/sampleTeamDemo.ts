/**
 * `npm run demo`: five minutes to value from a plain clone. Replays the sample team that ships in
 * samples/abcd-team (16 articles of an online shop's agent guidelines, from the ABCD data set, MIT; and six
 * tickets written for it) through the engine, message by message, and prints each decision as the analyst would
 * see it: the suggestion's text and what it cites, or why Vigil stayed silent. Closed tickets are learned from,
 * so the last ticket gets the answer an analyst gave on an earlier one.
 *
 *   npm run demo
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runReplay } from '../../core/app/replay';
import { describeForAnalyst } from '../../core/cli/analystView';
import { sampleTeam } from './sampleTeam';

const team = await sampleTeam();
const dir = await mkdtemp(join(tmpdir(), 'vigil-demo-'));
try {
  let current = '';
  const summary = await runReplay({
    tickets: team.ticketsFile,
    knowledge: [team.knowledgeFile],
    out: join(dir, 'suggestions.jsonl'),
    onDecision: (s) => {
      const ticket = team.tickets.find((t) => t.id === s.ticketId);
      if (s.ticketId !== current) {
        current = s.ticketId;
        process.stdout.write(`\n${s.ticketId}  ${ticket?.subject ?? ''}\n`);
      }
      const said = ticket?.messages.find((m) => m.id === s.afterMessageId)?.text ?? '';
      process.stdout.write(`${describeForAnalyst(s, said).join('\n')}\n`);
    },
  });
  process.stdout.write(
    `\n${team.articles} articles imported; ${summary.customerMessages} customer messages, ${summary.shown} suggestions shown, ` +
      `${summary.suppressed} kept back; ${summary.entriesLearned} entries learned from ${summary.ticketsLearnedFrom} closed tickets.\n` +
      `Next: import your own knowledge (README, "Try it").\n`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
