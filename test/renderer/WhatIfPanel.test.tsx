// @vitest-environment happy-dom
/**
 * Insights → What if: starting the replay (the file comes from the main process's dialog), its progress and cancel,
 * and the report drawn with Chart.js from the report's own chart configurations. Chart.js is replaced by a recorder:
 * happy-dom has no canvas to draw on, and what matters here is which configuration each canvas gets.
 */
import { act } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { reportCharts, reportTiles, type ReportData } from '../../core/app/replayReport';
import type { WhatIfStatus } from '../../renderer/src/api/contractTypes';
import { fakeVigilApi, idleWhatIf } from './fakeVigilApi';
import { button, byName, click, mountApp, section } from './mountApp';

const drawn = vi.hoisted(() => [] as Array<{ canvas: HTMLCanvasElement; config: unknown; destroyed: boolean }>);

vi.mock('chart.js', () => ({
  registerables: [],
  Chart: class {
    static register(): void {}
    private readonly entry: { canvas: HTMLCanvasElement; config: unknown; destroyed: boolean };
    constructor(canvas: HTMLCanvasElement, config: unknown) {
      this.entry = { canvas, config, destroyed: false };
      drawn.push(this.entry);
    }
    destroy(): void {
      this.entry.destroyed = true;
    }
  },
}));

const data: ReportData = {
  title: 'What Vigil would have done',
  ticketsFile: 'queue.jsonl',
  totals: {
    tickets: 150,
    customerMessages: 150,
    spoke: 96,
    ticketsHelped: 96,
    compared: 96,
    sameAsAnalyst: 61,
    entriesLearned: 31,
    review: { tickets: 96, kept: 80, modified: 3, retired: 2 },
    medianFirstHelpMin: 0,
    medianAnalystReplyMin: 7,
  },
  periods: [
    { label: '2026-03-02 08:00', tickets: 75, customerMessages: 75, ticketsHelped: 30, spoke: 30, compared: 30, sameAsAnalyst: 15, entries: 20, learned: 20, reviewed: { kept: 25, modified: 2, retired: 1 } },
    { label: '2026-03-03 21:30', tickets: 75, customerMessages: 75, ticketsHelped: 66, spoke: 66, compared: 66, sameAsAnalyst: 46, entries: 31, learned: 11, reviewed: { kept: 55, modified: 1, retired: 1 } },
  ],
  firstHelp: { copilot: [96, 0, 0, 0, 0, 54], analyst: [0, 0, 150, 0, 0, 0] },
  verdicts: [{ ticketId: 'B-40', entryId: 'qa-B-12', action: 'retire', reason: 'the analyst answered differently', judge: 'rules' }],
};

const running: WhatIfStatus = { state: 'running', source: 'queue.jsonl', done: 40, total: 150, error: null, report: null };
const done: WhatIfStatus = {
  state: 'done',
  source: 'queue.jsonl',
  done: 150,
  total: 150,
  error: null,
  report: { data, tiles: reportTiles(data), charts: reportCharts(data), skipped: [], skippedTotal: 0 },
};

async function openInsights(api = fakeVigilApi()) {
  const mounted = await mountApp(api, { view: 'insights' });
  await act(async () => undefined);
  return { ...mounted, panel: section(mounted.container, 'What if: Vigil on your recorded queue') };
}

describe('Insights → What if', () => {
  it('replays the file chosen in the dialog, shows how far it is, and stops on Cancel', async () => {
    const api = fakeVigilApi();
    api.startWhatIf.mockResolvedValueOnce(running);
    api.whatIfStatus.mockResolvedValueOnce(idleWhatIf).mockResolvedValue(running);
    api.cancelWhatIf.mockResolvedValueOnce({ ...running, state: 'cancelled', done: 41 });
    const { panel } = await openInsights(api);
    await click(button(panel, 'Replay a tickets file…'));
    expect(api.startWhatIf).toHaveBeenCalledWith({ source: 'file' });
    const progress = byName<HTMLProgressElement>(panel, 'Replaying queue.jsonl');
    expect(progress.value).toBe(40);
    expect(progress.max).toBe(150);
    expect(panel.querySelector('.whatif-progress')?.textContent).toContain('Replaying queue.jsonl: 40 of 150 tickets');
    expect(button(panel, 'Replay a folder…').disabled).toBe(true);
    await click(button(panel, 'Cancel'));
    expect(api.cancelWhatIf).toHaveBeenCalledOnce();
    expect(panel.textContent).toContain('The replay of queue.jsonl was cancelled after 41 tickets; nothing was kept.');
    expect(button(panel, 'Replay a folder…').disabled).toBe(false);
  });

  it('polls while the replay runs, then shows the report’s figures and draws its four charts from the report’s configurations', async () => {
    drawn.length = 0;
    const api = fakeVigilApi();
    api.startWhatIf.mockResolvedValueOnce(running);
    api.whatIfStatus.mockResolvedValueOnce(idleWhatIf).mockResolvedValue(done);
    const { panel } = await openInsights(api);
    await click(button(panel, 'Replay the watched queue'));
    expect(api.startWhatIf).toHaveBeenCalledWith({ source: 'desk' });
    expect(panel.querySelector('.whatif-report')).toBeNull();
    // One poll later (the panel asks every half second while a replay runs), the run is done.
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 700));
    });
    expect(panel.querySelector('.whatif-report')).not.toBeNull();
    const tiles = byName(panel, 'What Vigil would have done');
    expect(tiles.textContent).toContain('spoke on64 %96 of 150 tickets');
    expect(tiles.textContent).toContain('same answer as the analyst64 %61 of 96 answers the queue can check');
    expect(tiles.textContent).toContain('first help (median)at once');
    expect(drawn.map((d) => d.canvas.getAttribute('aria-label'))).toEqual(done.report!.charts.map((c) => c.ariaLabel));
    expect(drawn.map((d) => d.config)).toEqual(done.report!.charts.map((c) => c.config));
    expect(panel.querySelector('table')?.textContent).toContain('qa-B-12retirethe analyst answered differently');
  });

  it('saves the report where the save dialog says, and says where', async () => {
    const api = fakeVigilApi();
    api.whatIfStatus.mockResolvedValue(done);
    api.saveWhatIfReport.mockResolvedValueOnce({ file: '/home/ana/what-if.html' });
    const { panel } = await openInsights(api);
    await click(button(panel, 'Save the report as HTML…'));
    expect(api.saveWhatIfReport).toHaveBeenCalledOnce();
    expect(panel.querySelector('[role="status"]')?.textContent).toBe('Report saved to /home/ana/what-if.html. It opens in any browser, offline.');
  });

  it('shows why a replay could not start, in the main process’s words', async () => {
    const api = fakeVigilApi();
    api.startWhatIf.mockRejectedValueOnce(
      new Error("Error invoking remote method 'vigil:startWhatIf': Error: The desk has not watched any tickets yet: choose a file or a folder of recorded tickets instead."),
    );
    const { panel } = await openInsights(api);
    await click(button(panel, 'Replay the watched queue'));
    expect(panel.querySelector('[role="alert"]')?.textContent).toBe('The desk has not watched any tickets yet: choose a file or a folder of recorded tickets instead.');
  });
});
