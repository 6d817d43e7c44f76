/**
 * Retrieval-only evaluation sets (queries → relevant entry ids) for the knowledge store's search, from three
 * public data sets with their licences (../shared/data/README.md):
 *
 * - **BANKING77** (CC BY 4.0): the 10,003 train queries as learned cases; the 3,080 test queries ask; relevant: the
 *   cases of the same intent.
 * - **ABCD** (MIT): one article per guideline subflow (55). Queries: (a) the guideline's own description of the
 *   customer's situation (its first instruction when it speaks of the customer, e.g. "The customer believes an extra
 *   charge has been added to their order."), which is then left out of the article so that the query is not a
 *   copy of indexed text; (b) the customer turns of the three sample dialogues, each turn with the customer's earlier
 *   ones. Relevant: the subflow's article.
 * - **ABCD steps** (MIT): the same articles, each step in turn left out of its article and asked as a query
 *   (an inverse cloze task, Lee et al., ACL 2019): in fold f, every article drops its step f (mod its number of
 *   steps), so each fold is its own store. Steps whose text another article also holds ("All chats in this flow
 *   start by asking the customer for their full name...") are not asked. Relevant: the article it came from.
 * - **DSTC11** validation (CDLA-Sharing 1.0): every FAQ as a Q&A entry and every review as an article whose
 *   paragraphs are its sentences, both titled with the entity's name; the 2,129 knowledge-seeking conversations
 *   ask (every turn, both speakers: the entity is often named by the agent several turns earlier). Relevant: the
 *   entries holding the labelled snippets; the (first) labelled entity is also reported.
 * - **Forum** (Stack Exchange dumps, CC BY-SA; kept outside the project, forumData.ts): 500 technical questions
 *   (title and body, long and noisy) ask; every kept solution (accepted answers, and the best answer of questions
 *   without one) is an untitled article. Relevant: the question's accepted answer.
 *
 * Each query belongs to the `fit` or the `report` part (seeded, by a key: intent-free for BANKING77, the
 * conversation's opening for DSTC11, so near-duplicate conversations stay on one side, the question for Forum).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Entry } from '../../core/formats/schemas';
import { slug, type Dialogue, type Guidelines } from './abcdData';
import { loadBanking77 } from './banking77Data';
import type { ForumCorpus } from './forumData';

const DATA = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/data');

export interface EvalQuery {
  text: string;
  /** Entry ids that answer the query (any of them counts). */
  relevant: ReadonlySet<string>;
  /** A coarser label reported beside (DSTC11: the entity), or null. */
  group: string | null;
  part: 'fit' | 'report';
}

export interface EvalSet {
  name: string;
  entries: Entry[];
  queries: EvalQuery[];
  /** Label of each entry for `group` (entity), when the set has one. */
  groupOf: Map<string, string>;
}

/** A stable 32-bit hash (FNV-1a) for seeded, key-based splits. */
function hash(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** The part a query belongs to, by its key. */
export function partOf(key: string): 'fit' | 'report' {
  return hash(key, 16) % 2 === 0 ? 'fit' : 'report';
}


/** BANKING77: train queries as cases, `limitQueries` test queries (all by default). */
export function banking77Set(limitQueries = Infinity): EvalSet {
  const train = loadBanking77('train');
  const entries: Entry[] = train.map((q, i) => ({ id: `b77-${i}`, kind: 'case', question: q.text, body: 'Resolved.' }));
  const byIntent = new Map<string, Set<string>>();
  train.forEach((q, i) => {
    const set = byIntent.get(q.intent) ?? new Set<string>();
    set.add(`b77-${i}`);
    byIntent.set(q.intent, set);
  });
  const queries = loadBanking77('test')
    .slice(0, limitQueries)
    .map((q) => ({ text: q.text, relevant: byIntent.get(q.intent) ?? new Set<string>(), group: null, part: partOf(q.text) }));
  return { name: 'BANKING77', entries, queries, groupOf: new Map() };
}


/** ABCD: 55 guideline articles without their situation sentence; situation and dialogue queries. */
export function abcdSet(): EvalSet {
  const dir = join(DATA, 'abcd');
  const guidelines = JSON.parse(readFileSync(join(dir, 'guidelines.json'), 'utf8')) as Guidelines;
  const ontology = JSON.parse(readFileSync(join(dir, 'ontology.json'), 'utf8')) as { intents: { flows: string[]; subflows: Record<string, string[]> } };
  const entries: Entry[] = [];
  const queries: EvalQuery[] = [];
  /** Ontology subflow key ("product_defect/return_size") → article id; both list a flow's subflows in the same order. */
  const articleOfKey = new Map<string, string>();
  for (const [flow, { description, subflows }] of Object.entries(guidelines)) {
    const flowKey = ontology.intents.flows.find((f) => slug(f) === slug(flow));
    Object.entries(subflows).forEach(([subflow, { instructions = [], actions }], index) => {
      const id = `abcd-${slug(subflow)}`;
      const key = flowKey ? ontology.intents.subflows[flowKey]?.[index] : undefined;
      if (flowKey && key) articleOfKey.set(`${flowKey}/${key}`, id);
      const [first = '', ...rest] = instructions;
      const situation = /customer|credit is missing/i.test(first) ? first : null;
      if (situation) queries.push({ text: situation, relevant: new Set([id]), group: null, part: partOf(id) });
      entries.push({
        id,
        kind: 'article',
        title: `${subflow} (${flow}: ${description})`,
        body: [
          ...(situation ? rest : instructions),
          ...actions.map((a, i) => [`${i + 1}. ${a.text}`, ...(a.subtext ?? []).map((s) => `   - ${s}`)].join('\n')),
        ].join('\n\n'),
      });
    });
  }
  const dialogues = JSON.parse(readFileSync(join(dir, 'abcd_sample.json'), 'utf8')) as Dialogue[];
  for (const d of dialogues) {
    const id = articleOfKey.get(`${d.scenario.flow}/${d.scenario.subflow.replace(/_\d+$/, '')}`);
    if (!id) throw new Error(`abcd_sample.json: dialogue ${d.convo_id} has subflow ${d.scenario.subflow}, which no guideline article matches.`);
    const said: string[] = [];
    for (const [speaker, text] of d.original) {
      if (speaker !== 'customer') continue;
      said.push(text);
      queries.push({ text: said.join('\n'), relevant: new Set([id]), group: null, part: partOf(`dialogue-${d.convo_id}`) });
    }
  }
  return { name: 'ABCD', entries, queries, groupOf: new Map() };
}

/** ABCD steps: `folds` stores, each with every article missing one of its steps, asked as the query. */
export function abcdStepSets(folds = 5): EvalSet[] {
  const guidelines = JSON.parse(readFileSync(join(DATA, 'abcd', 'guidelines.json'), 'utf8')) as Guidelines;
  const articles = Object.entries(guidelines).flatMap(([flow, { description, subflows }]) =>
    Object.entries(subflows).map(([subflow, { instructions = [], actions }]) => ({
      id: `abcd-${slug(subflow)}`,
      title: `${subflow} (${flow}: ${description})`,
      instructions,
      steps: actions.map((a) => [a.text, ...(a.subtext ?? []).map((t) => `   - ${t}`)].join('\n')),
    })),
  );
  const holders = new Map<string, number>();
  for (const a of articles) for (const step of new Set(a.steps)) holders.set(step, (holders.get(step) ?? 0) + 1);
  return Array.from({ length: folds }, (_, fold) => {
    const entries: Entry[] = [];
    const queries: EvalQuery[] = [];
    for (const a of articles) {
      const out = a.steps.length > 1 ? fold % a.steps.length : -1;
      const kept = a.steps.filter((_, i) => i !== out);
      const step = a.steps[out];
      // A fold asks each step once: articles with fewer steps than folds are asked only in the first folds.
      if (step !== undefined && fold < a.steps.length && holders.get(step) === 1) {
        queries.push({ text: step, relevant: new Set([a.id]), group: null, part: partOf(`${a.id}#${out}`) });
      }
      entries.push({
        id: a.id,
        kind: 'article',
        title: a.title,
        body: [...a.instructions, ...kept.map((t, i) => `${i + 1}. ${t}`)].join('\n\n'),
      });
    }
    return { name: 'ABCD steps', entries, queries, groupOf: new Map<string, string>() };
  });
}

interface Dstc11Entity {
  name: string;
  faqs: Record<string, { question: string; answer: string }>;
  reviews: Record<string, { sentences: Record<string, string> }>;
}
interface Dstc11Label {
  target: boolean;
  knowledge?: { domain: string; entity_id: number; doc_type: 'faq' | 'review'; doc_id: number }[];
}

/** DSTC11 validation: FAQs and reviews of the 143 entities; the knowledge-seeking conversations. */
export function dstc11Set(limitQueries = Infinity): EvalSet {
  const dir = join(DATA, 'dstc11');
  const knowledge = JSON.parse(readFileSync(join(dir, 'knowledge.json'), 'utf8')) as Record<string, Record<string, Dstc11Entity>>;
  const logs = JSON.parse(readFileSync(join(dir, 'val', 'logs.json'), 'utf8')) as { speaker: string; text: string }[][];
  const labels = JSON.parse(readFileSync(join(dir, 'val', 'labels.json'), 'utf8')) as Dstc11Label[];
  const entries: Entry[] = [];
  const groupOf = new Map<string, string>();
  for (const [domain, entities] of Object.entries(knowledge)) {
    for (const [entityId, entity] of Object.entries(entities)) {
      const group = `${domain}-${entityId}`;
      for (const [docId, faq] of Object.entries(entity.faqs)) {
        const id = `${group}-faq-${docId}`;
        entries.push({ id, kind: 'qa', title: entity.name, question: faq.question, body: faq.answer });
        groupOf.set(id, group);
      }
      for (const [docId, review] of Object.entries(entity.reviews)) {
        const id = `${group}-review-${docId}`;
        entries.push({ id, kind: 'article', title: `${entity.name}: a guest's review`, body: Object.values(review.sentences).join('\n\n') });
        groupOf.set(id, group);
      }
    }
  }
  const queries: EvalQuery[] = [];
  logs.forEach((log, i) => {
    const label = labels[i];
    if (!label?.target || !label.knowledge?.length || queries.length >= limitQueries) return;
    const relevant = new Set(label.knowledge.map((k) => `${k.domain}-${k.entity_id}-${k.doc_type}-${k.doc_id}`));
    const first = label.knowledge[0]!;
    queries.push({
      text: log.map((turn) => turn.text).join('\n'),
      relevant,
      group: `${first.domain}-${first.entity_id}`,
      part: partOf(log[0]?.text ?? String(i)),
    });
  });
  return { name: 'DSTC11', entries, queries, groupOf };
}

/** An entry id for a forum solution: `forum-<site>-<answer id>` (`iot`, `stackoverflow`, ...). */
export function forumEntryId(site: string, answerId: string): string {
  return `forum-${site.replace(/\.stackexchange\.com$|\.com$/, '')}-${answerId}`;
}

/**
 * Forum: `queries` questions that have an accepted answer (picked by a seeded hash of site and question id) ask with
 * their title and body; the store holds every solution of the file, up to `maxEntries` (the asked ones first), each
 * an untitled article. The answers are not titled with their question's title: the query is that question, so its
 * title in the entry would be the query's own words, a leak a team's knowledge base does not have (a learned Q&A
 * keeps an earlier customer's wording, not the new customer's). Relevant: the question's accepted answer.
 */
export function forumSet(corpus: ForumCorpus, queries = 500, maxEntries = 2000): EvalSet {
  const answerById = new Map(corpus.answers.map((a) => [`${a.site}#${a.id}`, a]));
  const asked = corpus.questions
    .filter((q) => q.acceptedAnswerId !== null && answerById.has(`${q.site}#${q.acceptedAnswerId}`))
    .map((q) => ({ q, order: hash(`${q.site}#${q.id}`, 29) }))
    .sort((a, b) => a.order - b.order || (a.q.site + a.q.id < b.q.site + b.q.id ? -1 : 1))
    .slice(0, queries)
    .map(({ q }) => q);
  const askedAnswers = new Set(asked.map((q) => `${q.site}#${q.acceptedAnswerId}`));
  const others = corpus.answers
    .filter((a) => !askedAnswers.has(`${a.site}#${a.id}`))
    .sort((a, b) => hash(`${a.site}#${a.id}`, 31) - hash(`${b.site}#${b.id}`, 31))
    .slice(0, Math.max(0, maxEntries - askedAnswers.size));
  const kept = new Set([...askedAnswers, ...others.map((a) => `${a.site}#${a.id}`)]);
  const entries: Entry[] = corpus.answers
    .filter((a) => kept.has(`${a.site}#${a.id}`))
    .map((a) => ({ id: forumEntryId(a.site, a.id), kind: 'article', body: a.body, source: { type: 'import', ref: a.url } }));
  return {
    name: 'Forum',
    entries,
    queries: asked.map((q) => ({
      text: `${q.title}\n${q.body}`,
      relevant: new Set([forumEntryId(q.site, q.acceptedAnswerId as string)]),
      group: null,
      part: partOf(`${q.site}#${q.id}`),
    })),
    groupOf: new Map(),
  };
}
