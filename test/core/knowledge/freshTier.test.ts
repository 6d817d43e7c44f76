import { describe, expect, it } from 'vitest';
import { CorpusStats, QUERY_TF_K3, queryTermWeights, termCounts } from '../../../core/knowledge/freshTier';

/** Scores two documents for a query, the way the store's full-text leg does (whole-store statistics). */
function scores(documents: Record<string, string[]>, query: string[], k3?: number): Record<string, number> {
  const stats = new CorpusStats();
  for (const terms of Object.values(documents)) stats.add(terms);
  const weights = queryTermWeights(query, k3);
  return Object.fromEntries(Object.entries(documents).map(([id, terms]) => [id, stats.score(weights, termCounts(terms), terms.length)]));
}

describe('full-text scoring of a long question', () => {
  const documents = {
    driver: ['reinstall', 'driver', 'from', 'vendor', 'page', 'driver', 'then', 'reboot'],
    printer: ['power', 'cycle', 'printer', 'now'],
  };
  // Says "printer" three times and "driver" once in passing.
  const question = ['printer', 'offline', 'restarted', 'printer', 'still', 'printer', 'maybe', 'driver'];

  it('ranks the entry about the word the question keeps repeating first', () => {
    const s = scores(documents, question, 0.5);
    expect(s['printer']).toBeGreaterThan(s['driver']!);
  });

  it('counted once per word (k3 = 0), the passing word wins: the behaviour before', () => {
    const s = scores(documents, question, 0);
    expect(s['driver']).toBeGreaterThan(s['printer']!);
  });

  it('weighs a repeated word by a saturating curve, never above (k3 + 1)', () => {
    expect(QUERY_TF_K3).toBe(0.5);
    const weights = queryTermWeights(['vpn', 'vpn', 'vpn', 'vpn', 'vpn', 'vpn', 'drops']);
    expect(weights.get('drops')).toBe(1);
    expect(weights.get('vpn')).toBeCloseTo((1.5 * 6) / 6.5, 10);
    expect(queryTermWeights(['a', 'a'], 0.5).get('a')).toBeCloseTo(1.2, 10);
    expect(queryTermWeights(['a', 'a', 'b'], 0).get('a')).toBe(1);
  });
});
