/**
 * `vigil kb review`, `vigil kb history` and `vigil kb restore`: the review queue and entry history from the
 * command line. Interactively, each proposed entry takes one key press: a(pprove), e(dit), r(eject), s(kip),
 * q(uit). The same operations exist as plain subcommands for scripts.
 */
import { createInterface } from 'node:readline';
import { emitKeypressEvents } from 'node:readline';
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { errorMessage } from '../formats/errorMessage';
import { withService } from './withService';
import type { CopilotService } from '../app/copilotService';
import type { ReviewItem } from '../learn/reviewQueue';
import { usageMessage } from './usage';

export const REVIEW_USAGE = `  vigil kb review [--as NAME] [--list] [--data-dir DIR]      one key per proposed entry: a approve, e edit, r reject, s skip, q quit
  vigil kb review approve|reject ID [--as NAME] [--reason TEXT] [--data-dir DIR]
  vigil kb review edit ID [--question TEXT] [--answer TEXT] [--as NAME] [--data-dir DIR]
  vigil kb history ID [--json] [--data-dir DIR]
  vigil kb restore ID VERSION [--as NAME] [--data-dir DIR]`;

type Out = { log: (line: string) => void; error: (line: string) => void };

/** Where the interactive review reads its key presses and edited lines. */
export interface ReviewInput {
  /** One key press (a single character, lower-cased). */
  key(prompt: string): Promise<string>;
  /** One line of text (empty keeps the current value). */
  line(prompt: string): Promise<string>;
  close(): void;
}

/** Key presses from a terminal in raw mode; lines through readline. */
export function terminalInput(): ReviewInput {
  const stdin = process.stdin;
  return {
    key(prompt) {
      process.stdout.write(prompt);
      emitKeypressEvents(stdin);
      if (stdin.isTTY) stdin.setRawMode(true);
      stdin.resume();
      return new Promise((resolve) => {
        stdin.once('keypress', (str: string | undefined, key: { ctrl?: boolean; name?: string } | undefined) => {
          if (stdin.isTTY) stdin.setRawMode(false);
          stdin.pause();
          process.stdout.write('\n');
          resolve(key?.ctrl && key.name === 'c' ? 'q' : (str ?? '').toLowerCase());
        });
      });
    },
    async line(prompt) {
      const rl = createInterface({ input: stdin, output: process.stdout });
      try {
        return await new Promise<string>((resolve) => rl.question(prompt, resolve));
      } finally {
        rl.close();
      }
    },
    close() {
      stdin.pause();
    },
  };
}

class ReviewUsage extends Error {}

function parse<const O extends ParseArgsOptionsConfig>(args: string[], options: O) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new ReviewUsage(errorMessage(err));
  }
}

function actorOf(value: string | undefined): string {
  return value?.trim() || process.env['USER'] || process.env['USERNAME'] || 'analyst';
}

function oneLine(text: string | null, max = 160): string {
  const flat = (text ?? '').replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

function describeItem(item: ReviewItem, index: number, total: number): string[] {
  const flags = [
    `confidence ${item.confidence.toFixed(2)}`,
    `from ${item.sourceTicketIds.join(', ') || 'no ticket'}`,
    ...(item.conflictsWith ? [`CONFLICTS with ${item.conflictsWith}`] : item.reason ? [item.reason] : []),
  ];
  return [
    `[${index + 1}/${total}] ${item.id} (${item.kind}; ${flags.join('; ')})`,
    // A learned question is the ticket's subject, then the customer's words, one per line: keep them apart.
    `  Q: ${oneLine((item.question ?? item.title ?? '').split('\n').filter((line) => line.trim()).join(' — '))}`,
    `  A: ${oneLine(item.answer, 400)}`,
  ];
}

/** An entry of the queue; a conflict is shown beside the entry it contradicts, so the analyst can choose. */
async function showItem(service: CopilotService, item: ReviewItem, index: number, total: number, out: Out): Promise<void> {
  describeItem(item, index, total).forEach((l) => out.log(l));
  if (!item.conflictsWith) return;
  const existing = (await service.getEntries([item.conflictsWith])).get(item.conflictsWith);
  if (existing) out.log(`  existing ${existing.id} [${existing.status}] A: ${oneLine(existing.body, 400)}`);
}

async function interactiveReview(service: CopilotService, actor: string, out: Out, input: ReviewInput): Promise<void> {
  const queue = await service.learning.reviewQueue();
  const counts = { approved: 0, edited: 0, rejected: 0, skipped: 0 };
  try {
    for (const [index, item] of queue.entries()) {
      await showItem(service, item, index, queue.length, out);
      let done = false;
      while (!done) {
        const key = await input.key('  a approve · e edit · r reject · s skip · q quit > ');
        done = true;
        if (key === 'a') {
          await service.learning.approveEntry(item.id, actor);
          counts.approved++;
          out.log(`  approved ${item.id}`);
        } else if (key === 'e') {
          const question = await input.line(`  question [${oneLine(item.question, 60)}]: `);
          const answer = await input.line(`  answer [${oneLine(item.answer, 60)}]: `);
          try {
            await service.learning.editEntry(item.id, { ...(question.trim() ? { question } : {}), ...(answer.trim() ? { answer } : {}) }, actor);
            counts.edited++;
            out.log(`  edited and approved ${item.id}`);
          } catch (err) {
            out.error(`  ${errorMessage(err)}`);
            done = false;
          }
        } else if (key === 'r') {
          await service.learning.rejectEntry(item.id, actor);
          counts.rejected++;
          out.log(`  rejected ${item.id} (restore it with \`vigil kb history ${item.id}\` and \`vigil kb restore\`)`);
        } else if (key === 's') {
          counts.skipped++;
        } else if (key === 'q') {
          out.log(`stopped: ${queue.length - index} entries left in the queue`);
          return;
        } else {
          done = false;
        }
      }
    }
  } finally {
    input.close();
    out.log(`approved ${counts.approved}, edited ${counts.edited}, rejected ${counts.rejected}, skipped ${counts.skipped}`);
  }
}

/**
 * Runs `kb review`, `kb history` or `kb restore` (`sub`) with its arguments; returns the exit code.
 * `input` is where key presses come from (the terminal by default).
 */
export async function reviewCommand(sub: 'review' | 'history' | 'restore', args: string[], out: Out, input?: ReviewInput): Promise<number> {
  try {
    if (sub === 'history') {
      const { values, positionals } = parse(args, { json: { type: 'boolean', default: false }, 'data-dir': { type: 'string' } });
      const [id] = positionals;
      if (!id || positionals.length > 1) throw new ReviewUsage('kb history needs one entry ID');
      return await withService(values['data-dir'], out, async (service) => {
        const versions = service.learning.entryHistory(id);
        if (versions.length === 0) {
          out.error(`vigil: entry ${id} has no history (it was never learned, reviewed or changed here)`);
          return 1;
        }
        for (const v of versions) {
          if (values.json) out.log(JSON.stringify(v));
          else {
            out.log(`v${v.version}  ${v.at}  ${v.action.padEnd(8)} by ${v.actor}  [${v.entry.status}]${v.restoredFrom ? ` from v${v.restoredFrom}` : ''}${v.note ? `  ${v.note}` : ''}`);
            out.log(`      sources: ${v.entry.provenance.sourceTicketIds.join(', ') || '-'}  A: ${oneLine(v.entry.body, 100)}`);
          }
        }
        return 0;
      });
    }
    if (sub === 'restore') {
      const { values, positionals } = parse(args, { as: { type: 'string' }, 'data-dir': { type: 'string' } });
      const [id, versionText] = positionals;
      const version = Number(versionText);
      if (!id || !versionText || positionals.length > 2) throw new ReviewUsage('kb restore needs an entry ID and a VERSION');
      if (!Number.isInteger(version) || version < 1) throw new ReviewUsage(`VERSION must be a whole number from 1 (got "${versionText}")`);
      return await withService(values['data-dir'], out, async (service) => {
        const restored = await service.learning.restoreEntry(id, version, actorOf(values.as));
        out.log(`restored ${id} to version ${version} (${restored.status}); this is version ${service.learning.entryHistory(id).length}`);
        return 0;
      });
    }

    const [action, ...rest] = args;
    if (action === 'approve' || action === 'reject' || action === 'edit') {
      const { values, positionals } = parse(rest, {
        as: { type: 'string' },
        reason: { type: 'string' },
        question: { type: 'string' },
        answer: { type: 'string' },
        'data-dir': { type: 'string' },
      });
      const [id] = positionals;
      if (!id || positionals.length > 1) throw new ReviewUsage(`kb review ${action} needs one entry ID`);
      if (action === 'edit' && values.question === undefined && values.answer === undefined) {
        throw new ReviewUsage('kb review edit needs --question and/or --answer');
      }
      const actor = actorOf(values.as);
      return await withService(values['data-dir'], out, async (service) => {
        if (action === 'approve') await service.learning.approveEntry(id, actor);
        else if (action === 'reject') await service.learning.rejectEntry(id, actor, values.reason);
        else {
          await service.learning.editEntry(id, { ...(values.question !== undefined ? { question: values.question } : {}), ...(values.answer !== undefined ? { answer: values.answer } : {}) }, actor);
        }
        out.log(`${action === 'edit' ? 'edited and approved' : `${action}d`} ${id}`);
        return 0;
      });
    }

    const { values, positionals } = parse(args, { as: { type: 'string' }, list: { type: 'boolean', default: false }, 'data-dir': { type: 'string' } });
    if (positionals.length > 0) throw new ReviewUsage(`unknown kb review action "${positionals[0]}" (use approve, edit or reject)`);
    return await withService(values['data-dir'], out, async (service) => {
      const interactive = !values.list && (input !== undefined || Boolean(process.stdin.isTTY));
      if (interactive) {
        await interactiveReview(service, actorOf(values.as), out, input ?? terminalInput());
        return 0;
      }
      const queue = await service.learning.reviewQueue();
      if (queue.length === 0) out.log('the review queue is empty');
      for (const [i, item] of queue.entries()) await showItem(service, item, i, queue.length, out);
      return 0;
    });
  } catch (err) {
    if (err instanceof ReviewUsage) {
      out.error(usageMessage('vigil', err.message));
      return 2;
    }
    throw err;
  }
}
