import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CopilotService } from '../../../core/app/copilotService';
import type { Ticket } from '../../../core/formats/schemas';
import { linkArticleCandidates, linkEntryId, sharedLinks } from '../../../core/learn/sharedLinks';
import { EgressPolicy } from '../../../core/net/egress';
import { writePrivacySettings } from '../../../core/privacy/privacySettings';
import { tempFolder } from '../../support/tempFolder';

const VPN_PAGE = `<!doctype html><html><head><title>VPN drops on hotel networks &amp; how to fix them</title>
<style>body { color: red }</style><script>track()</script></head>
<body><h1>VPN drops</h1><p>Lower the tunnel MTU to 1380 in the client settings.</p><p>Then reconnect.</p></body></html>`;

/** A loopback web server that records every request and answers per path. */
async function docsServer(routes: Record<string, (res: ServerResponse) => void>): Promise<{ port: number; seen: string[]; close: () => Promise<void> }> {
  const seen: string[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push(`${req.headers.host} ${req.url}`);
    const route = routes[req.url ?? ''];
    if (route) return route(res);
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function ticketSharing(...analystTexts: string[]): Ticket {
  return {
    id: 'T-42',
    status: 'open',
    messages: [
      { id: '1', author: 'customer', text: 'My VPN drops every few minutes at the hotel. See http://127.0.0.1:1/customer-link' },
      ...analystTexts.map((text, i) => ({ id: String(i + 2), author: 'analyst' as const, text })),
      { id: '99', author: 'analyst', internal: true, text: 'internal: http://127.0.0.1:1/internal-note' },
    ],
  };
}

const servers: Array<{ close: () => Promise<void> }> = [];
const services: CopilotService[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) await s.close();
  for (const s of servers.splice(0)) await s.close();
});

describe('links the analyst shares become article candidates', () => {
  it('fetches a link on a documentation host the team allows and proposes it in the review queue, naming the ticket and URL', async () => {
    const docs = await docsServer({ '/vpn': (res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(VPN_PAGE) });
    servers.push(docs);
    const service = await CopilotService.open({ dataDir: await tempFolder('vigil-links-'), egress: new EgressPolicy(), allowLinkHosts: ['127.0.0.1'] });
    services.push(service);
    const url = `http://127.0.0.1:${docs.port}/vpn`;
    const outcomes = await service.learnSharedLinks(ticketSharing(`This page explains it: ${url}.`));

    expect(outcomes).toEqual([expect.objectContaining({ url, status: 'candidate' })]);
    const queue = await service.learning.reviewQueue();
    expect(queue.map((i) => i.id)).toEqual([linkEntryId(url)]);
    expect(queue[0]).toMatchObject({ kind: 'article', title: 'VPN drops on hotel networks & how to fix them', sourceTicketIds: ['T-42'] });
    expect(queue[0]!.answer).toMatch(/Lower the tunnel MTU to 1380/);
    expect(queue[0]!.answer).not.toMatch(/track\(\)|color: red/);
    const stored = (await service.getEntries([linkEntryId(url)])).get(linkEntryId(url));
    expect(stored).toMatchObject({ status: 'proposed', source: { type: 'ticket', ref: 'T-42', url } });
    // Only the analyst's public link was fetched: not the customer's, not the internal note's.
    expect(docs.seen).toEqual([`127.0.0.1:${docs.port} /vpn`]);

    // Shared again (another message, another ticket): the candidate exists, nothing is fetched twice.
    expect(await service.learnSharedLinks(ticketSharing(`Again: ${url}`))).toEqual([{ url, status: 'known', entryId: linkEntryId(url) }]);
    expect(docs.seen).toHaveLength(1);
  });

  it('makes no request to a host the team has not allowed, and says why', async () => {
    const docs = await docsServer({ '/private': (res) => res.writeHead(200, { 'content-type': 'text/html' }).end(VPN_PAGE) });
    servers.push(docs);
    const service = await CopilotService.open({ dataDir: await tempFolder('vigil-links-'), egress: new EgressPolicy(), allowLinkHosts: ['127.0.0.1'] });
    services.push(service);
    // The same loopback server under a name that is not on the team's list.
    const url = `http://localhost:${docs.port}/private`;
    const outcomes = await service.learnSharedLinks(ticketSharing(`Try ${url}`));

    expect(outcomes).toEqual([{ url, status: 'not_fetched', reason: expect.stringMatching(/localhost:\d+ is not one of the team's documentation hosts \(127\.0\.0\.1\); nothing was fetched/) }]);
    expect(docs.seen).toEqual([]);
    expect(await service.learning.reviewQueue()).toEqual([]);
  });

  it('fetches nothing at all when the team lists no documentation hosts', async () => {
    const docs = await docsServer({});
    servers.push(docs);
    const outcomes = await linkArticleCandidates(ticketSharing(`See http://127.0.0.1:${docs.port}/vpn`), { allowHosts: [], fetch: new EgressPolicy().fetch });
    expect(outcomes[0]).toMatchObject({ status: 'not_fetched', reason: expect.stringMatching(/listed no documentation hosts/) });
    expect(docs.seen).toEqual([]);
  });

  it('reports a clear error for a missing page, an oversized page, a file that is not a page, a slow server and a redirect off the list', async () => {
    const docs = await docsServer({
      '/big': (res) => res.writeHead(200, { 'content-type': 'text/html' }).end(`<p>${'x'.repeat(5_000)}</p>`),
      '/big-declared': (res) => res.writeHead(200, { 'content-type': 'text/html', 'content-length': '5007' }).end(`<p>${'x'.repeat(5_000)}</p>`),
      '/manual.pdf': (res) => res.writeHead(200, { 'content-type': 'application/pdf' }).end('%PDF-1.7'),
      '/slow': () => undefined, // never answers
      '/moved': (res) => res.writeHead(302, { location: `http://localhost:${docs.port}/elsewhere` }).end(),
    });
    servers.push(docs);
    const base = `http://127.0.0.1:${docs.port}`;
    const ticket = ticketSharing(`${base}/gone ${base}/big ${base}/big-declared ${base}/manual.pdf`, `${base}/slow and ${base}/moved`);
    const outcomes = await linkArticleCandidates(ticket, { allowHosts: ['127.0.0.1'], fetch: new EgressPolicy().fetch, maxBytes: 1_000, timeoutMs: 300 });
    expect(outcomes.map((o) => [o.url.slice(base.length), o.status, 'reason' in o ? o.reason : ''])).toEqual([
      ['/gone', 'failed', `${base}/gone answered HTTP 404 Not Found`],
      ['/big', 'failed', `${base}/big is more than the 1000 bytes an article may be`],
      ['/big-declared', 'failed', `${base}/big-declared is 5 kB, more than the 1000 bytes an article may be`],
      ['/manual.pdf', 'failed', `${base}/manual.pdf is application/pdf, not a web page or text`],
      ['/slow', 'failed', `${base}/slow did not answer within 0.3 s`],
      ['/moved', 'failed', `${base}/moved redirects to http://localhost:${docs.port}/elsewhere, which is not on one of the team's documentation hosts`],
    ]);
    expect(docs.seen.some((s) => s.endsWith('/elsewhere'))).toBe(false);
  });
});

describe('the team\'s documentation hosts and the connection policy', () => {
  it('contacts nothing in offline mode, even a documentation host the team listed', async () => {
    const docs = await docsServer({ '/vpn': (res) => res.writeHead(200, { 'content-type': 'text/html' }).end(VPN_PAGE) });
    servers.push(docs);
    const linkEgress = new EgressPolicy({ offline: true });
    const service = await CopilotService.open({ dataDir: await tempFolder('vigil-links-'), egress: new EgressPolicy(), linkEgress, allowLinkHosts: ['127.0.0.1'] });
    services.push(service);
    const url = `http://127.0.0.1:${docs.port}/vpn`;

    expect(await service.learnSharedLinks(ticketSharing(`See ${url}`))).toEqual([{ url, status: 'not_fetched', reason: expect.stringMatching(/offline mode is on/) }]);
    expect(docs.seen).toEqual([]);
    expect(await service.learning.reviewQueue()).toEqual([]);

    // The same link once offline mode is off: fetched, so it was offline mode that held it back.
    linkEgress.setOffline(false);
    expect(await service.learnSharedLinks(ticketSharing(`See ${url}`))).toEqual([expect.objectContaining({ url, status: 'candidate' })]);
    expect(docs.seen).toEqual([`127.0.0.1:${docs.port} /vpn`]);
  });

  it('fetches through the connection policy, which the documentation hosts are allowed on', async () => {
    const asked: string[] = [];
    // No DNS here: the policy's resolver records the name it was asked to check, and fails as an unknown name would.
    const linkEgress = new EgressPolicy({
      resolveAll: async (host) => {
        asked.push(host);
        throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
      },
    });
    const service = await CopilotService.open({ dataDir: await tempFolder('vigil-links-'), egress: new EgressPolicy(), linkEgress, allowLinkHosts: ['docs.example.com'] });
    services.push(service);
    expect(linkEgress.check('docs.example.com')).toEqual({ allowed: true, host: 'docs.example.com', rule: 'documentation' });

    const outcomes = await service.learnSharedLinks(ticketSharing('See https://docs.example.com/vpn'));
    expect(outcomes).toEqual([{ url: 'https://docs.example.com/vpn', status: 'failed', reason: expect.stringMatching(/ENOTFOUND docs\.example\.com/) }]);
    expect(asked).toEqual(['docs.example.com']);

    linkEgress.setOffline(true);
    expect((await service.learnSharedLinks(ticketSharing('See https://docs.example.com/other')))[0]).toMatchObject({ status: 'not_fetched' });
    expect(asked).toHaveLength(1);
  });

  it('reads the hosts from the data folder, and a change applies to the next link without reopening', async () => {
    const docs = await docsServer({
      '/vpn': (res) => res.writeHead(200, { 'content-type': 'text/html' }).end(VPN_PAGE),
      '/mail': (res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('Mail: check the outbox.'),
    });
    servers.push(docs);
    const dataDir = await tempFolder('vigil-links-');
    await writePrivacySettings(dataDir, { documentationHosts: ['127.0.0.1'] });
    const linkEgress = new EgressPolicy();
    const service = await CopilotService.open({ dataDir, egress: new EgressPolicy(), linkEgress });
    services.push(service);
    expect(service.documentationHosts()).toEqual(['127.0.0.1']);
    expect(await service.learnSharedLinks(ticketSharing(`See http://127.0.0.1:${docs.port}/vpn`))).toEqual([expect.objectContaining({ status: 'candidate' })]);

    service.setDocumentationHosts(['docs.example.com']);
    expect(linkEgress.allowedHosts()).toEqual(['docs.example.com']);
    const outcome = (await service.learnSharedLinks(ticketSharing(`See http://127.0.0.1:${docs.port}/mail`)))[0];
    expect(outcome).toMatchObject({ status: 'not_fetched', reason: expect.stringMatching(/not one of the team's documentation hosts \(docs\.example\.com\)/) });
    expect(docs.seen).toEqual([`127.0.0.1:${docs.port} /vpn`]);
    expect(() => service.setDocumentationHosts(['docs.example.com/guide'])).toThrow('"docs.example.com/guide" is not a host name');
    expect(service.documentationHosts()).toEqual(['docs.example.com']);
  });
});

describe('sharedLinks', () => {
  it('takes the analyst\'s public links once each, without trailing punctuation', () => {
    const ticket = ticketSharing('See https://docs.example.com/vpn#mtu, then https://docs.example.com/vpn#mtu again.');
    expect(sharedLinks(ticket)).toEqual([{ url: 'https://docs.example.com/vpn#mtu', messageId: '2' }]);
  });
});
