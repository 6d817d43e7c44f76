import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  checkConnectorDraft,
  describeConnectorKinds,
  readConnectorForEdit,
  removeConnectorSettings,
  saveConnectorSettings,
} from '../../../core/connectors/connectorSettings';
import type { ConnectorDraft } from '../../../core/connectors/connectorTypes';
import { loadConnectorsConfig } from '../../../core/connectors/registry';
import { MemorySecretStore } from '../../../core/secrets/secretStore';
import { tempFolder } from '../../support/tempFolder';

/** A file as an admin writes it: their own layout, a field Vigil does not know, and a connector of the CLI's. */
const HAND_WRITTEN = `{
  "format": 1,
  "owner": "it-support@example.com",
  "connectors": [
    {"id": "demo", "kind": "folder", "path": "tickets",   "pollSeconds": 2},
    {
      "id": "fd",
      "kind": "freshdesk",
      "baseUrl": "https://acme.freshdesk.com",
      "token": {"secret": "fd-token"},
      "groups": {"12": "Billing"}
    }
  ]
}
`;

const DEMO_LINE = '{"id": "demo", "kind": "folder", "path": "tickets",   "pollSeconds": 2}';

function rtDraft(overrides: Partial<ConnectorDraft> = {}): ConnectorDraft {
  return {
    kind: 'rt',
    id: 'rt-main',
    values: { baseUrl: 'https://rt.example.com', queue: 'Support', pageSize: '50', writeBack: true },
    secrets: { token: '1-14-0123456789abcdef' },
    ...overrides,
  };
}

describe('connectors.json edited from the app', () => {
  let dataDir: string;
  let file: string;
  let secrets: MemorySecretStore;

  beforeEach(async () => {
    dataDir = await tempFolder('vigil-connector-config-');
    file = join(dataDir, 'connectors.json');
    secrets = new MemorySecretStore();
    await secrets.set('fd-token', 'fd-secret-value');
  });

  it('derives each kind\'s form from its settings schema: types, required fields, defaults and bounds', () => {
    const kinds = describeConnectorKinds();
    expect(kinds.map((k) => k.kind)).toEqual(['folder', 'freshdesk', 'imap', 'jsm', 'rt', 'zammad', 'zendesk']);
    const rt = kinds.find((k) => k.kind === 'rt')!;
    const field = (name: string) => rt.fields.find((f) => f.name === name)!;
    expect(rt.label).toBe('Request Tracker 5');
    expect(field('baseUrl')).toMatchObject({ type: 'url', required: true });
    expect(field('token')).toMatchObject({ type: 'secret', required: true });
    expect(field('pageSize')).toMatchObject({ type: 'number', required: false, defaultValue: 50, min: 1, max: 100 });
    expect(field('queue')).toMatchObject({ type: 'text', required: false });
    expect(field('writeBack')).toMatchObject({ type: 'boolean', defaultValue: false });
    const imap = kinds.find((k) => k.kind === 'imap')!;
    expect(imap.fields.find((f) => f.name === 'tls')).toMatchObject({ type: 'choice', options: ['implicit', 'starttls', 'none'], defaultValue: 'implicit' });
    expect(imap.fields.find((f) => f.name === 'supportAddresses')).toMatchObject({ type: 'list', required: true });
    expect(kinds.find((k) => k.kind === 'folder')!.fields.find((f) => f.name === 'path')).toMatchObject({ type: 'folder', required: true });
    // A setting the form cannot edit is named, and left as it is in the file.
    expect(kinds.find((k) => k.kind === 'freshdesk')!.fileOnlyFields).toEqual(['groups']);
  });

  it('adds a connector without touching the other entries or unknown fields, its token in the secret store only', async () => {
    await writeFile(file, HAND_WRITTEN);
    expect(await saveConnectorSettings(dataDir, { mode: 'add', draft: rtDraft() }, secrets)).toEqual({ ok: true, id: 'rt-main' });
    const text = await readFile(file, 'utf8');
    // Everything before the new entry is the admin's, byte for byte.
    const lastEntryEnd = HAND_WRITTEN.lastIndexOf('}\n  ]');
    expect(text.startsWith(HAND_WRITTEN.slice(0, lastEntryEnd + 1))).toBe(true);
    expect(text).toContain(DEMO_LINE);
    expect(text).not.toContain('1-14-0123456789abcdef');
    expect(await secrets.get('rt-main.token')).toBe('1-14-0123456789abcdef');
    expect(JSON.parse(text).owner).toBe('it-support@example.com');
    const configs = await loadConnectorsConfig(dataDir);
    expect(configs.map((c) => c.id)).toEqual(['demo', 'fd', 'rt-main']);
    expect(configs[2]).toMatchObject({ kind: 'rt', baseUrl: 'https://rt.example.com', queue: 'Support', writeBack: true, token: { secret: 'rt-main.token' } });
    // Defaults the admin did not change are not written out.
    expect(JSON.parse(text).connectors[2]).not.toHaveProperty('pageSize');
  });

  it('creates the file when there is none', async () => {
    await mkdir(join(dataDir, 'tickets'));
    const result = await saveConnectorSettings(dataDir, { mode: 'add', draft: { kind: 'folder', id: 'demo', values: { path: join(dataDir, 'tickets') }, secrets: {} } }, secrets);
    expect(result.ok).toBe(true);
    expect(await loadConnectorsConfig(dataDir)).toEqual([{ id: 'demo', kind: 'folder', path: join(dataDir, 'tickets'), enabled: true, writeBack: false }]);
  });

  it('refuses an id already in use, naming the field', async () => {
    await writeFile(file, HAND_WRITTEN);
    const result = await saveConnectorSettings(dataDir, { mode: 'add', draft: { kind: 'folder', id: 'demo', values: { path: 'other' }, secrets: {} } }, secrets);
    expect(result).toMatchObject({ ok: false, fieldErrors: { id: '"demo" is already used by another connector; ids must be unique' } });
    expect(await readFile(file, 'utf8')).toBe(HAND_WRITTEN);
  });

  it('says under each field what is wrong, and writes nothing', async () => {
    await writeFile(file, HAND_WRITTEN);
    const result = await saveConnectorSettings(
      dataDir,
      { mode: 'add', draft: rtDraft({ id: 'bad id', values: { baseUrl: 'not a url', pageSize: '5000' }, secrets: {} }) },
      secrets,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.fieldErrors).sort()).toEqual(['baseUrl', 'id', 'pageSize', 'token']);
    expect(result.fieldErrors['token']).toMatch(/saved in the system keychain/);
    expect(result.fieldErrors['pageSize']).toBe('must be at most 100');
    expect(result.fieldErrors['baseUrl']).toBe('must be a web address such as https://helpdesk.example.com');
    expect(result.message).toMatch(/^The connector was not saved\. Connector id: /);
    expect(await readFile(file, 'utf8')).toBe(HAND_WRITTEN);
    expect(await secrets.list()).toEqual(['fd-token']);
  });

  it('edits a connector in place: other entries untouched, fields the form does not show kept, the stored secret kept unless a new one is typed', async () => {
    await writeFile(file, HAND_WRITTEN);
    const view = await readConnectorForEdit(dataDir, 'fd', secrets);
    expect(view).toEqual({ id: 'fd', kind: 'freshdesk', values: { id: 'fd', baseUrl: 'https://acme.freshdesk.com' }, secretsStored: { token: true } });
    expect(JSON.stringify(view)).not.toContain('fd-secret-value');

    // The same origin: the stored token is kept (a new origin needs it typed again, test/core/watch/connectorService.test.ts).
    const edit = { kind: 'freshdesk', id: 'fd', values: { baseUrl: 'https://acme.freshdesk.com/', writeBack: true }, secrets: {} };
    expect(await saveConnectorSettings(dataDir, { mode: 'edit', draft: edit }, secrets)).toEqual({ ok: true, id: 'fd' });
    let text = await readFile(file, 'utf8');
    expect(text).toContain(DEMO_LINE);
    const fd = JSON.parse(text).connectors[1];
    expect(fd).toEqual({ id: 'fd', kind: 'freshdesk', baseUrl: 'https://acme.freshdesk.com/', token: { secret: 'fd-token' }, groups: { '12': 'Billing' }, writeBack: true });
    expect(await secrets.get('fd-token')).toBe('fd-secret-value');

    const moved = { ...edit, values: { ...edit.values, baseUrl: 'https://acme2.freshdesk.com' } };
    expect(await saveConnectorSettings(dataDir, { mode: 'edit', draft: moved }, secrets)).toMatchObject({ ok: false, fieldErrors: { token: expect.stringContaining('type it again') } });
    expect(await saveConnectorSettings(dataDir, { mode: 'edit', draft: { ...moved, secrets: { token: 'new-fd-secret' } } }, secrets)).toEqual({ ok: true, id: 'fd' });
    text = await readFile(file, 'utf8');
    expect(JSON.parse(text).connectors[1].baseUrl).toBe('https://acme2.freshdesk.com');
    expect(JSON.parse(text).connectors[1].token).toEqual({ secret: 'fd-token' });
    expect(await secrets.get('fd-token')).toBe('new-fd-secret');
    expect(text).not.toContain('new-fd-secret');
  });

  it('removes a connector, deletes its secret from the store and keeps its sync state; the others stay byte for byte', async () => {
    await writeFile(file, HAND_WRITTEN);
    const removal = await removeConnectorSettings(dataDir, 'fd', secrets);
    expect(removal).toEqual({ id: 'fd', secretsDeleted: ['fd-token'], syncStateKept: join(dataDir, 'watch', 'fd') });
    const text = await readFile(file, 'utf8');
    expect(text).toBe(`{
  "format": 1,
  "owner": "it-support@example.com",
  "connectors": [
    ${DEMO_LINE}
  ]
}
`);
    expect(await secrets.list()).toEqual([]);
    await removeConnectorSettings(dataDir, 'demo', secrets);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ format: 1, owner: 'it-support@example.com', connectors: [] });
    // And a connector can be added to the now empty list.
    await saveConnectorSettings(dataDir, { mode: 'add', draft: rtDraft() }, secrets);
    expect((await loadConnectorsConfig(dataDir)).map((c) => c.id)).toEqual(['rt-main']);
  });

  it('keeps a secret another connector still uses', async () => {
    await writeFile(
      file,
      JSON.stringify({ format: 1, connectors: [
        { id: 'a', kind: 'zammad', baseUrl: 'https://z.example.com', token: { secret: 'shared' } },
        { id: 'b', kind: 'zammad', baseUrl: 'https://z.example.com', token: { secret: 'shared' } },
      ] }),
    );
    await secrets.set('shared', 'zz-secret');
    expect((await removeConnectorSettings(dataDir, 'a', secrets)).secretsDeleted).toEqual([]);
    expect(await secrets.get('shared')).toBe('zz-secret');
  });

  it('never overwrites a file it cannot parse, and says which line', async () => {
    const broken = HAND_WRITTEN.replace('"path": "tickets",', '"path": "tickets",,');
    await writeFile(file, broken);
    await expect(saveConnectorSettings(dataDir, { mode: 'add', draft: rtDraft() }, secrets)).rejects.toThrow(/connectors\.json:5: not valid JSON .*Vigil will not change connectors\.json while it has a mistake/);
    await expect(removeConnectorSettings(dataDir, 'demo', secrets)).rejects.toThrow(/connectors\.json:5/);
    expect(await readFile(file, 'utf8')).toBe(broken);
    expect(await secrets.list()).toEqual(['fd-token']);
  });

  it('never overwrites a file with a mistake in another entry, and names the entry and field', async () => {
    const wrong = HAND_WRITTEN.replace('"pollSeconds": 2', '"pollSeconds": "two"');
    await writeFile(file, wrong);
    await expect(saveConnectorSettings(dataDir, { mode: 'add', draft: rtDraft() }, secrets)).rejects.toThrow(/connectors\.0 \("demo"\)\.pollSeconds/);
    expect(await readFile(file, 'utf8')).toBe(wrong);
  });

  it('checks an unsaved form without writing: the config it would save and the typed secret, kept apart', async () => {
    await writeFile(file, HAND_WRITTEN);
    const checked = await checkConnectorDraft(dataDir, { mode: 'add', draft: rtDraft() });
    expect(checked.ok).toBe(true);
    if (!checked.ok) return;
    expect(checked.config).toMatchObject({ id: 'rt-main', kind: 'rt', token: { secret: 'rt-main.token' } });
    expect([...checked.secrets]).toEqual([['rt-main.token', '1-14-0123456789abcdef']]);
    expect(await readFile(file, 'utf8')).toBe(HAND_WRITTEN);
    expect(await secrets.list()).toEqual(['fd-token']);
  });
});
