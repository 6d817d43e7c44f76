/**
 * The team's documentation hosts, and the learning that follows from them: links an analyst shares on a ticket
 * become article candidates in the review queue (core/learn/sharedLinks.ts), fetched through the process's egress
 * policy from those hosts only. The same list lets links through in answers; the engine reads it from `hosts`.
 */
import type { Ticket } from '../formats/schemas';
import type { KnowledgeStore } from '../knowledge/knowledgeStore';
import type { EgressPolicy } from '../net/egress';
import { parseDocumentationHosts } from '../privacy/privacySettings';
import type { Learning } from './learning';
import { linkArticleCandidates, sharedLinks, type LinkOutcome } from './sharedLinks';

export interface DocumentationLinksParts {
  /** What shared links are fetched through: the process's policy in the app and `vigil watch` (engineParts.ts). */
  egress: EgressPolicy;
  hosts: readonly string[];
  store: KnowledgeStore;
  learning: Learning;
  /** The ticket as it may be written to the data folder (redacted when the team asked for it). */
  storable: (ticket: Ticket) => Ticket;
}

export class DocumentationLinks {
  private current: readonly string[];

  constructor(private readonly parts: DocumentationLinksParts) {
    this.current = parts.hosts;
    // The fetch of a shared link passes the egress policy too (and the process guard that enforces it in the app).
    parts.egress.setDocumentationHosts(this.current);
  }

  /** The team's documentation hosts now (normalised). */
  get hosts(): readonly string[] {
    return this.current;
  }

  /**
   * Replaces the hosts on the policy links are fetched through, and answers them parsed. A bad host name throws,
   * naming it, and changes nothing.
   */
  replace(hosts: readonly string[]): readonly string[] {
    const parsed = parseDocumentationHosts(hosts);
    this.parts.egress.setDocumentationHosts(parsed);
    this.current = parsed;
    return parsed;
  }

  /**
   * Links to documentation the analyst shared on `ticket` become article candidates in the review queue (source: the
   * ticket, and the URL), fetched from the documentation hosts only; any other link is not fetched, and its outcome
   * says why.
   */
  async learn(ticket: Ticket): Promise<LinkOutcome[]> {
    const { egress, learning, store } = this.parts;
    const at = learning.clock();
    if (egress.offline) {
      // Offline mode means nothing is fetched for learning, even from a documentation host on this machine.
      return sharedLinks(ticket).map(({ url }) => ({ url, status: 'not_fetched', reason: 'offline mode is on, so no shared link is fetched (Settings → Privacy)' }));
    }
    const outcomes = await linkArticleCandidates(this.parts.storable(ticket), {
      allowHosts: this.current,
      fetch: egress.fetch,
      now: at,
      known: async (id) => (await store.get(id)) !== null,
    });
    const proposed: string[] = [];
    for (const outcome of outcomes) {
      if (outcome.status !== 'candidate') continue;
      // History first, as every change in core/learn: a crash after it leaves a version that can be restored.
      await learning.history.record('created', outcome.entry, 'links:shared', { at: at.toISOString(), note: `article from ${outcome.url}, shared by the analyst on ${ticket.id}` });
      await store.upsert([outcome.entry]);
      proposed.push(outcome.entry.id);
    }
    if (proposed.length) learning.announce(proposed);
    return outcomes;
  }
}
