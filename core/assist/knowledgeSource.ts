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

/** Reciprocal-rank constant: 60 is the usual choice (Cormack et al., 2009) and what the store's own fusion uses. */
const RRF_K = 60;

export interface MultiSearchResult {
  hits: SourceHit[];
  /** Sources that failed, with the reason. */
  failures: Array<{ source: string; error: string }>;
}

/**
 * Searches every source with every query in parallel and fuses the rankings. With one source and one query the
 * order is that source's own. An entry found several times keeps its best similarity.
 */
export async function searchSources(sources: readonly KnowledgeSource[], queries: readonly string[], limit: number): Promise<MultiSearchResult> {
  const usable = queries.map((q) => q.trim()).filter((q, i, all) => q.length > 0 && all.indexOf(q) === i);
  const failures: MultiSearchResult['failures'] = [];
  const lists = await Promise.all(
    sources.flatMap((source) =>
      usable.map((query) =>
        source.search(query, { limit }).catch((error: unknown) => {
          failures.push({ source: source.name, error: error instanceof Error ? error.message : String(error) });
          return [] as SourceHit[];
        }),
      ),
    ),
  );
  const fused = new Map<string, { hit: SourceHit; score: number }>();
  for (const list of lists) {
    list.forEach((hit, rank) => {
      const key = hit.pack ? `${hit.pack.name}@${hit.pack.version}/${hit.entry.id}` : hit.entry.id;
      const seen = fused.get(key);
      const score = 1 / (RRF_K + rank + 1);
      if (!seen) fused.set(key, { hit, score });
      else {
        seen.score += score;
        if (hit.similarity > seen.hit.similarity) seen.hit = { ...seen.hit, similarity: hit.similarity };
      }
    });
  }
  const hits = [...fused.values()]
    .sort((a, b) => b.score - a.score || b.hit.similarity - a.hit.similarity)
    .slice(0, limit)
    .map((f) => f.hit);
  return { hits, failures };
}
