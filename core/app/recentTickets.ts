/**
 * The desk's recent tickets, for testing a rule on what the team actually saw: the latest snapshot of each ticket
 * in the desk journal (`desk/journal.jsonl`, core/app/deskJournal.ts), most recently changed last. Damaged lines
 * are reported and skipped; nothing is written.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { RecordSchema } from './deskJournal';
import { readJsonl, type LineIssue } from '../formats/jsonl';
import type { Ticket } from '../formats/schemas';

/** A rule test over the last 200 tickets reads in well under a second with the built-in embedder. */
export const RECENT_TICKETS = 200;

/** The last `limit` tickets the desk journal knows, each as last seen, oldest first. */
export async function recentDeskTickets(dataDir: string, limit = RECENT_TICKETS, onIssue?: (issue: LineIssue) => void): Promise<Ticket[]> {
  const file = join(dataDir, 'desk', 'journal.jsonl');
  if (!existsSync(file)) return [];
  const latest = new Map<string, Ticket>();
  for await (const { value } of readJsonl(file, RecordSchema, onIssue ?? (() => undefined))) {
    if (value.t !== 'event') continue;
    latest.delete(value.ticket.id); // re-inserted last: the map's order is the order of the latest change
    latest.set(value.ticket.id, value.ticket);
  }
  return [...latest.values()].slice(-limit);
}
