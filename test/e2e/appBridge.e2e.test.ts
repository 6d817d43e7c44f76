/**
 * The screenshot check of the browser tests (appBridge.ts `shoot`), in Debian's Chromium: a page that shows a path of
 * the machine the tests run on (a temporary folder, a browser test's folder, this machine's home) is refused, in its
 * text or in a field, so no documentation screenshot can show one; a folder written from `~` passes.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempFolder } from '../support/tempFolder';
import { shoot, testMachineTraces } from './appBridge';
import { browserAvailable, launchChromium } from './browser';

describe('the screenshot check’s test-machine paths', () => {
  it('finds a temporary folder, a browser test’s folder and this machine’s home, and nothing in a folder written from ~', async () => {
    const work = await tempFolder('vigil-e2e-check-');
    expect(testMachineTraces(`Folder: ${join(work, 'data')} (the default folder)`).length).toBeGreaterThan(0);
    expect(testMachineTraces('Saved in /srv/vigil-e2e-connectors-x1/connectors.json')).toEqual(['vigil-e2e-']);
    expect(testMachineTraces(`Models folder: ${join(homedir(), 'models')}`)).toEqual([join(homedir(), '/')]);
    expect(testMachineTraces('Folder: ~/.config/vigil (the default folder); the store ~/Private/vigil-team')).toEqual([]);
  });
});

describe.runIf(browserAvailable())('the screenshot check in Chromium', () => {
  let browser: Browser;
  let page: Page;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = join(await tempFolder('vigil-e2e-check-'), 'data');
    browser = await launchChromium();
    page = await browser.newPage();
  });

  afterAll(() => browser?.close());

  it('refuses a page that shows the test’s data folder, in its text or in a field', async () => {
    await page.setContent(`<main><h2>Team data folder</h2><p>Folder: <span class="path">${dataDir}</span> (the default folder)</p></main>`);
    await expect(shoot(page, 'leaky-text.png')).rejects.toThrow(/would show the test machine's paths: .*vigil-e2e-/);

    await page.setContent(`<main><label>Ticket folder <input value="${join(dataDir, 'inbox')}"></label></main>`);
    await expect(shoot(page.locator('main'), 'leaky-field.png')).rejects.toThrow(/would show the test machine's paths/);
  });
});
