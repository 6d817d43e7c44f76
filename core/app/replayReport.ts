/**
 * The what-if report (`vigil replay --report report.html`): what the copilot would have done on the team's own
 * recorded queue: how often it spoke, how often that was the analyst's own answer (where the queue holds one),
 * how soon it helped against the analyst's first reply, what it learned over time, and what the delayed review
 * kept, modified and retired. One self-contained HTML file: the data and the chart library (Chart.js, from the
 * app's own dependencies) are inlined, and its Content-Security-Policy forbids loading anything, so it opens
 * offline and cannot reach the network.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import type { ChartConfiguration } from 'chart.js';
import { writeFileAtomic } from '../formats/durableFile';
import { quantile } from '../text/quantile';
import type { ReplaySummary, ReplayTicketRecord } from './replay';

/** At most this many points on the over-time charts: each is a run of consecutive tickets (a dozen reads at a glance). */
const MAX_PERIODS = 12;
const MINUTE = 60_000;

/** Bins of the time-to-first-help chart, in minutes from the ticket's first customer message. */
export const HELP_BINS = ['at once', '< 5 min', '5–15 min', '15–60 min', '≥ 1 h', 'never'] as const;

export interface ReportPeriod {
  label: string;
  tickets: number;
  customerMessages: number;
  /** Tickets on which it showed at least one answer. */
  ticketsHelped: number;
  spoke: number;
  compared: number;
  sameAsAnalyst: number;
  /** Entries known at the end of the period. */
  entries: number;
  learned: number;
  reviewed: { kept: number; modified: number; retired: number };
}

/** Everything the report shows, computed from a replay summary (tested on its own, charts aside). */
export interface ReportData {
  title: string;
  ticketsFile: string;
  totals: {
    tickets: number;
    customerMessages: number;
    spoke: number;
    ticketsHelped: number;
    compared: number;
    sameAsAnalyst: number;
    entriesLearned: number;
    review: { tickets: number; kept: number; modified: number; retired: number };
    /** Medians in minutes over tickets where each applies; null when none. */
    medianFirstHelpMin: number | null;
    medianAnalystReplyMin: number | null;
  };
  periods: ReportPeriod[];
  /** Tickets per HELP_BINS bin: the copilot's first answer and the analyst's first reply. */
  firstHelp: { copilot: number[]; analyst: number[] };
  verdicts: Array<{ ticketId: string; entryId: string; action: string; reason: string; judge: string }>;
}

function bin(minutes: number | null): number {
  if (minutes === null) return 5;
  if (minutes <= 0) return 0;
  if (minutes < 5) return 1;
  if (minutes < 15) return 2;
  if (minutes < 60) return 3;
  return 4;
}

function minutesFrom(start: number | null, end: number | null): number | null {
  return start === null || end === null ? null : Math.max(0, (end - start) / MINUTE);
}

function periodLabel(records: readonly ReplayTicketRecord[], from: number): string {
  const first = records[0]?.firstAt ?? null;
  const date = first === null ? null : new Date(first).toISOString().slice(0, 16).replace('T', ' ');
  return date ?? `#${from + 1}–${from + records.length}`;
}

/** The report's figures from a replay summary. */
export function reportData(summary: ReplaySummary, ticketsFile: string): ReportData {
  const records = summary.perTicket;
  const size = Math.max(1, Math.ceil(records.length / MAX_PERIODS));
  const periods: ReportPeriod[] = [];
  for (let from = 0; from < records.length; from += size) {
    const slice = records.slice(from, from + size);
    const sum = (pick: (r: ReplayTicketRecord) => number): number => slice.reduce((n, r) => n + pick(r), 0);
    periods.push({
      label: periodLabel(slice, from),
      tickets: slice.length,
      customerMessages: sum((r) => r.customerMessages),
      ticketsHelped: sum((r) => (r.spoke > 0 ? 1 : 0)),
      spoke: sum((r) => r.spoke),
      compared: sum((r) => r.compared),
      sameAsAnalyst: sum((r) => r.sameAsAnalyst),
      entries: slice.at(-1)?.entriesAfter ?? 0,
      learned: sum((r) => r.learned),
      reviewed: { kept: sum((r) => r.reviewed.kept), modified: sum((r) => r.reviewed.modified), retired: sum((r) => r.reviewed.retired) },
    });
  }
  const firstHelp = { copilot: HELP_BINS.map(() => 0), analyst: HELP_BINS.map(() => 0) };
  const copilotMinutes: number[] = [];
  const analystMinutes: number[] = [];
  for (const r of records) {
    if (r.firstAt === null) continue; // no times in the queue: nothing to measure
    const copilot = minutesFrom(r.firstAt, r.firstHelpAt);
    const analyst = minutesFrom(r.firstAt, r.analystFirstReplyAt);
    firstHelp.copilot[bin(copilot)]!++;
    firstHelp.analyst[bin(analyst)]!++;
    if (copilot !== null) copilotMinutes.push(copilot);
    if (analyst !== null) analystMinutes.push(analyst);
  }
  return {
    title: 'What Vigil would have done',
    ticketsFile: basename(ticketsFile),
    totals: {
      tickets: summary.tickets,
      customerMessages: summary.customerMessages,
      spoke: records.reduce((n, r) => n + r.spoke, 0),
      ticketsHelped: records.filter((r) => r.spoke > 0).length,
      compared: summary.answers.compared,
      sameAsAnalyst: summary.answers.sameAsAnalyst,
      entriesLearned: summary.entriesLearned,
      review: { tickets: summary.review.tickets, kept: summary.review.kept, modified: summary.review.modified, retired: summary.review.retired },
      medianFirstHelpMin: copilotMinutes.length ? quantile(copilotMinutes, 0.5) : null,
      medianAnalystReplyMin: analystMinutes.length ? quantile(analystMinutes, 0.5) : null,
    },
    periods,
    firstHelp,
    verdicts: summary.review.verdicts
      .filter((v) => v.action !== 'keep')
      .map((v) => ({ ticketId: v.ticketId, entryId: v.entryId, action: v.action, reason: v.reason, judge: v.judge })),
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** JSON safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

function percent(part: number, whole: number): string {
  return whole > 0 ? `${Math.round((100 * part) / whole)} %` : '–';
}

function minutes(value: number | null): string {
  if (value === null) return '–';
  return value < 1 ? 'at once' : value < 120 ? `${value.toFixed(0)} min` : `${(value / 60).toFixed(1)} h`;
}

/** The chart library's browser build, read from the installed package (no copy in the repository to drift). */
export async function chartLibrary(): Promise<string> {
  const require = createRequire(import.meta.url);
  // The package exports only its module builds; the browser build sits beside them in dist/.
  const code = await readFile(join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'), 'utf8');
  if (/<\/script/i.test(code)) throw new Error('The chart library contains "</script" and cannot be inlined.');
  return code;
}

/** One headline figure of the report: what it counts, the figure, and what it is out of. */
export interface ReportTile {
  label: string;
  value: string;
  detail: string;
}

/** The report's headline figures, worded once for the HTML report and the app. */
export function reportTiles(data: ReportData): ReportTile[] {
  const t = data.totals;
  const rows: Array<[string, string, string]> = [
    ['spoke on', percent(t.ticketsHelped, t.tickets), `${t.ticketsHelped} of ${t.tickets} tickets (${t.spoke} answers to ${t.customerMessages} customer messages)`],
    ['same answer as the analyst', percent(t.sameAsAnalyst, t.compared), t.compared ? `${t.sameAsAnalyst} of ${t.compared} answers the queue can check` : 'the queue holds no analyst answers to compare'],
    ['first help (median)', minutes(t.medianFirstHelpMin), `the analyst’s first reply: ${minutes(t.medianAnalystReplyMin)}`],
    ['learned', String(t.entriesLearned), 'entries from closed tickets'],
    ['delayed review', `${t.review.kept} / ${t.review.modified} / ${t.review.retired}`, `kept / modified / retired, over ${t.review.tickets} tickets`],
  ];
  return rows.map(([label, value, detail]) => ({ label, value, detail }));
}

/** One of the report's charts: a Chart.js configuration of plain data (no functions), so it crosses IPC and JSON. */
export interface ReportChart {
  /** The canvas's id in the HTML report (`chart-…`). */
  id: string;
  title: string;
  /** What the chart shows, for screen readers. */
  ariaLabel: string;
  config: ChartConfiguration;
}

const BLUE = '#2563eb';
const GREEN = '#16a34a';
const GREY = '#9ca3af';
const PURPLE = '#7c3aed';
const LILAC = '#c4b5fd';
const AMBER = '#f59e0b';
const RED = '#dc2626';

/** A share in percent, one decimal; null where there is nothing to divide by (Chart.js leaves a gap). */
function pct(part: number, whole: number): number | null {
  return whole > 0 ? Math.round((1000 * part) / whole) / 10 : null;
}

/**
 * The report's four charts, built once for both front ends: the HTML report draws them with the inlined library,
 * and the app's Insights draws the very same configurations with its bundled Chart.js.
 */
export function reportCharts(data: ReportData): ReportChart[] {
  const labels = data.periods.map((p) => p.label);
  const common = { animation: false as const, responsive: true, maintainAspectRatio: false, plugins: { legend: { position: 'bottom' as const } } };
  return [
    {
      id: 'chart-spoke',
      title: 'How often it spoke, and was right',
      ariaLabel: "Share of customer messages answered, and of answers the same as the analyst's, over time",
      config: {
        type: 'line',
        data: {
          labels,
          datasets: [
            { label: 'customer messages it answered (%)', data: data.periods.map((p) => pct(p.spoke, p.customerMessages)), borderColor: BLUE, backgroundColor: BLUE },
            { label: 'answers the same as the analyst’s (%)', data: data.periods.map((p) => pct(p.sameAsAnalyst, p.compared)), borderColor: GREEN, backgroundColor: GREEN },
          ],
        },
        options: { ...common, scales: { y: { min: 0, max: 100, title: { display: true, text: '%' } } } },
      },
    },
    {
      id: 'chart-first-help',
      title: 'Time to first help',
      ariaLabel: 'Tickets by time from the first customer message to the first help',
      config: {
        type: 'bar',
        data: {
          labels: [...HELP_BINS],
          datasets: [
            { label: 'Vigil’s first answer', data: data.firstHelp.copilot, backgroundColor: BLUE },
            { label: 'the analyst’s first reply', data: data.firstHelp.analyst, backgroundColor: GREY },
          ],
        },
        options: { ...common, scales: { y: { beginAtZero: true, title: { display: true, text: 'tickets' } } } },
      },
    },
    {
      id: 'chart-knowledge',
      title: 'Knowledge learned over time',
      ariaLabel: 'Entries known and learned over time',
      config: {
        type: 'line',
        data: {
          labels,
          datasets: [
            { label: 'entries known', data: data.periods.map((p) => p.entries), borderColor: PURPLE, backgroundColor: PURPLE, yAxisID: 'y' },
            // A bar series on a line chart: Chart.js's mixed chart (the dataset's own type).
            { label: 'entries learned in the period', data: data.periods.map((p) => p.learned), type: 'bar', backgroundColor: LILAC, yAxisID: 'y' } as never,
          ],
        },
        options: { ...common, scales: { y: { beginAtZero: true } } },
      },
    },
    {
      id: 'chart-review',
      title: 'What the delayed review decided',
      ariaLabel: 'Review verdicts over time',
      config: {
        type: 'bar',
        data: {
          labels,
          datasets: [
            { label: 'kept', data: data.periods.map((p) => p.reviewed.kept), backgroundColor: GREEN },
            { label: 'modified', data: data.periods.map((p) => p.reviewed.modified), backgroundColor: AMBER },
            { label: 'retired', data: data.periods.map((p) => p.reviewed.retired), backgroundColor: RED },
          ],
        },
        options: { ...common, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
      },
    },
  ];
}

/** Draws every chart of `report-charts` with the inlined library; the count lands on the body for tests. */
const DRAW = `
const charts = JSON.parse(document.getElementById('report-charts').textContent);
for (const chart of charts) new Chart(document.getElementById(chart.id), chart.config);
document.body.dataset.charts = String(Object.keys(Chart.instances).length);
`;

/** The report as one HTML document, with `chartJs` (the library's browser build) inlined. */
export function renderReport(data: ReportData, chartJs: string): string {
  const t = data.totals;
  const charts = reportCharts(data);
  const tiles = reportTiles(data);
  const verdictRows = data.verdicts
    .slice(0, 100)
    .map((v) => `<tr><td>${escapeHtml(v.ticketId)}</td><td>${escapeHtml(v.entryId)}</td><td>${escapeHtml(v.action)}</td><td>${escapeHtml(v.judge)}</td><td>${escapeHtml(v.reason)}</td></tr>`)
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(data.title)}: ${escapeHtml(data.ticketsFile)}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1100px; padding: 0 16px; color: #111827; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 16px; margin: 0 0 8px; }
.lead { color: #4b5563; margin-top: 0; }
.tiles { display: grid; grid-template-columns: repeat(5, 1fr); gap: 12px; margin: 16px 0; }
.tile { border: 1px solid #e5e7eb; border-radius: 8px; padding: 10px 12px; }
.tile b { display: block; font-size: 22px; } .tile span, .tile small { color: #4b5563; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
figure { margin: 0; border: 1px solid #e5e7eb; border-radius: 8px; padding: 12px; }
figure div { position: relative; height: 260px; }
table { border-collapse: collapse; width: 100%; margin-top: 8px; } td, th { border-bottom: 1px solid #e5e7eb; padding: 4px 6px; text-align: left; vertical-align: top; }
</style>
</head>
<body>
<h1>${escapeHtml(data.title)}</h1>
<p class="lead">Replayed on ${escapeHtml(data.ticketsFile)}: ${t.tickets} tickets delivered message by message on their own time, through the same engine as the app. “Same answer” compares each shown answer with the analyst’s recorded reply to the same message.</p>
<section class="tiles">${tiles.map((x) => `<div class="tile"><span>${escapeHtml(x.label)}</span><b>${escapeHtml(x.value)}</b><small>${escapeHtml(x.detail)}</small></div>`).join('')}</section>
<section class="charts">
${charts.map((c) => `<figure><h2>${escapeHtml(c.title)}</h2><div><canvas id="${c.id}" role="img" aria-label="${escapeHtml(c.ariaLabel)}"></canvas></div></figure>`).join('\n')}
</section>
<h2 style="margin-top:20px">Entries the review changed</h2>
${verdictRows ? `<table><thead><tr><th>ticket</th><th>entry</th><th>decision</th><th>judge</th><th>why</th></tr></thead><tbody>${verdictRows}</tbody></table>${data.verdicts.length > 100 ? `<p>… and ${data.verdicts.length - 100} more.</p>` : ''}` : '<p>None: every entry it reviewed was kept.</p>'}
<script type="application/json" id="report-data">${scriptJson(data)}</script>
<script type="application/json" id="report-charts">${scriptJson(charts)}</script>
<script>${chartJs}</script>
<script>${DRAW}</script>
</body>
</html>
`;
}

/** Writes the report for a replay to `file` (atomically: a crash leaves the old file or the new one). */
export async function writeReplayReport(file: string, summary: ReplaySummary, ticketsFile: string): Promise<void> {
  await writeFileAtomic(file, renderReport(reportData(summary, ticketsFile), await chartLibrary()));
}
