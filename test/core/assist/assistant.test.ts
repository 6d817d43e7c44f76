import { afterEach, describe, expect, it } from 'vitest';
import { Assistant } from '../../../core/assist/assistant';
import { presentHit } from '../../../core/assist/citedHits';
import { HashedEmbedder } from '../../../core/embed/hashedEmbedder';
import type { Entry, Message, Ticket } from '../../../core/formats/schemas';
import { KnowledgeStore, type SearchHit } from '../../../core/knowledge/knowledgeStore';
import { toStoredEntry } from '../../../core/knowledge/storedEntry';
import { RUNBOOK_ARTICLE, stored } from '../../fixtures/storeEntries';
import { tempFolder } from '../../support/tempFolder';


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

const VPN: Entry = {
  id: 'qa-vpn',
  kind: 'qa',
  question: 'The VPN disconnects every few minutes when I work from a hotel',
  body: 'Lower the tunnel MTU to 1380 in the VPN client settings, then reconnect.',
};
/** Entries of a small team's store that have nothing to do with printers, monitors or passwords. */
const OTHERS: Entry[] = [
  { id: 'qa-calendar', kind: 'qa', question: 'How do I share my Outlook calendar with a colleague?', body: 'In Outlook, right-click the calendar, choose Share, and add the colleague.' },
  { id: 'kb-expenses', kind: 'article', title: 'Expense reports', body: 'Expense reports are approved by your manager within five working days; receipts over 25 euros must be attached.' },
  { id: 'kb-teams-recording', kind: 'article', title: 'Recording a Teams meeting', body: 'Start the recording from the meeting controls; the file appears in the chat when the meeting ends.' },
  { id: 'qa-parking', kind: 'qa', question: 'Where can visitors park at the office?', body: 'Visitors park on level -2; reception hands out the exit ticket.' },
];

const UNRELATED = [
  'My printer does not print anything, the jobs stay stuck in the queue.',
  'The second monitor stays black after I plug the laptop into the docking station.',
  'I forgot my password and now I cannot log in to my account.',
];

let store: KnowledgeStore | null = null;
afterEach(async () => {
  await store?.close();
  store = null;
});

async function storeWith(entries: readonly Entry[]): Promise<KnowledgeStore> {
  store = await KnowledgeStore.open(await tempFolder('vigil-assistant-'), new HashedEmbedder());
  const now = new Date().toISOString();
  await store.upsert(entries.map((e) => toStoredEntry(e, { status: 'approved', now })));
  await store.flush();
  return store;
}

const say = (author: Message['author'], text: string, i: number): Message => ({ id: String(i + 1), author, text });
function ticket(id: string, ...turns: Array<[Message['author'], string]>): Ticket {
  return { id, status: 'open', messages: turns.map(([author, text], i) => say(author, text, i)) };
}

describe('the gate on a new team’s small store', () => {
  for (const size of [1, 2, 5]) {
    it(`stays silent on unrelated messages with ${size} ${size === 1 ? 'entry' : 'entries'}, and still helps with the one it knows`, async () => {
      const assistant = new Assistant(await storeWith([VPN, ...OTHERS].slice(0, size)));
      for (const [i, text] of UNRELATED.entries()) {
        const decision = await assistant.onCustomerMessage(ticket(`T-${i}`, ['customer', text]), 0, performance.now());
        expect(decision.shown, `${text} → ${decision.gates.map((g) => g.detail).join(' / ')}`).toBe(false);
      }
      const related = await assistant.onCustomerMessage(ticket('T-vpn', ['customer', 'My VPN keeps disconnecting every few minutes at the hotel.']), 0, performance.now());
      expect(related.shown, related.gates.map((g) => g.detail).join(' / ')).toBe(true);
      expect(related.citations[0]?.entryId).toBe('qa-vpn');
    });
  }
});

describe('a dialogue with the analyst', () => {
  const STEPS: Entry[] = [
    {
      id: 'kb-vpn-restart',
      kind: 'article',
      title: 'VPN keeps disconnecting: first restart the VPN client',
      body: 'Quit the VPN client completely, start it again and reconnect. Ask the customer whether the VPN still disconnects afterwards.',
    },
    {
      id: 'kb-vpn-hotel',
      kind: 'article',
      title: 'VPN still disconnects on hotel Wi-Fi after a restart',
      body: 'Hotel Wi-Fi networks often use a small MTU: lower the tunnel MTU to 1380 in the VPN client settings.',
    },
    ...OTHERS,
  ];

  it('offers the second resolution step once the customer answers the diagnostic question, instead of going quiet', async () => {
    const assistant = new Assistant(await storeWith(STEPS));
    const turns: Array<[Message['author'], string]> = [
      ['customer', 'My VPN keeps disconnecting every few minutes.'],
      ['analyst', 'Sorry about that. Did restarting the VPN client help, and are you on a hotel Wi-Fi?'],
      ['customer', 'No it did not, and yes I am.'],
    ];
    const first = await assistant.onCustomerMessage(ticket('T-steps', ...turns.slice(0, 1)), 0, performance.now());
    expect(first.shown).toBe(true);
    expect(first.citations[0]?.entryId).toBe('kb-vpn-restart');

    const second = await assistant.onCustomerMessage(ticket('T-steps', ...turns), 2, performance.now());
    expect(second.shown, second.gates.map((g) => g.detail).join(' / ')).toBe(true);
    expect(second.citations[0]?.entryId).toBe('kb-vpn-hotel');
    expect(second.text).toMatch(/MTU to 1380/);
  });

  it('stays silent once the customer says the step fixed it, even in answer to the analyst’s question', async () => {
    const assistant = new Assistant(await storeWith(STEPS));
    const turns: Array<[Message['author'], string]> = [
      ['customer', 'My VPN keeps disconnecting every few minutes.'],
      ['analyst', 'Sorry about that. Could you quit the VPN client, start it again and tell me whether it still disconnects?'],
      ['customer', 'Restarting the VPN client fixed it, thanks!'],
    ];
    const thanks = await assistant.onCustomerMessage(ticket('T-fixed', ...turns), 2, performance.now());
    expect({ shown: thanks.shown, reason: thanks.reason }, thanks.gates.map((g) => g.detail).join(' / ')).toEqual({ shown: false, reason: 'out_of_scope' });
  });

  it('steps over an entry already shown and offers the next one as a next step', async () => {
    const assistant = new Assistant(await storeWith(STEPS));
    const opening = ticket('T-again', ['customer', 'My VPN keeps disconnecting every few minutes.']);
    const first = await assistant.onCustomerMessage(opening, 0, performance.now());
    expect(first.citations[0]?.entryId).toBe('kb-vpn-restart');
    // The customer answers that the restart did not help: the restart step matches best again but was shown.
    const again = ticket(
      'T-again',
      ['customer', 'My VPN keeps disconnecting every few minutes.'],
      ['analyst', 'Did you restart the VPN client?'],
      ['customer', 'Yes, I restarted the VPN client and reconnected, and my VPN keeps disconnecting every few minutes. I am in a hotel, on their Wi-Fi.'],
    );
    const next = await assistant.onCustomerMessage(again, 2, performance.now());
    expect(next.gates.some((g) => g.gate === 'repeat' && /stepped over/.test(g.detail)), next.gates.map((g) => g.detail).join(' / ')).toBe(true);
    expect(next.citations[0]?.entryId).toBe('kb-vpn-hotel');
    expect(next.citations.map((c) => c.entryId)).toContain('kb-vpn-restart'); // still listed, after what is offered
    expect({ shown: next.shown, kind: next.kind }, next.gates.map((g) => g.detail).join(" / ")).toEqual({ shown: true, kind: "next_step" });
  });
});

describe('a long article matched through one of its steps', () => {
  const RUNBOOK = RUNBOOK_ARTICLE;

  it('is cited as the article, with the step that matched', async () => {
    const assistant = new Assistant(await storeWith([RUNBOOK, ...OTHERS]));
    const decision = await assistant.onCustomerMessage(
      ticket('T-dock', ['customer', 'My docking station does not charge the laptop, which power brick and dock firmware do I need?']),
      0,
      performance.now(),
    );
    const cited = decision.citations.find((c) => c.entryId === 'kb-new-laptop');
    expect(cited?.passage?.text).toMatch(/docking station does not charge/);
    // The other citations, matched as whole entries, carry no passage.
    expect(decision.citations.filter((c) => c.entryId !== 'kb-new-laptop').every((c) => c.passage === undefined)).toBe(true);
  });
});
