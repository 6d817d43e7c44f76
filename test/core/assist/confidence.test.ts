import { describe, expect, it } from 'vitest';
import { contenderAgreement, CONTENDER_BAND, gateEvidence, identifiersOf, judgeEvidence } from '../../../core/assist/confidence';
import type { SearchHit } from '../../../core/knowledge/knowledgeStore';
import { stored } from '../../fixtures/storeEntries';

const article = (id: string, similarity: number): SearchHit =>
  ({ entry: stored({ id, kind: 'article', title: id, body: `Steps for ${id}.` }), similarity, fused: similarity, textRank: null, vectorRank: null }) as SearchHit;
const learned = (id: string, answer: string, similarity: number): SearchHit =>
  ({ entry: stored({ id, kind: 'qa', question: `question ${id}`, body: answer }), similarity, fused: similarity, textRank: null, vectorRank: null }) as SearchHit;

describe('agreement among the hits that contend with the best one', () => {
  it('is the same for an article that stands out whether the store holds it alone or many other articles', () => {
    // Each article is its own answer: "out of a window of five" made this 1/5 in any article knowledge base, and
    // the sample team's right articles, ranked first, stayed under the gate.
    const alone = contenderAgreement([article('kb-cart', 0.56)]);
    const amongMany = contenderAgreement([article('kb-cart', 0.56), article('kb-search', 0.56 - CONTENDER_BAND - 0.05), article('kb-card', 0.3), article('kb-size', 0.2), article('kb-pin', 0.1)]);
    expect(alone).toBe(1);
    expect(amongMany).toBe(alone);
  });

  it('falls as close hits give other answers, and learned tickets that agree count for the best one', () => {
    const contested = contenderAgreement([article('kb-promo-invalid', 0.48), article('kb-promo-expired', 0.46), article('kb-pin', 0.2)]);
    expect(contested).toBe(0.5);
    const fix = 'Lower the tunnel MTU to 1380.';
    const corroborated = contenderAgreement([learned('qa-1', fix, 0.7), learned('qa-2', fix, 0.68), learned('qa-3', fix, 0.66), learned('qa-4', 'Reinstall the client.', 0.65)]);
    expect(corroborated).toBe(0.75);
    expect(contenderAgreement([])).toBe(0);
  });

  it('counts an entry of the same category as a learned precedent for it, but not two imported entries of one category', () => {
    // The sample team's SHOP-106: the answer learned from SHOP-103 just above the guideline of the same category.
    const precedent = { ...learned('qa-SHOP-103', 'Log out and back in, then add the item again.', 0.52), entry: stored({ id: 'qa-SHOP-103', kind: 'qa', body: 'Log out and back in.', tags: ['troubleshoot-site'], source: { type: 'ticket', ref: 'SHOP-103' } }) };
    const guideline = { ...article('abcd-cart-not-updating', 0.46), entry: stored({ id: 'abcd-cart-not-updating', kind: 'article', title: 'Cart Not Updating', body: 'Refresh the page.', tags: ['troubleshoot-site'] }) };
    const otherGuideline = { ...article('abcd-search-not-working', 0.45), entry: stored({ id: 'abcd-search-not-working', kind: 'article', title: 'Search Not Working', body: 'Clear the cache.', tags: ['troubleshoot-site'] }) };
    expect(contenderAgreement([precedent, guideline])).toBe(1);
    expect(contenderAgreement([guideline, otherGuideline])).toBe(0.5);
  });
});

describe('an error code the customer quotes', () => {
  it('reads codes that mix letters and digits, with or without a hyphen, and not amounts', () => {
    expect([...identifiersOf('Error E-4031 on login, then 0x80070005.')]).toEqual(['e4031', '0x80070005']);
    expect(identifiersOf('E4031 means the certificate expired').has('e4031')).toBe(true);
    expect(identifiersOf('I asked for 100 and only got 20.00, ref cb30af').size).toBe(0);
  });

  it('shows the entry whose title carries it, though a long message dilutes every other piece of evidence', () => {
    const entry = stored({ id: 'kb-err-4031', kind: 'article', title: 'Error E-4031 on login', body: 'E4031 means the session certificate expired; sign out and sign in again.' });
    const hits = [{ entry, similarity: 0.247, fused: 1, textRank: 0, vectorRank: 0 } as SearchHit, article('kb-vpn-mtu', 0.21)];
    const message = 'The whole office cannot connect to the VPN since this morning; we are losing sales. Error E-4031 on login.';
    // Query cleaning drops the code with ticket and order numbers: the message as written still names it.
    const cleaned = message.replace(' E-4031', '');
    const judged = judgeEvidence(gateEvidence(hits, cleaned, cleaned, false, message)!);
    expect(judged).toMatchObject({ floor: null });
    expect(judged.confidence).toBeGreaterThanOrEqual(0.5);
    // Without the code, the same hits are no evidence.
    const plain = message.replace(' Error E-4031 on login.', '');
    expect(judgeEvidence(gateEvidence(hits, plain, plain, false)!).floor).not.toBeNull();
  });
});
