/**
 * Links to documentation that the analyst shares in a conversation become article candidates (Vigil's AutoDoc):
 * the page is fetched, its title and text extracted, and the article is proposed in the review queue with a source
 * that names the ticket and the URL. Nothing is fetched from a host the team has not listed as a documentation
 * host (the same list that lets links through in answers, `allowLinkHosts`): a link elsewhere gets a note saying
 * why, and no request. Allowed links are fetched through the engine's guarded fetch (core/net/egress.ts), each
 * redirect checked against the list again, with a size and a time limit.
 */
import { createHash } from 'node:crypto';
import type { Ticket } from '../formats/schemas';
import { htmlToText } from '../formats/knowledgeImport';
import type { StoredEntry } from '../knowledge/storedEntry';
import { urlAllowed } from '../llm/promptSafety';
import { errorMessage } from '../formats/errorMessage';

/** A page larger than this is not an article a helpdesk card can use (documentation pages are 20–300 kB of HTML). */
export const MAX_PAGE_BYTES = 2 * 1024 * 1024;
/** A documentation server that has not answered in this time is down or not a documentation server. */
export const FETCH_TIMEOUT_MS = 10_000;
/** Redirects followed, each to an allowed host (a docs site's `/latest/` → `/v5/` is one or two). */
const MAX_REDIRECTS = 3;
/** Longest article text kept: the rest of a very long page is left out (and says so). */
const ARTICLE_CHARS = 20_000;
const TEXT_TYPES = /^(text\/html|application\/xhtml\+xml|text\/plain|text\/markdown)\b/i;

export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface SharedLink {
  url: string;
  /** The analyst's message that shared it. */
  messageId: string;
}

/** What happened to one shared link. */
export type LinkOutcome =
  | { url: string; status: 'candidate'; entry: StoredEntry }
  | { url: string; status: 'not_fetched'; reason: string }
  | { url: string; status: 'known'; entryId: string }
  | { url: string; status: 'failed'; reason: string };

export interface LinkCandidateOptions {
  /** The team's documentation hosts: the only hosts a link is fetched from (subdomains included). */
  allowHosts: readonly string[];
  /** The engine's guarded fetch (`EgressPolicy.fetch`). */
  fetch: Fetch;
  now?: Date;
  maxBytes?: number;
  timeoutMs?: number;
  /** True when an entry with this id exists already: its link is not fetched again. */
  known?: (entryId: string) => Promise<boolean>;
}

const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"'`)\]]+/gi;

/** The http(s) links in the analyst's public messages, in order, each once (trailing punctuation trimmed). */
export function sharedLinks(ticket: Ticket): SharedLink[] {
  const seen = new Set<string>();
  const links: SharedLink[] = [];
  for (const message of ticket.messages) {
    if (message.author !== 'analyst' || message.internal) continue;
    for (const match of message.text.matchAll(URL_IN_TEXT)) {
      const url = match[0].replace(/[.,;:!?]+$/, '');
      if (seen.has(url)) continue;
      seen.add(url);
      links.push({ url, messageId: message.id });
    }
  }
  return links;
}

/** Whether the analyst shared a link on `ticket` that its previous copy (`before`) did not have. */
export function sharesNewLinks(ticket: Ticket, before: Ticket | undefined): boolean {
  const earlier = new Set((before ? sharedLinks(before) : []).map((l) => l.url));
  return sharedLinks(ticket).some((l) => !earlier.has(l.url));
}

/** The id of the article candidate for a URL: the same link shared on two tickets is one candidate. */
export function linkEntryId(url: string): string {
  return `link-${createHash('sha256').update(url).digest('hex').slice(0, 16)}`;
}

function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  return bytes < 1024 * 1024 ? `${Math.round(bytes / 1024)} kB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** A page's body, read up to `maxBytes` (an error past it, without reading the rest). */
async function readCapped(response: Response, url: string, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) throw new Error(`${url} is ${sizeText(declared)}, more than the ${sizeText(maxBytes)} an article may be`);
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new Error(`${url} is more than the ${sizeText(maxBytes)} an article may be`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function titleOf(html: string): string | null {
  const title = /<title\b[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1] ?? /<h1\b[^>]*>([\s\S]*?)<\/h1>/i.exec(html)?.[1];
  const text = title ? htmlToText(title).replace(/\s+/g, ' ').trim() : '';
  return text || null;
}

/**
 * Fetches a documentation page and extracts its title and text. Rejects with a message naming the URL and what
 * went wrong (status, size, time, type, a redirect off the team's hosts).
 */
export async function fetchArticle(url: string, options: LinkCandidateOptions): Promise<{ title: string; text: string; url: string }> {
  const maxBytes = options.maxBytes ?? MAX_PAGE_BYTES;
  const timeoutMs = options.timeoutMs ?? FETCH_TIMEOUT_MS;
  const signal = AbortSignal.timeout(timeoutMs);
  let current = url;
  try {
    for (let hop = 0; ; hop++) {
      const response = await options.fetch(current, { redirect: 'manual', signal, headers: { accept: 'text/html, text/plain;q=0.8' } });
      if (response.status >= 300 && response.status < 400 && response.headers.get('location')) {
        const next = new URL(response.headers.get('location')!, current).href;
        if (!urlAllowed(next, { sources: [], allowHosts: options.allowHosts })) {
          throw new Error(`${current} redirects to ${next}, which is not on one of the team's documentation hosts`);
        }
        if (hop >= MAX_REDIRECTS) throw new Error(`${url} redirects more than ${MAX_REDIRECTS} times`);
        current = next;
        continue;
      }
      if (!response.ok) throw new Error(`${current} answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
      const type = response.headers.get('content-type') ?? '';
      if (!TEXT_TYPES.test(type)) throw new Error(`${current} is ${type.split(';')[0] || 'of no stated type'}, not a web page or text`);
      const body = await readCapped(response, current, maxBytes);
      const html = /html/i.test(type);
      const text = (html ? htmlToText(body) : body).replace(/\n{3,}/g, '\n\n').trim();
      if (!text) throw new Error(`${current} has no text`);
      const title = (html ? titleOf(body) : null) ?? new URL(current).pathname.split('/').filter(Boolean).pop() ?? new URL(current).host;
      return { title, text, url: current };
    }
  } catch (error) {
    if (signal.aborted) throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
    throw error;
  }
}

/**
 * Article candidates from the links the analyst shared on `ticket` (status `proposed`: they wait in the review
 * queue). A link off the team's documentation hosts is not fetched; the outcome says why.
 */
export async function linkArticleCandidates(ticket: Ticket, options: LinkCandidateOptions): Promise<LinkOutcome[]> {
  const outcomes: LinkOutcome[] = [];
  const now = (options.now ?? new Date()).toISOString();
  for (const { url } of sharedLinks(ticket)) {
    if (!urlAllowed(url, { sources: [], allowHosts: options.allowHosts })) {
      const host = new URL(url).host;
      outcomes.push({
        url,
        status: 'not_fetched',
        reason: options.allowHosts.length
          ? `${host} is not one of the team's documentation hosts (${options.allowHosts.join(', ')}); nothing was fetched`
          : `the team has listed no documentation hosts, so no link is fetched (${host})`,
      });
      continue;
    }
    const id = linkEntryId(url);
    if (await options.known?.(id)) {
      outcomes.push({ url, status: 'known', entryId: id });
      continue;
    }
    try {
      const page = await fetchArticle(url, options);
      const cut = page.text.length > ARTICLE_CHARS;
      const entry: StoredEntry = {
        id,
        kind: 'article',
        title: page.title,
        body: cut ? `${page.text.slice(0, ARTICLE_CHARS)}\n[…the rest of the page is at ${url}]` : page.text,
        // The spec's source of a learned entry is its ticket; the link it came from travels beside it.
        source: { type: 'ticket', ref: ticket.id, url },
        updatedAt: now,
        status: 'proposed',
        provenance: { sourceTicketIds: [ticket.id], createdAt: now },
      };
      outcomes.push({ url, status: 'candidate', entry });
    } catch (error) {
      outcomes.push({ url, status: 'failed', reason: errorMessage(error) });
    }
  }
  return outcomes;
}
