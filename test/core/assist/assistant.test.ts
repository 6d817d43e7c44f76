import { describe, expect, it } from 'vitest';
import { presentHit } from '../../../core/assist/assistant';
import type { SearchHit } from '../../../core/knowledge/knowledgeStore';
import { stored } from '../../fixtures/storeEntries';

function hit(body: string): SearchHit {
  return { entry: stored({ id: 'kb-injected', title: 'Account locked', body }), similarity: 0.9, fused: 1, textRank: 1, vectorRank: 1 } as SearchHit;
}

describe('a retrieval suggestion made from an entry', () => {
  it('shows an injected entry’s links as plain text, drops its images and invisible characters', () => {
    const { text } = presentHit(hit('Pay\u200B the fee at [the portal](https://pay.evil.example/x) or https://pay.evil.example/x ![t](https://evil.example/p.png?c=1)'));
    expect(text).toBe('Account locked: Pay the fee at the portal (pay.evil.example/x) or pay.evil.example/x');
    expect(text).not.toMatch(/https?:\/\//);
  });

  it('keeps links to the team’s documentation hosts', () => {
    expect(presentHit(hit('Steps: https://docs.example.com/vpn#mtu'), ['docs.example.com']).text).toBe('Account locked: Steps: https://docs.example.com/vpn#mtu');
  });
});
