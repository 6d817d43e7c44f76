/** The sample team shipped in samples/abcd-team: its files and its tickets, read as the engine reads them. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TicketSchema, type Ticket } from '../../core/formats/schemas';

/** The folder the sample team lives in (knowledge.jsonl, tickets.jsonl, LICENSE, README.md). */
export const SAMPLE_TEAM_DIR = join(import.meta.dirname, '..', '..', 'samples', 'abcd-team');

/** The sample team's files, its tickets and how many articles its knowledge holds. */
export async function sampleTeam(): Promise<{ knowledgeFile: string; ticketsFile: string; tickets: Ticket[]; articles: number }> {
  const knowledgeFile = join(SAMPLE_TEAM_DIR, 'knowledge.jsonl');
  const ticketsFile = join(SAMPLE_TEAM_DIR, 'tickets.jsonl');
  const lines = (text: string): string[] => text.split('\n').filter((l) => l.trim());
  const tickets = lines(await readFile(ticketsFile, 'utf8')).map((l) => TicketSchema.parse(JSON.parse(l)));
  const articles = lines(await readFile(knowledgeFile, 'utf8')).length;
  return { knowledgeFile, ticketsFile, tickets, articles };
}
