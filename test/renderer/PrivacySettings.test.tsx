// @vitest-environment happy-dom
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { fakeVigilApi, samplePrivacy } from './fakeVigilApi';
import { button, byName, checkbox, click, mountApp, section, type } from './mountApp';

async function openPrivacy(api = fakeVigilApi()) {
  const mounted = await mountApp(api, { view: 'settings' });
  await act(async () => undefined);
  return { ...mounted, privacy: section(mounted.container, 'Privacy') };
}

describe('Settings → Privacy', () => {
  it('shows what may leave the machine, the refused attempts, the folder’s protection and the snapshots', async () => {
    const { privacy, api } = await openPrivacy();
    expect(api.privacyOverview).toHaveBeenCalled();
    const allowed = byName(privacy, 'Allowed destinations').textContent!;
    expect(allowed).toContain('This machine (loopback)');
    expect(allowed).toContain('rt.example.comUsed by the connector rt');
    expect(byName(privacy, 'Refused connections').textContent).toBe('3 connection attempts were refused; the latest:');
    expect(byName(privacy, 'Latest refused connections').textContent).toContain('telemetry.example.net (fetch)');
    expect(byName(privacy, 'Data folder protection').textContent).toContain('Readable by you only (mode 0700).');
    expect(byName(privacy, 'Data folder protection').textContent).toContain('“Data at rest” of docs/privacy.md');
    expect(privacy.querySelector('a')).toBeNull(); // no links: the app opens no URL from here
    const snapshots = byName(privacy, 'Store snapshots').textContent!;
    expect(snapshots).toContain('before-cleanup by hand');
    expect(snapshots).toContain('before removing old VPN answers');
    expect(snapshots).toContain('before-rollback-x-20261120T100000Z automatic');
  });

  it('switches offline mode at once and shows the connectors it pauses', async () => {
    const { privacy, api } = await openPrivacy();
    await click(checkbox(privacy, 'Offline mode'));
    expect(api.setPrivacySettings).toHaveBeenCalledWith({ offline: true });
    expect(checkbox(privacy, 'Offline mode').checked).toBe(true);
    expect(privacy.querySelector('[role="status"]')?.textContent).toContain('Offline mode is on');
    expect(byName(privacy, 'What may leave this machine').textContent).toContain('Paused while offline: rt (rt.example.com)');
    expect(byName(privacy, 'Allowed destinations').textContent).not.toContain('rt.example.com');
  });

  it('saves "redact before storage", saying the workspace reopens for it', async () => {
    const { privacy, api } = await openPrivacy();
    expect(byName(privacy, 'Privacy switches').textContent).toContain('Saving it reopens the workspace');
    await click(checkbox(privacy, 'Redact before storage'));
    expect(api.setPrivacySettings).toHaveBeenCalledWith({ redactBeforeStorage: true });
    expect(privacy.querySelector('[role="status"]')?.textContent).toBe('Tickets are now redacted before anything is learned from them.');
  });

  it('saves the documentation hosts whose shared links become article candidates, and shows them as allowed', async () => {
    const api = fakeVigilApi();
    api.setPrivacySettings.mockImplementationOnce(async (change) => ({
      ...samplePrivacy,
      settings: { ...samplePrivacy.settings, documentationHosts: change.documentationHosts ?? [] },
      network: { ...samplePrivacy.network, allowedHosts: [...samplePrivacy.network.allowedHosts, { host: 'docs.example.com', connectors: [], documentation: true }] },
    }));
    const { privacy } = await openPrivacy(api);
    const field = byName<HTMLInputElement>(privacy, 'Documentation hosts whose links become article candidates');
    expect(field.value).toBe('');
    expect(byName(privacy, 'Documentation hosts').textContent).toContain('Nothing is fetched from any other host, and nothing at all in offline mode.');
    await type(field, 'docs.example.com,  kb.example.org ');
    await click(button(privacy, 'Save documentation hosts'));
    expect(api.setPrivacySettings).toHaveBeenCalledWith({ documentationHosts: ['docs.example.com', 'kb.example.org'] });
    expect(privacy.querySelector('[role="status"]')?.textContent).toBe('Links analysts share from docs.example.com, kb.example.org now become article candidates in the review queue.');
    expect(byName<HTMLInputElement>(privacy, 'Documentation hosts whose links become article candidates').value).toBe('docs.example.com, kb.example.org');
    expect(byName(privacy, 'Allowed destinations').textContent).toContain('docs.example.comA documentation host: links analysts share from it are fetched');
  });

  it('shows the engine’s error naming a bad documentation host and keeps what was typed', async () => {
    const api = fakeVigilApi();
    api.setPrivacySettings.mockRejectedValueOnce(new Error('documentationHosts: "https://docs.example.com/guide" is not a host name; write it as docs.example.com, without https://, a path or a port.'));
    const { privacy } = await openPrivacy(api);
    const field = byName<HTMLInputElement>(privacy, 'Documentation hosts whose links become article candidates');
    await type(field, 'https://docs.example.com/guide');
    await click(button(privacy, 'Save documentation hosts'));
    expect(privacy.querySelector('[role="alert"]')?.textContent).toContain('"https://docs.example.com/guide" is not a host name');
    expect(field.value).toBe('https://docs.example.com/guide');
  });

  it('offers to fix a folder others can read', async () => {
    const api = fakeVigilApi();
    api.privacyOverview.mockResolvedValueOnce({
      ...samplePrivacy,
      dataFolder: { ...samplePrivacy.dataFolder, mode: '0755', private: false, warning: 'The data folder /data can be read by every user of this machine (mode 0755). Run `chmod 700 "/data"` so only you can.' },
    });
    const { privacy } = await openPrivacy(api);
    expect(byName(privacy, 'Data folder protection').querySelector('[role="alert"]')?.textContent).toContain('mode 0755');
    await click(button(privacy, 'Fix: make it readable by me only'));
    expect(api.repairDataFolder).toHaveBeenCalledOnce();
    expect(byName(privacy, 'Data folder protection').textContent).toContain('Readable by you only (mode 0700).');
  });

  it('tags a snapshot by name and reason', async () => {
    const { privacy, api } = await openPrivacy();
    expect(button(privacy, 'Tag now').disabled).toBe(true);
    await type(byName(privacy, 'Snapshot name'), 'before-merge');
    await type(byName(privacy, 'Why (optional)'), 'merging duplicate VPN answers');
    await click(button(privacy, 'Tag now'));
    expect(api.tagSnapshot).toHaveBeenCalledWith({ name: 'before-merge', reason: 'merging duplicate VPN answers' });
    expect(byName(privacy, 'Store snapshots').textContent).toContain('before-merge by hand');
    expect(byName<HTMLInputElement>(privacy, 'Snapshot name').value).toBe('');
  });

  it('asks before rolling back, saying what will be lost, and rolls back only on "Yes"', async () => {
    const { privacy, api } = await openPrivacy();
    await click(byName(privacy, 'Roll back to before-cleanup'));
    const dialog = byName(privacy, 'Confirm rolling back to before-cleanup');
    expect(dialog.getAttribute('role')).toBe('alertdialog');
    expect(dialog.textContent).toContain('12 entries learned or imported since then will be gone');
    expect(dialog.textContent).toContain('before-rollback-');
    expect(document.activeElement?.textContent).toBe('Cancel');
    await click(button(privacy, 'Cancel'));
    expect(api.rollbackSnapshot).not.toHaveBeenCalled();
    expect(privacy.querySelector('[role="alertdialog"]')).toBeNull();

    await click(byName(privacy, 'Roll back to before-cleanup'));
    await click(button(privacy, 'Yes, roll back'));
    expect(api.rollbackSnapshot).toHaveBeenCalledWith({ name: 'before-cleanup' });
    expect(privacy.querySelector('[role="status"]')?.textContent).toBe(
      'Rolled back to before-cleanup. The state before it is saved as before-rollback-before-cleanup-20261122T100600Z.',
    );
  });
});

describe('the audit view', () => {
  async function openAudit(api = fakeVigilApi()) {
    const mounted = await openPrivacy(api);
    await click(button(mounted.privacy, 'Open audit log'));
    return { ...mounted, audit: section(mounted.container, 'Audit log') };
  }

  it('lists records newest first with what each used, and kinds it does not know by their fields', async () => {
    const { audit, api } = await openAudit();
    expect(api.auditPage).toHaveBeenCalledWith({ limit: 50 });
    const rows = [...byName(audit, 'Audit records').querySelectorAll('li')].map((li) => li.getAttribute('aria-label'));
    expect(rows).toEqual([
      'Record 44: future kind (a kind this version does not describe)',
      'Record 43: LLM call for draft: ok',
      'Record 42: Suggestion on rt:4821: shown (answerable)',
      'Record 41: Administration: store tag',
    ]);
    const text = byName(audit, 'Audit records').textContent!;
    expect(text).toContain('widgetw-1');
    expect(text).toContain('Entriesqa-T-4100, kb-vpn');
    expect(text).toContain('Modelnone (retrieval only)');
    expect(text).toContain('Redactedemail 1, name 2');
    expect(text).toContain('Modelllama3.2:3b');
  });

  it('filters by kind, pages back to older records, verifies the chain and exports through the dialog', async () => {
    const api = fakeVigilApi();
    const { audit } = await openAudit(api);
    const kind = byName<HTMLSelectElement>(audit, 'Kind');
    expect([...kind.options].map((o) => o.value)).toEqual(['', 'suggestion', 'llm_call', 'egress_denied', 'admin', 'future_kind']);
    await act(async () => {
      Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, 'value')!.set!.call(kind, 'admin');
      kind.dispatchEvent(new Event('change', { bubbles: true }));
    });
    expect(api.auditPage).toHaveBeenLastCalledWith({ limit: 50, type: 'admin' });
    expect(byName(audit, 'Audit records').querySelectorAll('li')).toHaveLength(1);

    api.auditPage.mockResolvedValueOnce({ records: [], next: 600, unreadable: 1 });
    await click(button(audit, 'Refresh'));
    await click(button(audit, 'Older records'));
    expect(api.auditPage).toHaveBeenLastCalledWith({ limit: 50, before: 600, type: 'admin' });
    expect(audit.textContent).toContain('1 line is not a record');

    await click(button(audit, 'Verify chain'));
    expect(audit.textContent).toContain('Chain intact: 44 records, each chained to the one before.');
    api.verifyAudit.mockResolvedValueOnce({ ok: false, records: 44, problems: ['/data/audit/audit-log.jsonl:17: record 17 does not match its hash (edited after it was written)'], firstBrokenLine: 17 });
    await click(button(audit, 'Verify chain'));
    expect(audit.querySelector('[role="alert"]')?.textContent).toContain('the first problem is on line 17');

    await click(button(audit, 'Export (CSV)…'));
    expect(api.exportAudit).toHaveBeenCalledWith({ format: 'csv', type: 'admin' });
    expect(audit.textContent).toContain('Exported 44 records to /home/ana/audit.csv.');
  });
});
