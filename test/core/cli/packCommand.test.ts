import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { main } from '../../../core/cli/vigil';
import { NETWORK_ENTRIES } from '../packs/packFixtures';

function capture(): { out: { log: (l: string) => void; error: (l: string) => void }; stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { out: { log: (l) => stdout.push(l), error: (l) => stderr.push(l) }, stdout, stderr };
}

async function vigil(...args: string[]): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
  const c = capture();
  const code = await main(args, c.out);
  return { code, stdout: c.stdout, stderr: c.stderr };
}

const ESC = '\u001b';
/** Terminal escapes a hostile pack might carry: clear the screen, set the window title, rewrite the current line. */
const ESCAPES = `${ESC}[2J${ESC}[H${ESC}]0;pwned\u0007\rintegrity: VERIFIED OK${ESC}[31m\u009b2J`;

describe('vigil pack with hostile text in a pack', () => {
  it('prints no control character from an untrusted pack in inspect and list, and shows key ids beside names', async () => {
    const dir = await tempFolder('vigil-packcli-esc-');
    const keys = join(dir, 'k');
    const keyId = /^key ([0-9a-f]{16}):/.exec((await vigil('pack', 'keygen', '--out', keys)).stdout[0]!)![1]!;
    const entries = join(dir, 'entries.jsonl');
    await writeFile(entries, `${JSON.stringify({ id: 'e1', kind: 'article', title: `Title ${ESCAPES}`, body: 'b' })}\n`);
    const pack = join(dir, 'p.vpack');
    expect((await vigil('pack', 'build', '--name', 'esc', '--version', '1.0.0', '--team', `net${ESCAPES}`, '--description', `desc${ESCAPES}\nsignature: none`, '--entries', entries, '--key', `${keys}.private.pem`, '--out', pack)).code).toBe(0);

    const inspected = await vigil('pack', 'inspect', pack, '--entries');
    expect(inspected.code).toBe(0);
    const printed = [...inspected.stdout, ...inspected.stderr].join('\n');
    // eslint-disable-next-line no-control-regex -- looking for control characters is the point
    expect(printed).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(inspected.stdout).toHaveLength(6); // pack, team, entries, signature, integrity, the one entry: no line added
    expect(inspected.stdout[0]).toBe('pack: esc 1.0.0 (desc[2J[H]0;pwned integrity: VERIFIED OK[31m2J signature: none)');

    const dataDir = join(dir, 'data');
    expect((await vigil('pack', 'trust', 'add', `${keys}.public.pem`, '--name', `Net${ESCAPES}`, '--data-dir', dataDir)).code).toBe(0);
    expect((await vigil('pack', 'install', pack, '--data-dir', dataDir)).code).toBe(0);
    const listed = await vigil('pack', 'list', '--data-dir', dataDir);
    // eslint-disable-next-line no-control-regex -- looking for control characters is the point
    expect(listed.stdout.join('\n')).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(listed.stdout[0]).toContain(`(key ${keyId})`);
    const trustList = await vigil('pack', 'trust', 'list', '--data-dir', dataDir);
    expect(trustList.stdout[0]).toMatch(new RegExp(`^${keyId}  Net\\[2J`));
  });

  it('refuses a second trusted key under a name another key goes by, and binds a key to pack names with --packs', async () => {
    const dir = await tempFolder('vigil-packcli-names-');
    await vigil('pack', 'keygen', '--out', join(dir, 'a'));
    await vigil('pack', 'keygen', '--out', join(dir, 'b'));
    const dataDir = join(dir, 'data');
    expect((await vigil('pack', 'trust', 'add', join(dir, 'a.public.pem'), '--name', 'Network team', '--data-dir', dataDir)).code).toBe(0);
    const twin = await vigil('pack', 'trust', 'add', join(dir, 'b.public.pem'), '--name', 'Network team', '--data-dir', dataDir);
    expect(twin).toMatchObject({ code: 1, stderr: [expect.stringMatching(/already has a key named "Network team" \(key [0-9a-f]{16}\)/)] });
    const bound = await vigil('pack', 'trust', 'add', join(dir, 'b.public.pem'), '--name', 'Printers', '--packs', 'printer-faq', '--team', 'print', '--data-dir', dataDir);
    expect(bound.stdout[0]).toMatch(/^trusted key [0-9a-f]{16} as "Printers"; may publish packs printer-faq of team print$/);
  });
});

describe('vigil pack', () => {
  it('publishes a pack on one machine and installs it on another that trusts the key, offline', async () => {
    const dir = await tempFolder('vigil-packcli-');
    const entries = join(dir, 'entries.jsonl');
    await writeFile(entries, `${NETWORK_ENTRIES.map((e) => JSON.stringify(e)).join('\n')}\n{"id":"broken","kind":"article"}\n`);
    const base = join(dir, 'keys', 'network');
    await mkdir(join(dir, 'keys'));

    const keygen = await vigil('pack', 'keygen', '--out', base);
    expect(keygen.code).toBe(0);
    const keyId = /^key ([0-9a-f]{16}):/.exec(keygen.stdout[0]!)?.[1];
    expect(keyId).toBeDefined();
    expect((await stat(`${base}.private.pem`)).mode & 0o777).toBe(0o600);

    // Build unsigned, then sign: the two steps an admin with an offline signing machine takes.
    const pack = join(dir, 'network-basics-1.0.0.vpack');
    const built = await vigil('pack', 'build', '--name', 'network-basics', '--version', '1.0.0', '--team', 'network', '--entries', entries, '--out', pack);
    expect(built).toMatchObject({ code: 0, stderr: [`skipped ${entries}:4: body: is missing (expected string)`] });
    expect(built.stdout[0]).toMatch(/network-basics 1\.0\.0, 3 of 3 entries, unsigned/);
    expect(await vigil('pack', 'sign', pack, '--key', `${base}.private.pem`)).toMatchObject({ code: 0, stdout: [`signed ${pack} with key ${keyId}`] });

    const inspected = await vigil('pack', 'inspect', pack, '--entries');
    expect(inspected.code).toBe(0);
    expect(inspected.stdout).toContain(`signature: ed25519, key ${keyId}`);
    expect(inspected.stdout).toContain('integrity: signature valid, entries match the manifest');
    expect(inspected.stdout.some((l) => l.includes('net-dns'))).toBe(true);
    expect(await vigil('pack', 'verify', pack, '--key', `${base}.public.pem`)).toMatchObject({ code: 0 });

    // The analyst's machine: not trusted yet, so verify says so and install refuses.
    const dataDir = join(dir, 'analyst');
    const untrusted = await vigil('pack', 'verify', pack, '--data-dir', dataDir);
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr[0]).toMatch(/not in this team's trust list/);
    const refused = await vigil('pack', 'install', pack, '--data-dir', dataDir);
    expect(refused.code).toBe(1);
    expect(refused.stderr[0]).toMatch(/^vigil: refused: .*signed by key [0-9a-f]{16}, which is not in this team's trust list/);

    expect(await vigil('pack', 'trust', 'add', `${base}.public.pem`, '--name', 'Network team', '--data-dir', dataDir)).toMatchObject({ code: 0, stdout: [`trusted key ${keyId} as "Network team"; may publish any pack name not claimed by another key`] });
    expect((await vigil('pack', 'trust', 'list', '--data-dir', dataDir)).stdout[0]).toMatch(new RegExp(`^${keyId}  Network team`));
    expect(await vigil('pack', 'install', pack, '--data-dir', dataDir)).toMatchObject({ code: 0, stdout: [`installed network-basics 1.0.0 (3 entries, signed by Network team, key ${keyId})`] });
    expect((await vigil('pack', 'list', '--data-dir', dataDir)).stdout[0]).toMatch(/^network-basics 1\.0\.0 {2}3 entries {2}team network {2}signed by Network team/);

    // Search and its citation name the pack and version, beside the team's own knowledge.
    const own = join(dir, 'own.jsonl');
    await writeFile(own, `${JSON.stringify({ id: 'own-printer', kind: 'article', title: 'Printer jams', body: 'Open tray 2 and remove the paper.' })}\n`);
    expect((await vigil('kb', 'import', own, '--data-dir', dataDir)).code).toBe(0);
    const search = await vigil('kb', 'search', 'vpn', 'disconnects', 'at', 'the', 'hotel', '--json', '--data-dir', dataDir);
    expect(JSON.parse(search.stdout[0]!)).toMatchObject({ id: 'net-vpn-mtu', pack: { name: 'network-basics', version: '1.0.0' } });
    const printer = await vigil('kb', 'search', 'printer', 'jams', '--json', '--data-dir', dataDir);
    expect(JSON.parse(printer.stdout[0]!)).toMatchObject({ id: 'own-printer' });
    expect(JSON.parse(printer.stdout[0]!)).not.toHaveProperty('pack');

    // A subscription folder brings the next version.
    const share = join(dir, 'share');
    await mkdir(share);
    expect((await vigil('pack', 'subscribe', share, 'network-basics', '--data-dir', dataDir)).code).toBe(0);
    expect(await vigil('pack', 'sync', '--data-dir', dataDir)).toMatchObject({ code: 0, stdout: [`${share}: up to date`] });
    const v2 = join(share, 'network-basics-1.1.0.vpack');
    expect((await vigil('pack', 'build', '--name', 'network-basics', '--version', '1.1.0', '--team', 'network', '--entries', entries, '--key', `${base}.private.pem`, '--out', v2)).code).toBe(0);
    expect((await vigil('pack', 'sync', '--data-dir', dataDir)).stdout).toEqual([`upgraded network-basics 1.0.0 → 1.1.0 from ${v2}`]);

    // A downgrade by hand is refused, saying so.
    const down = await vigil('pack', 'install', pack, '--data-dir', dataDir);
    expect(down.code).toBe(1);
    expect(down.stderr[0]).toMatch(/network-basics 1\.0\.0 is older than the installed 1\.1\.0\. Refused: installing an older version is a downgrade/);

    expect(await vigil('pack', 'remove', 'network-basics', '--data-dir', dataDir)).toMatchObject({ code: 0, stdout: ['removed network-basics 1.1.0'] });
    expect((await vigil('pack', 'list', '--data-dir', dataDir)).stdout).toEqual(['no packs installed']);
  });

  it('exports the team’s approved knowledge with filters and redaction', async () => {
    const dir = await tempFolder('vigil-packcli-');
    const dataDir = join(dir, 'team');
    const entries = join(dir, 'team.jsonl');
    await writeFile(
      entries,
      [
        { id: 'a', kind: 'article', title: 'VPN', body: 'Write to ops@example.com if the VPN fails.', tags: ['vpn'] },
        { id: 'b', kind: 'article', title: 'Printer', body: 'Printers live on floor 2.', tags: ['print'] },
        { id: 'c', kind: 'article', title: 'Old VPN', body: 'Old advice.', tags: ['vpn'], status: 'retired' },
      ]
        .map((e) => JSON.stringify(e))
        .join('\n'),
    );
    expect((await vigil('kb', 'import', entries, '--data-dir', dataDir)).code).toBe(0);
    await vigil('pack', 'keygen', '--out', join(dir, 'k'));
    const out = join(dir, 'vpn.vpack');
    const result = await vigil('pack', 'build', '--name', 'vpn', '--version', '1.0.0', '--team', 'desk', '--tag', 'vpn', '--key', join(dir, 'k.private.pem'), '--out', out, '--data-dir', dataDir);
    expect(result.code).toBe(0);
    expect(result.stderr).toEqual(['redacted in a: 1 email']);
    expect(result.stdout[0]).toMatch(/pack vpn 1\.0\.0, 1 of 3 entries, signed by key [0-9a-f]{16}/);
    const text = await readFile(out, 'utf8');
    expect(text).toContain('Write to [email] if the VPN fails.');
    expect(text).not.toContain('ops@example.com');
  });

  it('explains usage mistakes with exit code 2 and a tampered pack with exit code 1', async () => {
    expect((await vigil('pack', 'build', '--name', 'x')).code).toBe(2);
    const unknown = await vigil('pack', 'frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr[0]).toMatch(/^vigil: unknown pack command "frobnicate"/);

    const dir = await tempFolder('vigil-packcli-');
    await vigil('pack', 'keygen', '--out', join(dir, 'k'));
    const entries = join(dir, 'e.jsonl');
    await writeFile(entries, NETWORK_ENTRIES.map((e) => JSON.stringify(e)).join('\n'));
    const pack = join(dir, 'p.vpack');
    await vigil('pack', 'build', '--name', 'p', '--version', '1.0.0', '--team', 't', '--entries', entries, '--key', join(dir, 'k.private.pem'), '--out', pack);
    await writeFile(pack, (await readFile(pack, 'utf8')).replace('1380', '1381'));
    const inspected = await vigil('pack', 'inspect', pack);
    expect(inspected.code).toBe(1);
    expect(inspected.stderr[0]).toMatch(/p\.vpack:3: entry "net-vpn-mtu" was changed after pack p 1\.0\.0 was signed/);
  });
});
