import { describe, expect, it } from 'vitest';
import { Assistant, memoryShown } from '../../../core/assist/assistant';
import type { KnowledgeSource, SourceHit } from '../../../core/assist/knowledgeSource';
import { RepeatGate } from '../../../core/assist/repeatGate';
import type { Embedder } from '../../../core/embed/embedder';
import { HashedEmbedder } from '../../../core/embed/hashedEmbedder';
import type { Ticket } from '../../../core/formats/schemas';
import { stored } from '../../fixtures/storeEntries';

const SHOWN_FIRST = 'Lower the tunnel MTU to 1380 in the VPN client settings.';
// The same step in other words: under the word-overlap bar (Jaccard 0.67 < 0.8), above the meaning bar (0.81 ≥ 0.7).
const PARAPHRASE = 'Set the MTU of the VPN tunnel to 1380 (client settings).';
const DIFFERENT = 'Reinstall the VPN client and restart the laptop.';

const entries = {
  'kb-mtu': stored({ id: 'kb-mtu', kind: 'qa', question: 'VPN drops', body: SHOWN_FIRST }),
  'kb-mtu-howto': stored({ id: 'kb-mtu-howto', kind: 'qa', question: 'VPN MTU setting', body: PARAPHRASE }),
  'kb-reinstall': stored({ id: 'kb-reinstall', kind: 'qa', question: 'VPN client broken', body: DIFFERENT }),
};

const byCode = { alpha: entries['kb-mtu'], bravo: entries['kb-mtu-howto'], charlie: entries['kb-reinstall'] };

/** Answers each message with the entry its code word names (the query's last line): the test is about the gate. */
const source: KnowledgeSource = {
  name: 'team',
  search: async (query) => {
    const code = /(alpha|bravo|charlie)\s*$/.exec(query)?.[1] as keyof typeof byCode | undefined;
    const entry = code ? byCode[code] : undefined;
    return entry ? [{ entry, similarity: 0.9, fused: 0.9, textRank: 0, vectorRank: 0 } satisfies SourceHit] : [];
  },
};

function ticketWith(...codes: string[]): Ticket {
  return { id: 'T-9', status: 'open', messages: codes.map((code, i) => ({ id: String(i + 1), author: 'customer' as const, text: `My VPN still drops, what should I do? ${code}` })) };
}

describe('repeat gate by meaning', () => {
  it('suppresses a paraphrase of what was already shown on the ticket, and shows a different suggestion', async () => {
    const assistant = new Assistant({ sources: [source], shown: memoryShown(new RepeatGate(new HashedEmbedder())) });
    const ticket = ticketWith('alpha', 'bravo', 'charlie');
    const first = await assistant.onCustomerMessage(ticket, 0, performance.now());
    expect(first).toMatchObject({ shown: true, text: SHOWN_FIRST });
    const paraphrased = await assistant.onCustomerMessage(ticket, 1, performance.now());
    expect(paraphrased).toMatchObject({ shown: false, reason: 'duplicate', text: PARAPHRASE });
    expect(paraphrased.gates.find((g) => g.gate === 'repeat')?.detail).toMatch(/means the same .* \(similarity 0\.\d+ ≥ 0\.7\)/);
    const different = await assistant.onCustomerMessage(ticket, 2, performance.now());
    expect(different).toMatchObject({ shown: true, text: DIFFERENT });
  });

  it('compares with everything shown on the ticket, not only the latest suggestion, and only on that ticket', async () => {
    const gate = new RepeatGate(new HashedEmbedder());
    gate.remember('T-1', 'kb-mtu', SHOWN_FIRST, '1');
    gate.remember('T-1', 'kb-reinstall', DIFFERENT, '2');
    expect(await gate.repeatOf('T-1', 'kb-mtu-howto', PARAPHRASE)).toMatch(/means the same/);
    expect(await gate.repeatOf('T-2', 'kb-mtu-howto', PARAPHRASE)).toBeNull();
  });

  it('without an embedder, or when it fails, still stops repeats by entry id and word overlap, and shows the rest', async () => {
    const failing: Embedder = { id: 'broken', dimensions: 4, embed: async () => Promise.reject(new Error('model server unreachable')) };
    for (const gate of [new RepeatGate(), new RepeatGate(failing)]) {
      gate.remember('T-1', 'kb-mtu', SHOWN_FIRST, '1');
      expect(await gate.repeatOf('T-1', 'kb-mtu', DIFFERENT)).toMatch(/cites kb-mtu/);
      expect(await gate.repeatOf('T-1', 'kb-mtu-howto', PARAPHRASE)).toBeNull();
    }
  });
});
