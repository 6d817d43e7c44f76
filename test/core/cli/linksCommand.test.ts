import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { linksCommand, LinksUsageError } from '../../../core/cli/linksCommand';
import { main } from '../../../core/cli/vigil';
import { linkEntryId } from '../../../core/learn/sharedLinks';
import { readPrivacySettings, writePrivacySettings } from '../../../core/privacy/privacySettings';
import { tempFolder } from '../../support/tempFolder';

function capture() {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { out: { log: (l: string) => stdout.push(l), error: (l: string) => stderr.push(l) }, stdout, stderr };
}

const PAGE = '<html><head><title>VPN drops on hotel networks</title></head><body><p>Lower the tunnel MTU to 1380 in the client settings.</p></body></html>';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

/** A loopback documentation page that records every request it gets. */
async function docsPage(): Promise<{ url: string; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/kb/vpn`, seen };
}

describe('vigil links', () => {
  it('allows, lists and removes documentation hosts in the data folder, normalised and once each', async () => {
    const dataDir = await tempFolder('vigil-links-cli-');
    const list = capture();
    expect(await linksCommand(['list', '--data-dir', dataDir], list.out)).toBe(0);
    expect(list.stdout).toEqual(['no documentation hosts: no shared link is fetched']);

    const allow = capture();
    expect(await linksCommand(['allow', 'Docs.Example.com', 'kb.example.org.', '--data-dir', dataDir], allow.out)).toBe(0);
    expect(await linksCommand(['allow', 'docs.example.com', '--data-dir', dataDir], allow.out)).toBe(0);
    expect((await readPrivacySettings(dataDir)).documentationHosts).toEqual(['docs.example.com', 'kb.example.org']);
    expect(allow.stderr[0]).toMatch(/vigil watch uses this list from its next start/);

    const after = capture();
    await linksCommand(['list', '--data-dir', dataDir], after.out);
    expect(after.stdout.slice(1)).toEqual(['  docs.example.com', '  kb.example.org']);

    expect(await linksCommand(['remove', 'docs.example.com', '--data-dir', dataDir], capture().out)).toBe(0);
    expect((await readPrivacySettings(dataDir)).documentationHosts).toEqual(['kb.example.org']);
  });

  it('keeps the other privacy settings and says so when offline mode holds the hosts back', async () => {
    const dataDir = await tempFolder('vigil-links-cli-');
    await writePrivacySettings(dataDir, { offline: true, redactBeforeStorage: true });
    const run = capture();
    await linksCommand(['allow', 'docs.example.com', '--data-dir', dataDir], run.out);
    expect(await readPrivacySettings(dataDir)).toEqual({ offline: true, redactBeforeStorage: true, documentationHosts: ['docs.example.com'] });
    expect(run.stdout.at(-1)).toMatch(/offline mode is on .* fetches nothing from them until it is off/);
  });

  it('names a host that is not one and changes nothing; removing a host not on the list fails', async () => {
    const dataDir = await tempFolder('vigil-links-cli-');
    await linksCommand(['allow', 'docs.example.com', '--data-dir', dataDir], capture().out);
    const before = await readFile(join(dataDir, 'settings.json'), 'utf8');
    await expect(linksCommand(['allow', 'kb.example.org', 'https://docs.example.com/guide', '--data-dir', dataDir], capture().out)).rejects.toThrow(
      '"https://docs.example.com/guide" is not a host name',
    );
    const missing = capture();
    expect(await linksCommand(['remove', 'kb.example.org', '--data-dir', dataDir], missing.out)).toBe(1);
    expect(missing.stderr).toEqual(['vigil: kb.example.org is not on the list of documentation hosts; nothing was changed (see `vigil links list`)']);
    expect(await readFile(join(dataDir, 'settings.json'), 'utf8')).toBe(before);
  });

  it('prints the usage for a mistake on the command line, through vigil', async () => {
    await expect(linksCommand(['allow'], capture().out)).rejects.toThrow(LinksUsageError);
    const run = capture();
    expect(await main(['links', 'forget', 'x', '--data-dir', await tempFolder('vigil-links-cli-')], run.out)).toBe(2);
    expect(run.stderr.join('\n')).toMatch(/unknown links command "forget" \(use allow, list or remove\)/);
  });
});

describe('vigil watch --once with documentation hosts', () => {
  /** A folder with one open ticket whose analyst reply links to `url`. */
  async function folderSharing(url: string): Promise<{ dataDir: string; tickets: string }> {
    const root = await tempFolder('vigil-links-watch-');
    const tickets = join(root, 'tickets');
    await mkdir(tickets);
    const ticket = {
      id: 'T-7',
      subject: 'VPN drops at the hotel',
      status: 'open',
      messages: [
        { id: '1', author: 'customer', text: 'My VPN drops every few minutes on the hotel wifi.' },
        { id: '2', author: 'analyst', text: `This page explains the fix: ${url}` },
      ],
    };
    await writeFile(join(tickets, 't7.json'), JSON.stringify(ticket));
    return { dataDir: join(root, 'data'), tickets };
  }

  it('turns the analyst\'s link on an allowed host into an article candidate in the review queue', async () => {
    const page = await docsPage();
    const { dataDir, tickets } = await folderSharing(page.url);
    expect(await main(['links', 'allow', '127.0.0.1', '--data-dir', dataDir], capture().out)).toBe(0);

    const run = capture();
    expect(await main(['watch', '--folder', tickets, '--once', '--data-dir', dataDir], run.out)).toBe(0);
    const id = linkEntryId(page.url);
    expect(run.stdout).toContainEqual(expect.stringMatching(new RegExp(`folder:T-7 shared ${page.url}: article candidate ${id} "VPN drops on hotel networks" \\(in the review queue\\)`)));
    expect(page.seen).toEqual(['/kb/vpn']);

    const queue = capture();
    expect(await main(['kb', 'review', '--list', '--data-dir', dataDir], queue.out)).toBe(0);
    expect(queue.stdout.join('\n')).toContain(id);
    expect(queue.stdout.join('\n')).toContain('VPN drops on hotel networks');
  });

  it('contacts nothing for a link on a host the team has not listed, or with offline mode on', async () => {
    const page = await docsPage();
    const unlisted = await folderSharing(page.url);
    const run = capture();
    expect(await main(['watch', '--folder', unlisted.tickets, '--once', '--data-dir', unlisted.dataDir], run.out)).toBe(0);
    expect(run.stdout).toContainEqual(expect.stringMatching(/shared .*: not fetched: the team has listed no documentation hosts/));

    const offline = await folderSharing(page.url);
    await main(['links', 'allow', '127.0.0.1', '--data-dir', offline.dataDir], capture().out);
    const held = capture();
    expect(await main(['watch', '--folder', offline.tickets, '--once', '--offline', '--data-dir', offline.dataDir], held.out)).toBe(0);
    expect(held.stdout).toContainEqual(expect.stringMatching(/shared .*: not fetched: offline mode is on/));

    // The loopback server never heard from either run.
    expect(page.seen).toEqual([]);
  });
});
