/**
 * Where the pipeline looks for help: the team's own store, installed knowledge packs, resolved cases elsewhere.
 * Each is a `KnowledgeSource`; all sources are searched in parallel, with every query (the cleaned conversation,
 * and in LLM mode the rewritten query and its sub-queries), and the rankings are fused by reciprocal rank.
 * A source that fails is skipped and named in the decision's gate record; the others still answer.
 */
import type { KnowledgeStore, SearchHit } from '../knowledge/knowledgeStore';

/** A hit, optionally from an installed knowledge pack. */
export type SourceHit = SearchHit & { pack?: { name: string; version: string } };

export interface SourceSearchOptions {
  limit: number;
}

export interface KnowledgeSource {
  /** Shown in gate records: `team`, `pack:retail-faq@1.2.0`. */
  readonly name: string;
  /** Approved entries matching `query`, best first; `similarity` is the cosine used for citations. */
  search(query: string, options: SourceSearchOptions): Promise<SourceHit[]>;
}

/** The team's own knowledge store as a source (approved entries only). */
export function storeSource(store: KnowledgeStore, name = 'team'): KnowledgeSource {
  return { name, search: (query, options) => store.search(query, { limit: options.limit }) };
}

/** Reciprocal-rank constant for fusing the queries' rankings: 60, the usual choice (Cormack et al., 2009). */
export const RRF_K = 60;

export interface MultiSearchResult {
  hits: SourceHit[];
  /** Sources that failed, with the reason. */
  failures: Array<{ source: string; error: string }>;
}

/** A query with its weight in the fusion (1 unless said otherwise). */
export interface WeightedQuery {
  text: string;
  weight: number;
}

/** One query's ranking from one source, with the query's weight. */
export interface RankedList {
  weight: number;
  hits: SourceHit[];
}

/** Every query once (the larger weight when given twice), trimmed, without empty or zero-weight ones. */
function usableQueries(queries: readonly (string | WeightedQuery)[]): WeightedQuery[] {
  const usable: WeightedQuery[] = [];
  for (const q of queries) {
    const text = (typeof q === 'string' ? q : q.text).trim();
    const weight = typeof q === 'string' ? 1 : q.weight;
    if (text.length === 0 || weight <= 0) continue;
    const seen = usable.find((u) => u.text === text);
    if (seen) seen.weight = Math.max(seen.weight, weight);
    else usable.push({ text, weight });
  }
  return usable;
}

/** Searches every source with every query in parallel; a failing source is reported once in `failures` and skipped. */
export async function searchLists(
  sources: readonly KnowledgeSource[],
  queries: readonly (string | WeightedQuery)[],
  limit: number,
  failures: MultiSearchResult['failures'],
): Promise<RankedList[]> {
  const usable = usableQueries(queries);
  return Promise.all(
    sources.flatMap((source) =>
      usable.map(async (query) => ({
        weight: query.weight,
        hits: await source.search(query.text, { limit }).catch((error: unknown) => {
          // A source that fails every query of a decision is named once.
          if (!failures.some((f) => f.source === source.name)) failures.push({ source: source.name, error: error instanceof Error ? error.message : String(error) });
          return [] as SourceHit[];
        }),
      })),
    ),
  );
}

/** Fuses rankings by weighted reciprocal rank; an entry found several times keeps its best similarity. */
export function fuseLists(lists: readonly RankedList[], limit: number): SourceHit[] {
  const fused = new Map<string, { hit: SourceHit; score: number }>();
  for (const { weight, hits: list } of lists) {
    list.forEach((hit, rank) => {
      const key = hit.pack ? `${hit.pack.name}@${hit.pack.version}/${hit.entry.id}` : hit.entry.id;
      const seen = fused.get(key);
      const score = weight / (RRF_K + rank + 1);
      if (!seen) fused.set(key, { hit, score });
      else {
        seen.score += score;
        if (hit.similarity > seen.hit.similarity) seen.hit = { ...seen.hit, similarity: hit.similarity };
      }
    });
  }
  return [...fused.values()]
    .sort((a, b) => b.score - a.score || b.hit.similarity - a.hit.similarity)
    .slice(0, limit)
    .map((f) => f.hit);
}

/**
 * Searches every source with every query in parallel and fuses the rankings by weighted reciprocal rank. With one
 * source and one query the order is that source's own. An entry found several times keeps its best similarity.
 * A query given twice counts once, with the larger weight.
 */
export async function searchSources(
  sources: readonly KnowledgeSource[],
  queries: readonly (string | WeightedQuery)[],
  limit: number,
): Promise<MultiSearchResult> {
  const failures: MultiSearchResult['failures'] = [];
  const lists = await searchLists(sources, queries, limit, failures);
  return { hits: fuseLists(lists, limit), failures };
}
