import { describe, expect, it } from 'vitest';
import { abcdSet, abcdStepSets, dstc11Set } from './retrievalSets';

describe('retrieval evaluation sets', () => {
  it('asks ABCD situations that are no longer in their article, and maps every dialogue to an article', () => {
    const set = abcdSet();
    const ids = new Set(set.entries.map((e) => e.id));
    expect(set.entries).toHaveLength(55);
    for (const q of set.queries) {
      const [relevant] = [...q.relevant];
      expect(ids.has(relevant!)).toBe(true);
      const article = set.entries.find((e) => e.id === relevant)!;
      if (!q.text.includes('\n')) expect(article.body).not.toContain(q.text);
    }
    expect(set.queries.filter((q) => q.part === 'fit').length).toBeGreaterThan(0);
    expect(set.queries.filter((q) => q.part === 'report').length).toBeGreaterThan(0);
  });

  it('leaves each asked ABCD step out of its article in its fold', () => {
    for (const fold of abcdStepSets()) {
      for (const q of fold.queries) {
        const article = fold.entries.find((e) => q.relevant.has(e.id))!;
        expect(article.body).not.toContain(q.text);
      }
    }
  });

  it('labels DSTC11 queries with entries that exist, of the labelled entities', () => {
    const set = dstc11Set(200);
    const ids = new Set(set.entries.map((e) => e.id));
    expect(set.queries).toHaveLength(200);
    for (const q of set.queries) {
      for (const id of q.relevant) expect(ids.has(id)).toBe(true);
      // A turn that compares two places is labelled with snippets of both; its group is the first one's entity.
      expect([...q.relevant].map((id) => set.groupOf.get(id))).toContain(q.group);
    }
  });
});
