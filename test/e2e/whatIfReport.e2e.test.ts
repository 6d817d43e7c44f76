/**
 * `vigil replay --report`: the what-if report on a recorded queue (a BANKING77 slice as timed tickets), opened
 * from disk in Debian's Chromium with every network request watched: it loads nothing over http(s), and its four
 * Chart.js charts draw. The same run takes `whatif-report.png` (`npm run screenshots` refreshes docs/screenshots).
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../core/cli/vigil';
import type { Ticket } from '../../core/formats/schemas';
import { loadBanking77, seededShuffle } from '../bench/banking77Data';
import { describeWithData } from '../support/publicData';
import { SCREENSHOTS } from './appBridge';
import { browserAvailable, launchChromium } from './browser';

/** 150 BANKING77 queries of 6 intents as closed tickets, one every 30 minutes, the analyst replying 7 minutes later. */
function timedQueue(): Ticket[] {
  const intents = ['card_arrival', 'lost_or_stolen_card', 'exchange_rate', 'top_up_failed', 'pin_blocked', 'declined_transfer'];
  const queries = seededShuffle(loadBanking77('train').filter((q) => intents.includes(q.intent)), 7).slice(0, 150);
  const start = Date.parse('2026-03-02T08:00:00Z');
  return queries.map((q, i) => {
    const at = start + i * 30 * 60_000;
    return {
      id: `B-${i + 1}`,
      status: 'closed',
      messages: [
        { id: '1', author: 'customer', text: q.text, at: new Date(at).toISOString() },
        { id: '2', author: 'analyst', text: `This is about ${q.intent.replace(/_/g, ' ')}, which our support guide covers step by step.`, at: new Date(at + 7 * 60_000).toISOString() },
      ],
    };
  });
}

function whatIfReportSuite(): void {
  let work: string;
  let report: string;
  let stdout: string[];
  let browser: Browser;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'vigil-e2e-report-'));
    const tickets = join(work, 'queue.jsonl');
    await writeFile(tickets, `${timedQueue().map((t) => JSON.stringify(t)).join('\n')}\n`);
    report = join(work, 'report.html');
    stdout = [];
    const code = await main(['replay', '--tickets', tickets, '--out', join(work, 'out.jsonl'), '--feedback', 'queue', '--report', report], {
      log: (l) => stdout.push(l),
      error: (l) => stdout.push(l),
    });
    expect(code, stdout.join("\n")).toBe(0);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('is one file that loads nothing over the network, and draws its four charts', async () => {
    expect(stdout).toContain(`report written to ${report}`);
    const html = await readFile(report, 'utf8');
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=["']?https?:/i);
    const page = await browser.newPage();
    const requested: string[] = [];
    page.on('request', (r) => requested.push(r.url()));
    await page.route(/^https?:/, (route) => route.abort());
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.setViewportSize({ width: 1200, height: 900 });
    await page.goto(pathToFileURL(report).href);
    await page.waitForFunction("document.body.dataset.charts === '4'");
    expect(errors).toEqual([]);
    expect(requested.filter((u) => /^https?:/i.test(u))).toEqual([]);
    // Every chart painted something: its canvas has coloured (non-transparent, non-white) pixels.
    const painted = (await page.evaluate(`[...document.querySelectorAll('canvas')].map((c) => {
      const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
      let coloured = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0 && !(data[i] > 240 && data[i + 1] > 240 && data[i + 2] > 240)) coloured++;
      return coloured;
    })`)) as number[];
    expect(painted).toHaveLength(4);
    for (const n of painted) expect(n).toBeGreaterThan(500);
    const tiles = await page.locator('.tile').allInnerTexts();
    expect(tiles[0]).toMatch(/spoke on/);
    expect(tiles.join(' ')).toMatch(/of 150 tickets/);
    await page.screenshot({ path: join(SCREENSHOTS, 'whatif-report.png'), fullPage: true });
    await page.close();
  });
}

// Runs only with Chromium, as before; the queue also needs BANKING77 (describeWithData: skipped without it, never in CI).
describe.runIf(browserAvailable())('the what-if report in Chromium', () => {
  describeWithData(['banking77'], 'offline', whatIfReportSuite);
});
