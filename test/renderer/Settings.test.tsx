// @vitest-environment happy-dom
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { fakeVigilApi, sampleLlm, sampleModels, samplePreferences, sampleStatus } from './fakeVigilApi';
import { button, byName, checkbox, click, mountApp, section, type } from './mountApp';

async function choose(select: HTMLSelectElement, value: string) {
  const setValue = Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, 'value')!.set!;
  await act(async () => {
    setValue.call(select, value);
    select.dispatchEvent(new Event('change', { bubbles: true }));
  });
}

async function openSettings(api = fakeVigilApi()) {
  const mounted = await mountApp(api);
  await act(async () => {
    window.dispatchEvent(new KeyboardEvent('keydown', { key: '4', altKey: true }));
  });
  await act(async () => undefined);
  return mounted;
}

describe('the Settings screen', () => {
  it('opens with Alt+4 and shows the team data folder, its entries by status and its write health', async () => {
    const { container, api } = await openSettings();
    expect(container.querySelector('[role="tab"][aria-selected="true"]')?.textContent).toBe('Settings');
    const data = section(container, 'Team data folder');
    expect(data.textContent).toContain('/home/ana/.config/Vigil Desktop/teams/default');
    const counts = byName(data, 'Entries by status').textContent!;
    expect(counts).toContain('Approved1,230');
    expect(counts).toContain('Proposed (waiting for review)2');
    expect(counts).toContain('In all1,234');
    expect(data.textContent).toContain('No write errors since Vigil started.');
    expect(api.getPreferences).toHaveBeenCalled();
    expect(api.packsOverview).toHaveBeenCalled();
    expect(api.modelsOverview).toHaveBeenCalled();
  });

  it('lists its sections in a navigation beside them, each link moving to its section', async () => {
    const { container } = await openSettings();
    const nav = byName(container, 'Settings sections');
    const links = [...nav.querySelectorAll('a')];
    expect(links.map((a) => a.textContent)).toEqual(['Connectors', 'Notifications', 'Knowledge packs', 'Rules', 'Embedding model', 'Local LLM (Ollama)', 'Privacy', 'Team data folder', 'Team store']);
    const heading = section(container, 'Privacy').querySelector('h2')!;
    let scrolled = false;
    heading.scrollIntoView = () => void (scrolled = true);
    await click(links.find((a) => a.textContent === 'Privacy')!);
    expect(scrolled).toBe(true);
    expect(document.activeElement).toBe(heading);
  });

  it('shows the last write error of the data folder', async () => {
    const api = fakeVigilApi();
    api.status.mockResolvedValue({ ...(await api.status()), lastWriteError: 'Could not write to the knowledge folder (ENOSPC); 3 entries are kept.' });
    const { container } = await openSettings(api);
    expect(section(container, 'Team data folder').querySelector('[role="alert"]')?.textContent).toContain('ENOSPC');
  });

  it('saves notification settings: do-not-disturb for an hour, kinds, cool-down and shortcut', async () => {
    const { container, api } = await openSettings();
    const form = byName<HTMLFormElement>(container, 'Notification settings');
    await click(checkbox(form, 'Do not disturb'));
    await choose(byName<HTMLSelectElement>(form, 'Do not disturb ends'), '1');
    await click(checkbox(form, 'Relevant articles'));
    await click(checkbox(form, 'Alerts'));
    await type(byName<HTMLInputElement>(form, 'Minutes before the same ticket may notify again'), '25');
    await type(byName<HTMLInputElement>(form, 'Shortcut that brings Vigil forward (empty to switch it off)'), 'Alt+Shift+V');
    const before = Date.now();
    await click(button(form, 'Save notification settings'));

    const sent = api.setPreferences.mock.calls[0]![0];
    expect(sent.showShortcut).toBe('Alt+Shift+V');
    expect(sent.notifications).toMatchObject({
      enabled: true,
      doNotDisturb: true,
      cooldownMinutes: 25,
      kinds: { ...samplePreferences.preferences.notifications.kinds, article: true, alert: false },
    });
    const until = Date.parse(sent.notifications.dndUntil!);
    expect(until).toBeGreaterThanOrEqual(before + 3_600_000);
    expect(until).toBeLessThan(before + 3_700_000);
    expect(form.querySelector('[role="status"]')?.textContent).toBe('Notification settings saved.');
  });

  it('says why a shortcut was not taken, naming the field', async () => {
    const api = fakeVigilApi();
    api.setPreferences.mockImplementation(async (preferences) => ({
      preferences: { ...preferences, showShortcut: 'CommandOrControl+Shift+Space' },
      shortcutProblem: 'showShortcut: Another application already uses Alt+Tab; choose a different shortcut in the preferences. CommandOrControl+Shift+Space stays the shortcut.',
    }));
    const { container } = await openSettings(api);
    const form = byName<HTMLFormElement>(container, 'Notification settings');
    const shortcut = byName<HTMLInputElement>(form, 'Shortcut that brings Vigil forward (empty to switch it off)');
    await type(shortcut, 'Alt+Tab');
    await click(button(form, 'Save notification settings'));
    expect(form.querySelector('[role="alert"]')?.textContent).toContain('showShortcut: Another application already uses Alt+Tab');
    expect(shortcut.value).toBe('CommandOrControl+Shift+Space');
  });

  it('shows the refusal of an invalid cool-down and keeps the draft', async () => {
    const api = fakeVigilApi();
    api.setPreferences.mockRejectedValue(
      new Error("Error invoking remote method 'vigil:setPreferences': Error: vigil:setPreferences received a malformed request: notifications.cooldownMinutes: the cool-down must be a number of minutes."),
    );
    const { container } = await openSettings(api);
    const form = byName<HTMLFormElement>(container, 'Notification settings');
    const cooldown = byName<HTMLInputElement>(form, 'Minutes before the same ticket may notify again');
    await type(cooldown, '');
    await click(button(form, 'Save notification settings'));
    expect(Number.isNaN(api.setPreferences.mock.calls[0]![0].notifications.cooldownMinutes)).toBe(true);
    expect(form.querySelector('[role="alert"]')?.textContent).toMatch(/^vigil:setPreferences received a malformed request: notifications\.cooldownMinutes/);
    expect(cooldown.value).toBe('');
    expect(byName<HTMLInputElement>(form, 'Shortcut that brings Vigil forward (empty to switch it off)').value).toBe('CommandOrControl+Shift+Space');
  });

  it('lists installed packs with entries, signer and problem, and installs one from the dialog', async () => {
    const { container, api } = await openSettings();
    const packs = section(container, 'Knowledge packs');
    const installed = byName(packs, 'Installed packs');
    expect(installed.textContent).toContain('network-basics 1.2.0');
    expect(installed.textContent).toContain('42 entries · team network · signed by Network team (3f2a9c1d0b7e6a55)');
    expect(installed.textContent).toContain('Not in use: its folder /data/packs/hr-policies@0.3.1.1a2b3c4d is missing');
    await click(button(packs, 'Install a pack…'));
    expect(api.installPack).toHaveBeenCalledWith();
    expect(packs.querySelector('.settings-notice')?.textContent).toBe('Installed dns-extra 1.0.0 (3 entries), signed by Network team.');
    expect(api.packsOverview).toHaveBeenCalledTimes(2);
  });

  it('shows why a pack was refused', async () => {
    const api = fakeVigilApi();
    api.installPack.mockRejectedValue(new Error('/media/usb/x.vpack: signed by key 99aa00bb11cc22dd, which this team does not trust.'));
    const { container } = await openSettings(api);
    const packs = section(container, 'Knowledge packs');
    await click(button(packs, 'Install a pack…'));
    expect(packs.querySelector('[role="alert"]')?.textContent).toContain('which this team does not trust');
  });

  it('removes a pack only after the confirm step', async () => {
    const { container, api } = await openSettings();
    const packs = section(container, 'Knowledge packs');
    await click(byName(packs, 'Remove network-basics'));
    const confirm = byName(packs, 'Confirm removing network-basics');
    expect(confirm.textContent).toContain('Remove network-basics 1.2.0? Its entries leave search.');
    expect(document.activeElement?.textContent).toBe('Cancel');
    await click(button(confirm, 'Cancel'));
    expect(api.removePack).not.toHaveBeenCalled();
    await click(byName(packs, 'Remove network-basics'));
    await click(button(byName(packs, 'Confirm removing network-basics'), 'Yes, remove'));
    expect(api.removePack).toHaveBeenCalledWith({ name: 'network-basics' });
    expect(packs.querySelector('.settings-notice')?.textContent).toBe('Removed network-basics 1.2.0; its entries have left search.');
  });

  it('trusts a key under a name, stops trusting one, subscribes to a folder and syncs', async () => {
    const { container, api } = await openSettings();
    const packs = section(container, 'Knowledge packs');
    expect(byName(packs, 'Trusted signing keys').textContent).toContain('key 3f2a9c1d0b7e6a55 · trusted since 2026-11-18');

    await type(byName<HTMLInputElement>(packs, 'Whose key is it?'), 'Security team');
    await click(button(packs, 'Choose key file…'));
    expect(api.trustKey).toHaveBeenCalledWith({ name: 'Security team' });
    expect(packs.querySelector('.settings-notice')?.textContent).toContain('Packs signed by key 0011223344556677 (Security team) can now be installed.');

    await click(byName(packs, 'Stop trusting Network team'));
    expect(api.untrustKey).toHaveBeenCalledWith({ id: '3f2a9c1d0b7e6a55' });

    expect(byName(packs, 'Subscribed folders').textContent).toContain('/mnt/share/packs');
    await type(byName<HTMLInputElement>(packs, 'Pack names to take'), 'network-basics, hr-policies');
    await click(button(packs, 'Choose folder…'));
    expect(api.subscribePacks).toHaveBeenCalledWith({ packs: ['network-basics', 'hr-policies'] });

    await click(byName(packs, 'Unsubscribe from /mnt/share/packs'));
    expect(api.unsubscribePacks).toHaveBeenCalledWith({ folder: '/mnt/share/packs' });

    await click(button(packs, 'Sync now'));
    expect(byName(packs, 'Last sync').textContent).toBe('/mnt/share/packs: installed network-basics 1.3.0.');
  });

  it('shows the embedder in use and each model with its state and the reason it cannot be used', async () => {
    const { container } = await openSettings();
    const models = section(container, 'Embedding model');
    expect(models.textContent).toContain('In use: builtin-hash-v1:512:0.3:0.5:0.4:3-5 · 512 dimensions');
    const builtin = byName(models, 'Model builtin');
    expect(builtin.textContent).toContain('Ready (needs no files) · chosen for this data folder · in use');
    const bge = byName(models, 'Model bge-small-en-v1.5');
    expect(bge.textContent).toContain('Not installed');
    expect(bge.textContent).toContain('Model bge-small-en-v1.5 is not installed: none of its files is in /models/bge-small-en-v1.5.');
    expect(byName<HTMLButtonElement>(bge, 'Use bge-small-en-v1.5').disabled).toBe(true);
  });

  it('chooses a model, says a restart re-indexes, and restarts with a progress indicator', async () => {
    const api = fakeVigilApi();
    const { container } = await openSettings(api);
    const models = section(container, 'Embedding model');
    api.modelsOverview.mockResolvedValue({
      ...sampleModels,
      choice: 'all-minilm-l6-v2',
      restartNeeded: true,
      models: sampleModels.models.map((m) => ({ ...m, chosen: m.id === 'all-minilm-l6-v2' })),
    });
    await click(byName(models, 'Use all-minilm-l6-v2'));
    expect(api.useModel).toHaveBeenCalledWith({ id: 'all-minilm-l6-v2' });
    expect(models.querySelector('.settings-notice')?.textContent).toContain(
      "all-minilm-l6-v2 is now the data folder's embedder (index all-minilm-l6-v2@0123abcd, 384 dimensions).",
    );
    expect(models.textContent).toContain('Switching needs a restart of the workspace');

    let finish!: () => void;
    const reindexed = { ...sampleStatus, embedderId: 'all-minilm-l6-v2@0123abcd', dimensions: 384 };
    api.restartWorkspace.mockImplementationOnce(() => new Promise((resolve) => (finish = () => resolve(reindexed))));
    await click(button(models, 'Restart and re-index'));
    expect(byName(models, 'Re-indexing the knowledge').tagName).toBe('PROGRESS');
    expect(models.textContent).toContain('Re-indexing the knowledge with all-minilm-l6-v2…');
    // Indeterminate while the model loads, then how far the re-index is, as the engine reports it.
    expect(byName<HTMLProgressElement>(models, 'Re-indexing the knowledge').hasAttribute('value')).toBe(false);
    await act(async () => api.push({ type: 'workspace-progress', message: 'Re-indexing knowledge for all-minilm-l6-v2@0123abcd: 300/1234 (copying)' }));
    expect(byName<HTMLProgressElement>(models, 'Re-indexing the knowledge').getAttribute('value')).toBe(String(300 / 1234));
    expect(models.textContent).toContain('Re-indexing knowledge for all-minilm-l6-v2@0123abcd: 300/1234 (copying)');
    api.modelsOverview.mockResolvedValue({ ...sampleModels, choice: 'all-minilm-l6-v2', running: { embedderId: reindexed.embedderId, dimensions: 384 } });
    await act(async () => {
      finish();
    });
    expect(models.querySelector('progress')).toBeNull();
    expect(models.querySelector('.settings-notice')?.textContent).toBe('Re-indexed: Vigil now uses all-minilm-l6-v2@0123abcd (384 dimensions).');
    expect(models.querySelector('.settings-current')?.textContent).toBe('In use: all-minilm-l6-v2@0123abcd · 384 dimensions');
    expect(models.querySelector('progress')).toBeNull();
  });

  it('shows the local LLM, the models Ollama has, and pulls the configured model with a progress bar', async () => {
    const api = fakeVigilApi();
    const { container } = await openSettings(api);
    const llm = section(container, 'Local LLM (Ollama)');
    expect(llm.textContent).toContain('Retrieval-only mode: Ollama has no model llama3.2');
    expect(llm.textContent).toContain('Model: llama3.2');
    expect(byName(llm, 'Models installed in Ollama').textContent).toContain('nomic-embed-text:latest137M parameters · 274 MB');

    let finish!: () => void;
    api.pullLlmModel.mockImplementationOnce(
      () => new Promise((resolve) => (finish = () => resolve({ ...sampleLlm.status, mode: 'llm', reason: 'Drafting with llama3.2.' }))),
    );
    await click(button(llm, 'Pull llama3.2'));
    expect(api.pullLlmModel).toHaveBeenCalledWith();
    await act(async () => api.push({ type: 'llm-pull-progress', status: 'pulling aabbccdd', fraction: 0.25 }));
    expect(byName<HTMLProgressElement>(llm, 'Pulling llama3.2').getAttribute('value')).toBe('0.25');
    expect(llm.textContent).toContain('pulling aabbccdd · 25%');
    api.llmOverview.mockResolvedValue({
      ...sampleLlm,
      status: { ...sampleLlm.status, mode: 'llm', reason: 'Drafting with llama3.2.' },
      installed: [...sampleLlm.installed!, { name: 'llama3.2:latest', sizeBytes: 2_000_000_000, parameterSize: '3.2B' }],
    });
    await act(async () => finish());
    expect(llm.querySelector('progress')).toBeNull();
    expect(llm.textContent).toContain('Local LLM ready: Drafting with llama3.2.');
    expect(() => button(llm, 'Pull llama3.2')).toThrow();
  });
});
