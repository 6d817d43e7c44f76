import { describe, expect, it } from 'vitest';
import { EntrySchema } from '../../core/formats/schemas';
import type { ForumAnswer, ForumCorpus, ForumQuestion } from './forumData';
import { abcdSet, abcdStepSets, dstc11Set, forumEntryId, forumSet, partOf } from './retrievalSets';
import { itWithData } from '../support/publicData';

/** A made-up forum file: 40 questions with accepted answers on two sites, and 10 best answers no one asks for. */
function forumCorpus(): ForumCorpus {
  const questions: ForumQuestion[] = [];
  const answers: ForumAnswer[] = [];
  const licence = 'CC BY-SA 3.0';
  for (let i = 0; i < 50; i++) {
    const site = i % 2 === 0 ? 'iot.stackexchange.com' : 'stackoverflow.com';
    const accepted = i < 40;
    questions.push({ site, id: `${i}`, title: `Question ${i}`, body: `Body of question ${i}.`, acceptedAnswerId: accepted ? `${1000 + i}` : null, url: `https://${site}/questions/${i}`, licence });
    answers.push({ site, id: `${1000 + i}`, questionId: `${i}`, accepted, score: 1, body: `Answer ${i}.`, url: `https://${site}/a/${1000 + i}`, licence });
  }
  return { format: 'vigil-forum/1', sources: [], questions, answers };
}

describe('retrieval evaluation sets', () => {
  itWithData(['abcd'], 'asks ABCD situations that are no longer in their article, and maps every dialogue to an article', () => {
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

  itWithData(['abcd'], 'leaves each asked ABCD step out of its article in its fold', () => {
    for (const fold of abcdStepSets()) {
      for (const q of fold.queries) {
        const article = fold.entries.find((e) => q.relevant.has(e.id))!;
        expect(article.body).not.toContain(q.text);
      }
    }
  });

  itWithData(['dstc11'], 'labels DSTC11 queries with entries that exist, of the labelled entities', () => {
    const set = dstc11Set(200);
    const ids = new Set(set.entries.map((e) => e.id));
    expect(set.queries).toHaveLength(200);
    for (const q of set.queries) {
      for (const id of q.relevant) expect(ids.has(id)).toBe(true);
      // A turn that compares two places is labelled with snippets of both; its group is the first one's entity.
      expect([...q.relevant].map((id) => set.groupOf.get(id))).toContain(q.group);
    }
  });

  it('asks forum questions with an accepted answer, relevant to that answer as an untitled article, split the same on every run', () => {
    const corpus = forumCorpus();
    const set = forumSet(corpus, 30);
    expect(set.queries).toHaveLength(30);
    expect(set.entries).toHaveLength(50);
    set.entries.forEach((e) => EntrySchema.parse(e));
    expect(set.entries.every((e) => e.kind === 'article' && e.title === undefined)).toBe(true);
    const ids = new Set(set.entries.map((e) => e.id));
    for (const q of set.queries) {
      const [relevant] = [...q.relevant];
      expect(ids.has(relevant!)).toBe(true);
      const n = /^Question (\d+)\n/.exec(q.text)![1]!;
      expect(Number(n)).toBeLessThan(40);
      expect(q.text).toBe(`Question ${n}\nBody of question ${n}.`);
      expect(relevant).toBe(forumEntryId(Number(n) % 2 === 0 ? 'iot.stackexchange.com' : 'stackoverflow.com', `${1000 + Number(n)}`));
      expect(q.part).toBe(partOf(`${Number(n) % 2 === 0 ? 'iot.stackexchange.com' : 'stackoverflow.com'}#${n}`));
    }
    // The same questions and parts whatever the file's order: the pick and the split go by site and question id.
    const reversed = forumSet({ ...corpus, questions: [...corpus.questions].reverse(), answers: [...corpus.answers].reverse() }, 30);
    const key = (s: typeof set): string[] => s.queries.map((q) => `${q.text.split('\n')[0]}:${q.part}`).sort();
    expect(key(reversed)).toEqual(key(set));
    expect(new Set(set.queries.map((q) => q.part))).toEqual(new Set(['fit', 'report']));
    // A smaller store keeps every asked question's answer.
    const small = forumSet(corpus, 30, 35);
    expect(small.entries).toHaveLength(35);
    const smallIds = new Set(small.entries.map((e) => e.id));
    expect(small.queries.every((q) => [...q.relevant].every((id) => smallIds.has(id)))).toBe(true);
  });
});

