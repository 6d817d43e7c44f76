/**
 * BANKING77 (Casanueva et al., 2020; CC BY 4.0), read from ../shared/data/banking77 as the data README says:
 * customer queries labelled with one of 77 intents. For replay the train set becomes closed tickets whose
 * resolution is the intent (the dataset has no resolution text), and the test set becomes new tickets.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Ticket } from '../../core/formats/schemas';

export const BANKING77_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/data/banking77');

export interface LabelledQuery {
  text: string;
  intent: string;
}

/** Parses the dataset's two-column CSV (`text,category`, RFC 4180: quoted fields may hold commas, quotes and newlines). */
export function parseBanking77Csv(content: string): LabelledQuery[] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < content.length; i++) {
    const ch = content[i] as string;
    if (quoted) {
      if (ch === '"' && content[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && content[i + 1] === '\n') i++;
      record.push(field);
      if (record.some((f) => f !== '')) records.push(record);
      record = [];
      field = '';
    } else field += ch;
  }
  record.push(field);
  if (record.some((f) => f !== '')) records.push(record);
  return records.slice(1).map((r) => ({ text: r[0] ?? '', intent: (r[1] ?? '').trim() }));
}

export function loadBanking77(split: 'train' | 'test', dir: string = BANKING77_DIR): LabelledQuery[] {
  return parseBanking77Csv(readFileSync(join(dir, `${split}.csv`), 'utf8'));
}

/** A labelled query as a one-message ticket; closed ones carry the intent as their resolution. */
export function toTicket(query: LabelledQuery, id: string, closed: boolean): Ticket {
  const at = '2026-01-01T00:00:00Z';
  return {
    id,
    status: closed ? 'closed' : 'open',
    messages: [{ id: '1', author: 'customer', text: query.text, at }],
    ...(closed ? { resolution: query.intent } : {}),
  };
}

/** Deterministic numbers in [0, 1) (mulberry32), so benchmark draws are the same on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Deterministic shuffle (`seededRandom`), so benchmark slices are the same on every machine. */
export function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  const next = seededRandom(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** A stratified slice: the first `perIntent` queries of each of `intents` intents (in the shuffled order). */
export function slicePerIntent(queries: readonly LabelledQuery[], intents: readonly string[], perIntent: number): LabelledQuery[] {
  const wanted = new Set(intents);
  const counts = new Map<string, number>();
  return queries.filter((q) => {
    if (!wanted.has(q.intent)) return false;
    const n = counts.get(q.intent) ?? 0;
    if (n >= perIntent) return false;
    counts.set(q.intent, n + 1);
    return true;
  });
}
