/** The sample team shipped in samples/abcd-team: its files and its tickets, read as the engine reads them. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EntrySchema, TicketSchema, type Entry, type Ticket } from '../../core/formats/schemas';

/** The folder the sample team lives in (knowledge.jsonl, tickets.jsonl, LICENSE, README.md). */
export const SAMPLE_TEAM_DIR = join(import.meta.dirname, '..', '..', 'samples', 'abcd-team');

/**
 * The entries that answer each sample ticket's problem (read from the tickets and articles by hand): SHOP-106 is
 * answered by what the analyst did on SHOP-103, learned when that ticket closed.
 */
export const SAMPLE_TEAM_RIGHT_ANSWERS: Readonly<Record<string, readonly string[]>> = {
  'SHOP-101': ['abcd-recover-password'],
  'SHOP-102': ['abcd-promo-code-invalid', 'abcd-promo-code-out-of-date'],
  'SHOP-103': ['abcd-cart-not-updating'],
  'SHOP-104': ['abcd-return-due-to-size'],
  'SHOP-105': ['abcd-manage-change-address'],
  'SHOP-106': ['qa-SHOP-103', 'case-SHOP-103', 'abcd-cart-not-updating'],
};

/** The sample team's files, its tickets, its knowledge entries and how many articles they are. */
export async function sampleTeam(): Promise<{ knowledgeFile: string; ticketsFile: string; tickets: Ticket[]; entries: Entry[]; articles: number }> {
  const knowledgeFile = join(SAMPLE_TEAM_DIR, 'knowledge.jsonl');
  const ticketsFile = join(SAMPLE_TEAM_DIR, 'tickets.jsonl');
  const lines = (text: string): string[] => text.split('\n').filter((l) => l.trim());
  const tickets = lines(await readFile(ticketsFile, 'utf8')).map((l) => TicketSchema.parse(JSON.parse(l)));
  const entries = lines(await readFile(knowledgeFile, 'utf8')).map((l) => EntrySchema.parse(JSON.parse(l)));
  return { knowledgeFile, ticketsFile, tickets, entries, articles: entries.length };
}
