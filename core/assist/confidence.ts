/**
 * How sure retrieval is that its best hit answers the message, from evidence that means the same at any store size
 * (`GateEvidence`): how similar the best hit is, how far it stands above the best hit that would give a different
 * answer, how many of the top hits agree with it, how many of the message's words it holds, whether the
 * conversation names its subject. A logistic model (`GATE_WEIGHTS`) turns these into a confidence in [0, 1], and
 * absolute floors keep a hit that resembles nothing from being shown however the rest looks.
 */
import type { SearchHit } from '../knowledge/knowledgeStore';
import { sourceTicketOf } from '../knowledge/storedEntry';
import { stemsOf } from '../text/stems';
import { STOPWORDS, tokenize } from '../text/tokenize';

export interface ConfidenceFeatures {
  /** Cosine similarity of the best hit. */
  top: number;
  /** `top` minus the similarity of the best hit with a different answer (0 when no hit gives another answer). */
  margin: number;
  /** Share of the top hits (up to AGREEMENT_WINDOW) that give the same answer as the best one. */
  agreement: number;
}

/** How many leading hits vote in `agreement`. */
export const AGREEMENT_WINDOW = 5;

/**
 * Superseded as the engine's gate by GATE_WEIGHTS below (issue 16); kept with `confidenceOf` for
 * `npm run fit:confidence`, which reproduces the figures in BENCHMARKS.md.
 *
 * Logistic weights over (1, top, margin, agreement), fitted by `npm run fit:confidence` on BANKING77's *train*
 * set only (a seeded 8,000 queries learned as closed tickets, the other 2,003 asked as new ones; target: the
 * best hit has the right intent). The test set was not used. At the 0.5 threshold the fit showed 84.9% of the
 * held-out queries with 91.5% right, against 82.4% right when always speaking.
 */
export const CONFIDENCE_WEIGHTS = { bias: -2.81, top: 0.83, margin: 7.12, agreement: 4.97 } as const;

/** Suggestions below this confidence are recorded but not shown (`low_confidence`). */
export const SHOW_THRESHOLD = 0.5;

/**
 * The answer a hit would give, for comparing hits: entries learned from tickets with the same resolution give
 * the same answer; other entries only agree with themselves.
 */
export function answerKeyOf(hit: SearchHit): string {
  const entry = hit.entry;
  const resolution = typeof entry['resolution'] === 'string' ? entry['resolution'] : null;
  if (entry.kind === 'qa') return `a:${normalizeAnswer(entry.body)}`;
  if (entry.kind === 'case' && resolution) return `a:${normalizeAnswer(resolution)}`;
  return `id:${entry.id}`;
}

function normalizeAnswer(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}

/** Features of a ranked hit list (best first). */
export function confidenceFeatures(hits: readonly SearchHit[]): ConfidenceFeatures | null {
  const best = hits[0];
  if (!best) return null;
  const bestKey = answerKeyOf(best);
  const rival = hits.slice(1).find((hit) => answerKeyOf(hit) !== bestKey);
  // No hit gives another answer (a store of one entry, or every candidate agrees): the best hit stands above
  // nothing, i.e. above an unrelated text's similarity, about 0. The old "minus the last hit" made the margin 0 in
  // a one-entry store, where it then said nothing either way.
  const margin = best.similarity - (rival ? rival.similarity : 0);
  // Out of a full window: with one or two entries in the store, "all of the top hits agree" is true by construction
  // and says nothing; the hits that are not there count as not agreeing, so the feature means the same at any size.
  const window = hits.slice(0, AGREEMENT_WINDOW);
  const agreement = window.filter((hit) => answerKeyOf(hit) === bestKey).length / AGREEMENT_WINDOW;
  return { top: best.similarity, margin, agreement };
}

/** Confidence in [0, 1] from the features. */
export function confidenceOf(features: ConfidenceFeatures): number {
  const w = CONFIDENCE_WEIGHTS;
  const z = w.bias + w.top * features.top + w.margin * features.margin + w.agreement * features.agreement;
  return 1 / (1 + Math.exp(-z));
}

/**
 * Articles need their own model. Each article is one distinct answer, so `agreement` is structurally 1/5 whenever
 * an article ranks first, and the precedent model above (fitted where several learned tickets agree) never lets
 * an article through: 0 of 31 messages in the ABCD demo. For an article the evidence is instead how far it leads
 * the next article and whether both search legs (full text and vectors) put it first.
 */
export interface ArticleFeatures {
  top: number;
  margin: number;
  /** 1 when both legs rank the hit first, 0.5 when one does, 0 otherwise. */
  legs: number;
}

/**
 * Superseded as the engine's gate by GATE_WEIGHTS below (issue 16); kept for `npm run fit:article-confidence`.
 *
 * Logistic weights over (1, top, margin, legs), fitted by `npm run fit:article-confidence` on an article-only
 * knowledge base made from BANKING77's train split (one article per intent; see test/bench/articleGate.ts), with
 * 3,000 held-out train queries as the questions. The test split and ABCD were not used for fitting. On the test
 * split at the 0.5 threshold it showed 75.5% of the queries with 83.8% right, against 71.1% right when always
 * speaking, and kept 88.9% of the right answers.
 */
export const ARTICLE_CONFIDENCE_WEIGHTS = { bias: -2.25, top: 1.42, margin: 9.68, legs: 2.34 } as const;

/** Article features of a ranked hit list whose best hit is an article. */
export function articleFeatures(hits: readonly SearchHit[]): ArticleFeatures | null {
  const best = hits[0];
  if (!best) return null;
  const runnerUp = hits.slice(1).reduce((max, h) => Math.max(max, h.similarity), -1);
  const margin = hits.length > 1 ? best.similarity - runnerUp : best.similarity;
  const legs = (best.textRank === 0 ? 0.5 : 0) + (best.vectorRank === 0 ? 0.5 : 0);
  return { top: best.similarity, margin, legs };
}

export function articleConfidenceOf(f: ArticleFeatures, w: { bias: number; top: number; margin: number; legs: number } = ARTICLE_CONFIDENCE_WEIGHTS): number {
  return 1 / (1 + Math.exp(-(w.bias + w.top * f.top + w.margin * f.margin + w.legs * f.legs)));
}

/**
 * The evidence the gate weighs (issue 16, item 3). Every feature means the same with one entry in the store and
 * with 300,000: cosines and shares are absolute, agreement is counted among the hits that contend with the best
 * one (never out of a window the store may be too small, or too varied, to fill), nothing is ranked against the
 * store's size.
 */
export interface GateEvidence {
  /** Cosine similarity of the best hit. */
  top: number;
  /** `top` minus the similarity of the best hit with a different answer (as `ConfidenceFeatures.margin`). */
  margin: number;
  /**
   * Among the contenders (the hits in the first AGREEMENT_WINDOW within CONTENDER_BAND of the best similarity), the
   * share giving the best hit's answer (`contenderAgreement`).
   */
  agreement: number;
  /** Share of the focus's content words (stemmed) that the best entry holds: lexical evidence. */
  coverage: number;
  /** 1 when the conversation names the best entry's subject (its title), else 0. */
  subject: number;
  /** 1 when the best entry is an article (each article is its own answer: agreement is low by nature). */
  article: number;
  /** 1 when the message asks a question (a question mark), else 0: statements are more often requests or answers. */
  question: number;
  /**
   * 1 when the focus names an identifier (an error or status code such as "E-4031" or "0x80070005") that the best
   * entry's title or question carries, else 0. Not a model feature: none of the fitted data sets holds such codes,
   * so the model never learned what one is worth; `judgeEvidence` lets it through on its own (see there).
   */
  identifier?: number;
}

/**
 * How close to the best similarity a hit must come to contend with it (cosine). A hit further below is no rival
 * and no corroboration: it neither raises nor lowers `agreement`.
 */
export const CONTENDER_BAND = 0.1;

/**
 * The share of the contenders that give the best hit's answer: the best hit and every hit of the first
 * AGREEMENT_WINDOW whose similarity is within CONTENDER_BAND of it. "Out of a full window of five" (the gate
 * before) made the feature 1/5 by construction wherever each entry is its own answer (an article knowledge base,
 * a store of one entry), so the shipped sample team's right articles, ranked first, stayed under the gate (3 of 6
 * tickets). Counted among contenders it means the same at any size and shape: 1 when nothing comes close with
 * another answer, lower as more close hits answer differently, and several learned tickets agreeing still count.
 */
export function contenderAgreement(hits: readonly SearchHit[]): number {
  const best = hits[0];
  if (!best) return 0;
  const bestKey = answerKeyOf(best);
  const contenders = hits.slice(0, AGREEMENT_WINDOW).filter((hit) => hit.similarity >= best.similarity - CONTENDER_BAND);
  return contenders.filter((hit) => answerKeyOf(hit) === bestKey || vouchesForTopic(best, hit)).length / Math.max(1, contenders.length);
}

/**
 * A precedent learned from a ticket carries the category the team filed that ticket under (its tags). Another entry
 * of exactly that category near the top corroborates that this is the kind of ticket the precedent resolved, even
 * where it words the answer differently: the sample team's SHOP-106 ("the cart is not updating") found the answer
 * learned from SHOP-103 just above the guideline article of the same category (troubleshoot-site), and the two
 * counted as rivals. Imported entries alone do not vouch for each other: their tags are the importer's coarse
 * grouping (a DSTC11 domain, an ABCD flow), under which different answers are the rule.
 */
function vouchesForTopic(best: SearchHit, hit: SearchHit): boolean {
  if (sourceTicketOf(best.entry) === null && sourceTicketOf(hit.entry) === null) return false;
  const a = best.entry.tags ?? [];
  const b = hit.entry.tags ?? [];
  return a.length > 0 && a.length === b.length && a.every((tag) => b.includes(tag));
}

/**
 * The identifiers in a text: codes that mix letters and at least three digits ("E-4031", "e4031", "0x80070005",
 * "KB5034441"), compared without the hyphen. Amounts and plain numbers ("100", "20.00") are not identifiers.
 */
export function identifiersOf(text: string): Set<string> {
  const codes = text.toLowerCase().replace(/\b([a-z]+)-(\d)/g, '$1$2').match(/\b(?=[a-z0-9]*[a-z])(?=[a-z0-9]*\d{3})[a-z0-9]+\b/g) ?? [];
  return new Set(codes);
}

const contentStems = (text: string): string[] => stemsOf(tokenize(text).filter((w) => w.length > 1 && !STOPWORDS.has(w) && !/^\d+$/.test(w)));

/** Share of `message`'s distinct content stems found in the entry's title, question or body. */
export function lexicalCoverage(message: string, hit: SearchHit): number {
  const wanted = new Set(contentStems(message));
  if (wanted.size === 0) return 0;
  const entry = hit.entry;
  const held = new Set(contentStems([entry.title ?? '', entry.question ?? '', entry.body].join('\n')));
  let found = 0;
  for (const w of wanted) if (held.has(w)) found++;
  return found / wanted.size;
}

/**
 * The gate's evidence for a ranked hit list (best first). `focus` is what is new (the customer's message and the
 * analyst's question it answers: "No it did not, and yes I am" says nothing without "are you on a hotel Wi-Fi?"),
 * `message` the customer's message alone (cleaned), `subjectNamed` whether the conversation names the best hit's
 * subject, `rawMessage` the message as written (for the identifiers it quotes, which cleaning removes).
 */
export function gateEvidence(hits: readonly SearchHit[], focus: string, message: string, subjectNamed: boolean, rawMessage: string = message): GateEvidence | null {
  const f = confidenceFeatures(hits);
  const best = hits[0];
  if (!f || !best) return null;
  return {
    top: f.top,
    margin: f.margin,
    agreement: contenderAgreement(hits),
    coverage: lexicalCoverage(focus, best),
    subject: subjectNamed ? 1 : 0,
    article: best.entry.kind === 'article' ? 1 : 0,
    question: message.includes('?') ? 1 : 0,
    // The message as written: query cleaning drops codes with ticket and order numbers ("Error E-4031" → "Error").
    identifier: namesIdentifierOf(`${focus}\n${rawMessage}`, best) ? 1 : 0,
  };
}

/**
 * Logistic weights over (1, top, margin, agreement, coverage, subject, article, question), fitted by
 * `npm run fit:gate -- --quick` (test/bench/qualityFit.ts, seed 11, 2026-12-06) on the fit parts of four sets:
 * BANKING77 train as learned precedents (2,000 learned, 500 other train queries asked), the same train set as 77
 * articles (500 unused train queries asked), DSTC11's fit half (500 conversations) and ABCD's 3 dialogues against
 * its 55 guideline articles (14 points, weighing 14/50 of a set: see FULL_WEIGHT_POINTS there). Every held-out part
 * (BANKING77's test set, DSTC11's other half, the sample team of samples/abcd-team) is the report, not the fit:
 * there the gate showed 86% / 71% / 84% / 5 of 7 of the decisions, 80% / 83% / 81% / 100% of them right
 * (BENCHMARKS.md). Target: the best hit is right (BANKING77: its intent; DSTC11: a knowledge-seeking turn and the
 * labelled entity; ABCD and the sample team: an article that answers the ticket). `margin` fitted to 0 once
 * `agreement` counts contenders: the two say the same thing, and agreement says it better on article stores.
 */
export const GATE_WEIGHTS = { bias: -3.98, top: 2.48, margin: 0, agreement: 2.01, coverage: 2.46, subject: 1.67, article: -0.04, question: 0.93 } as const;

/**
 * Absolute floors: below them the best hit is not evidence of anything, whatever the model says. A store with one
 * VPN Q&A put it first for "the printer does not print" at cosine -0.012, sharing no word with it. Fitted on the
 * same parts as GATE_WEIGHTS as the highest floors keeping at least 99% of each set's right answers: any best hit
 * needs SIMILARITY_FLOOR (semantic evidence), and one that shares no content word with the focus needs
 * WORDLESS_SIMILARITY_FLOOR (lexical evidence). The fit put the wordless floor at 0 (right answers sharing no word
 * with the focus occur at every similarity the floor allows): lexical evidence acts through `coverage`, whose weight
 * keeps a wordless hit below the threshold unless its similarity is about 0.8 or more.
 */
export const SIMILARITY_FLOOR = 0.26;
export const WORDLESS_SIMILARITY_FLOOR = 0;

/** Confidence in [0, 1] from the evidence. */
export function gateConfidence(e: GateEvidence, w: Record<Exclude<keyof GateEvidence, 'identifier'> | 'bias', number> = GATE_WEIGHTS): number {
  const z =
    w.bias + w.top * e.top + w.margin * e.margin + w.agreement * e.agreement + w.coverage * e.coverage + w.subject * e.subject + w.article * e.article + w.question * e.question;
  return 1 / (1 + Math.exp(-z));
}

/** Does `focus` name an identifier that the entry's title or question carries? */
function namesIdentifierOf(focus: string, hit: SearchHit): boolean {
  const named = identifiersOf(focus);
  if (named.size === 0) return false;
  for (const code of identifiersOf([hit.entry.title ?? '', hit.entry.question ?? ''].join('\n'))) if (named.has(code)) return true;
  return false;
}

/**
 * The gate's judgement of a hit list: its confidence, and the floor it falls below, if any. `threshold` is the show
 * threshold in force (SHOW_THRESHOLD, or the team's recalibrated one), at which a named identifier is shown.
 */
export function judgeEvidence(e: GateEvidence, threshold: number = SHOW_THRESHOLD): { confidence: number; floor: string | null; detail: string } {
  const r = (x: number): number => Math.round(x * 1000) / 1000;
  const detail = `top ${r(e.top)}, margin ${r(e.margin)}, agreement ${r(e.agreement)}, coverage ${r(e.coverage)}, subject ${e.subject}, article ${e.article}, question ${e.question}`;
  // An error code the customer quotes, in the title of the entry about it, is the strongest lexical evidence there
  // is, and a long message about its consequences dilutes every other feature ("The whole office cannot connect
  // to the VPN since this morning; we are losing sales. Error E-4031 on login." found "Error E-4031 on login" at
  // cosine 0.247, covering 2 of its 11 words: confidence 0.09). The model, fitted on sets without codes, cannot
  // weigh it; it is shown at the threshold, neither more nor less sure than that.
  if (e.identifier === 1) return { confidence: Math.max(gateConfidence(e), threshold), floor: null, detail: `${detail}, names an identifier in its title` };
  const floor =
    e.top < SIMILARITY_FLOOR
      ? `similarity ${r(e.top)} below the floor ${SIMILARITY_FLOOR}`
      : e.coverage === 0 && e.top < WORDLESS_SIMILARITY_FLOOR
        ? `no word of the message in the entry and similarity ${r(e.top)} below ${WORDLESS_SIMILARITY_FLOOR}`
        : null;
  return { confidence: gateConfidence(e), floor, detail };
}
