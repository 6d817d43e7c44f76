/**
 * DSTC11 Track 5 validation split (Zhao et al., SIGDIAL 2023; CDLA-Sharing 1.0), read from ../shared/data/dstc11:
 * 4,173 partial hotel and restaurant conversations, each ending on a user turn that does or does not need outside
 * knowledge, with the FAQ answers and review sentences that answer it.
 *
 * For replay every FAQ becomes a `qa` entry (question and answer) and every review sentence an `article` entry, each
 * titled with its entity's name, so that an entry is "of its entity"; the user is the customer and the system the
 * analyst. Conversations are split into two parts by their opening user turn (the same opening is continued into
 * several conversations), so that nothing fitted on one part has seen the other.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Entry, Ticket } from '../../core/formats/schemas';

export const DSTC11_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/data/dstc11');

interface Knowledge {
  [domain: string]: Record<string, { name: string; faqs?: Record<string, { question: string; answer: string }>; reviews?: Record<string, { sentences: Record<string, string> }> }>;
}
interface Turn {
  speaker: 'U' | 'S';
  text: string;
}
interface Label {
  target: boolean;
  knowledge?: { domain: string; entity_id: number; doc_type: 'faq' | 'review'; doc_id: number; sent_id?: number }[];
}

/** One conversation to replay, with what its last user turn needs. */
export interface Dstc11Conversation {
  ticket: Ticket;
  /** Does the last user turn need outside knowledge? */
  target: boolean;
  /** `domain-entity` of the labelled snippets (one entity per turn in this split), or null. */
  entity: string | null;
  /** Entry ids of the labelled snippets. */
  snippets: string[];
  /** Which half of the split, by opening turn. */
  part: 'fit' | 'held-out';
}

/** Entry id of a FAQ or review sentence. */
export function dstc11EntryId(domain: string, entity: number | string, docType: 'faq' | 'review', docId: number | string, sentId?: number | string): string {
  return docType === 'faq' ? `dstc-${domain}-${entity}-faq-${docId}` : `dstc-${domain}-${entity}-review-${docId}-${sentId ?? 0}`;
}

/** The entity an entry id belongs to (`hotel-20`), or null for another data set's id. */
export function dstc11EntityOf(entryId: string): string | null {
  const m = /^dstc-(\w+)-(\d+)-/.exec(entryId);
  return m ? `${m[1]}-${m[2]}` : null;
}

/** Every FAQ and review sentence as a knowledge entry of its entity. */
export function dstc11Entries(dir: string = DSTC11_DIR): Entry[] {
  const knowledge = JSON.parse(readFileSync(join(dir, 'knowledge.json'), 'utf8')) as Knowledge;
  const entries: Entry[] = [];
  for (const [domain, entities] of Object.entries(knowledge)) {
    for (const [entityId, entity] of Object.entries(entities)) {
      const source = { type: 'import' as const, ref: 'dstc11/knowledge.json' };
      for (const [docId, faq] of Object.entries(entity.faqs ?? {})) {
        entries.push({ id: dstc11EntryId(domain, entityId, 'faq', docId), kind: 'qa', title: entity.name, question: faq.question, body: faq.answer, tags: [domain], source });
      }
      for (const [docId, review] of Object.entries(entity.reviews ?? {})) {
        for (const [sentId, sentence] of Object.entries(review.sentences)) {
          entries.push({ id: dstc11EntryId(domain, entityId, 'review', docId, sentId), kind: 'article', title: `${entity.name} (review)`, body: sentence, tags: [domain], source });
        }
      }
    }
  }
  return entries;
}

/** FNV-1a, for a split that is the same on every machine. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The part a conversation belongs to, from its opening user turn: about half each. */
export function dstc11PartOf(opening: string): 'fit' | 'held-out' {
  return hash(opening.trim().toLowerCase()) % 2 === 0 ? 'fit' : 'held-out';
}

/** The validation conversations as open tickets (nothing is learned from them), with their labels. */
export function dstc11Conversations(dir: string = DSTC11_DIR): Dstc11Conversation[] {
  const logs = JSON.parse(readFileSync(join(dir, 'val/logs.json'), 'utf8')) as Turn[][];
  const labels = JSON.parse(readFileSync(join(dir, 'val/labels.json'), 'utf8')) as Label[];
  if (logs.length !== labels.length) throw new Error(`dstc11: ${logs.length} logs but ${labels.length} labels`);
  return logs.map((turns, i) => {
    const label = labels[i] as Label;
    const snippets = (label.knowledge ?? []).map((k) => dstc11EntryId(k.domain, k.entity_id, k.doc_type, k.doc_id, k.sent_id));
    const first = label.knowledge?.[0];
    return {
      ticket: {
        id: `dstc-${i}`,
        status: 'open' as const,
        messages: turns.map((t, j) => ({ id: String(j + 1), author: t.speaker === 'U' ? ('customer' as const) : ('analyst' as const), text: t.text })),
      },
      target: label.target,
      entity: first ? `${first.domain}-${first.entity_id}` : null,
      snippets,
      part: dstc11PartOf(turns[0]?.text ?? ''),
    };
  });
}
