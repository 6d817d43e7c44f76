/**
 * ABCD (Action-Based Conversations Dataset, Chen et al., NAACL 2021; MIT), read from ../shared/data/abcd: an
 * online clothing retailer's agent guidelines (10 flows, 55 subflows) and three full customer–agent dialogues.
 * The guidelines become one knowledge article per subflow; the dialogues become tickets to replay.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Entry, Message, Ticket } from '../../core/formats/schemas';

export const ABCD_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/data/abcd');

/** One step of a guideline subflow, as `guidelines.json` holds it. */
export interface GuidelineAction {
  button?: string;
  text: string;
  subtext?: string[];
}
/** `guidelines.json`: flows, each with its subflows' instructions and steps. */
export type Guidelines = Record<string, { description: string; subflows: Record<string, { instructions?: string[]; actions: GuidelineAction[] }> }>;
/** One dialogue of `abcd_sample.json`. */
export interface Dialogue {
  convo_id: number;
  scenario: { flow: string; subflow: string };
  original: [string, string][];
}

/** An id-safe form of a flow or subflow name. */
export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/** One article per subflow: its steps, in order, with their explanations. */
export function abcdArticles(dir: string = ABCD_DIR): Entry[] {
  const guidelines = JSON.parse(readFileSync(join(dir, 'guidelines.json'), 'utf8')) as Guidelines;
  return Object.entries(guidelines).flatMap(([flow, { description, subflows }]) =>
    Object.entries(subflows).map(([subflow, { instructions = [], actions }]) => ({
      id: `abcd-${slug(subflow)}`,
      kind: 'article' as const,
      title: `${subflow} (${flow}: ${description})`,
      body: [
        ...instructions,
        ...actions.map((a, i) => [`${i + 1}. ${a.text}`, ...(a.subtext ?? []).map((s) => `   - ${s}`)].join('\n')),
      ].join('\n'),
      tags: [slug(flow)],
      source: { type: 'import' as const, ref: 'abcd/guidelines.json' },
    })),
  );
}

/** The sample dialogues as closed tickets: customer turns, agent turns as the analyst's, actions as system notes. */
export function abcdTickets(dir: string = ABCD_DIR): Ticket[] {
  const dialogues = JSON.parse(readFileSync(join(dir, 'abcd_sample.json'), 'utf8')) as Dialogue[];
  const authors: Record<string, Message['author']> = { customer: 'customer', agent: 'analyst', action: 'system' };
  return dialogues.map((d) => ({
    id: `abcd-${d.convo_id}`,
    status: 'closed' as const,
    tags: [d.scenario.flow, d.scenario.subflow],
    messages: d.original.map(([speaker, text], i) => ({ id: String(i + 1), author: authors[speaker] ?? 'system', text })),
  }));
}
