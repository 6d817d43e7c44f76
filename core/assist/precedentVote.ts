/**
 * The precedent vote: several learned precedents that share one resolution are stronger evidence than one close
 * precedent with another. Among the first hits, precedents (entries learned from a ticket) are grouped by the
 * answer they give (`answerKeyOf`); each group scores the sum of its members' similarities, discounted by rank; the
 * best group's best hit goes first and every other hit keeps its place. Entries not learned from a ticket
 * (articles, FAQs, pack entries) each vote alone, and only an answer given by two voters or more can overtake the
 * first hit, so a store without precedents is never re-ordered.
 */
import type { SearchHit } from '../knowledge/knowledgeStore';
import { sourceTicketOf } from '../knowledge/storedEntry';
import { answerKeyOf } from './confidence';

/** How the vote weighs the hits: member i (0-based rank) of a group adds `max(0, similarity)^power / (1 + i)^discount`. */
export interface PrecedentVote {
  /** How many leading hits vote. */
  window: number;
  /** Rank discount exponent: 0 counts every voter alike, larger values let the first hits weigh more. */
  discount: number;
  /** Similarity exponent: larger values let a close precedent weigh more than several loose ones. */
  power: number;
}

/**
 * The engine's vote. Fitted by `npm run fit:vote` on BANKING77's train set only (a seeded 2/3, 6,669 queries,
 * learned as closed tickets, the other 3,334 asked as new ones; the test set was not used): Recall@1 0.824 without
 * the vote, 0.853 with it (MRR 0.875 → 0.891), on a plateau where windows of 7-10 with no or a 0.5 rank discount
 * give 0.852-0.854; chosen as the setting whose grid neighbours score best. See BENCHMARKS.md, "The precedent vote".
 */
export const PRECEDENT_VOTE: PrecedentVote = { window: 7, discount: 0, power: 4 };

/** The key a hit votes under: a precedent's answer, or the entry itself for knowledge not learned from a ticket. */
function voteKeyOf(hit: SearchHit): string {
  return sourceTicketOf(hit.entry) !== null ? answerKeyOf(hit) : `id:${hit.entry.id}`;
}

/**
 * Which of the voters (best first, each with the answer it votes for and its similarity) the vote puts first: the
 * first voter of the best-scored answer. Only the first `vote.window` voters count, and only an answer at least two
 * of them give can overtake the first voter's answer: the hits' order is the fused ranking (and the conversation's
 * subject rule), not similarity, and a lone hit that is merely more similar must not reorder a store of articles.
 */
export function voteWinner(voters: ReadonlyArray<{ key: string; similarity: number }>, vote: PrecedentVote): number {
  const groups = new Map<string, { first: number; score: number; size: number }>();
  voters.slice(0, vote.window).forEach((voter, i) => {
    const weight = Math.max(0, voter.similarity) ** vote.power / (1 + i) ** vote.discount;
    const group = groups.get(voter.key);
    if (group) {
      group.score += weight;
      group.size++;
    } else groups.set(voter.key, { first: i, score: weight, size: 1 });
  });
  let winner = { first: 0, score: -Infinity, size: 0 };
  // Ties go to the answer holding the better-ranked hit (map order is first-seen order, so `>` keeps the earlier).
  for (const group of groups.values()) if ((group.first === 0 || group.size >= 2) && group.score > winner.score) winner = group;
  return winner.first;
}

/**
 * Hits (best first) with the best-voted answer's best hit first; the others keep their order. `null` (or a window
 * below 2) leaves the order as it is.
 */
export function voteOnPrecedents<H extends SearchHit>(hits: readonly H[], vote: PrecedentVote | null = PRECEDENT_VOTE): H[] {
  if (!vote || vote.window < 2 || hits.length < 2) return [...hits];
  const first = voteWinner(hits.map((hit) => ({ key: voteKeyOf(hit), similarity: hit.similarity })), vote);
  if (first === 0) return [...hits];
  return [hits[first]!, ...hits.filter((_, i) => i !== first)];
}
