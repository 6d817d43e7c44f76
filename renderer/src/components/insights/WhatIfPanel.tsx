/**
 * Insights → What if: replays the team's recorded queue (a tickets file, a folder of them, or the tickets the desk
 * has watched) through the engine, in the main process, and shows what Vigil would have done: how often it spoke,
 * how often that was the analyst's own answer, how soon it helped, and what it learned over time. The figures and
 * the chart configurations come from the same builders as `vigil replay --report` (core/app/replayReport.ts); this
 * panel only draws them with the bundled Chart.js. The report can be saved as one self-contained HTML file.
 */
import type { Chart as ChartType, ChartConfiguration } from 'chart.js';
import { useEffect, useRef } from 'react';
import type { ReportChart, WhatIfReport } from '../../api/contractTypes';
import { useCopilotStore } from '../../store/copilot/CopilotStoreProvider';
import { Notices } from '../Notices';

/**
 * Chart.js, loaded the first time a report is drawn: a chunk of its own (about 200 kB), so the desk, which never
 * draws a chart, starts without it.
 */
let chartLibrary: Promise<typeof ChartType> | null = null;
function loadChartLibrary(): Promise<typeof ChartType> {
  chartLibrary ??= import('chart.js').then(({ Chart, registerables }) => {
    Chart.register(...registerables);
    return Chart;
  });
  return chartLibrary;
}

/** How often the panel asks how far a run is: often enough for a moving bar, rare enough to cost nothing. */
const POLL_MS = 500;

/** One chart of the report, drawn from its configuration (a copy: Chart.js writes into the object it is given). */
function ReportChartView({ chart }: { chart: ReportChart }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    let drawn: ChartType | null = null;
    let gone = false;
    void loadChartLibrary().then((Chart) => {
      if (!gone && canvas.current) drawn = new Chart(canvas.current, structuredClone(chart.config) as ChartConfiguration);
    });
    return () => {
      gone = true;
      drawn?.destroy();
    };
  }, [chart]);
  return (
    <figure className="whatif-chart">
      <h4>{chart.title}</h4>
      <div className="whatif-canvas">
        <canvas ref={canvas} id={`whatif-${chart.id}`} role="img" aria-label={chart.ariaLabel} />
      </div>
    </figure>
  );
}

function Report({ report }: { report: WhatIfReport }) {
  const { data } = report;
  return (
    <div className="whatif-report">
      <p className="settings-item-meta">
        Replayed {data.ticketsFile}: {data.totals.tickets} tickets delivered message by message on their own time, through the same engine as the desk, starting from no
        knowledge and learning as it went. “Same answer” compares each shown answer with the analyst’s recorded reply to the same message.
      </p>
      <dl className="insight-totals whatif-tiles" aria-label="What Vigil would have done">
        {report.tiles.map((tile) => (
          <div key={tile.label}>
            <dt>{tile.label}</dt>
            <dd>{tile.value}</dd>
            <dd className="settings-item-meta">{tile.detail}</dd>
          </div>
        ))}
      </dl>
      <div className="whatif-charts">
        {report.charts.map((chart) => (
          <ReportChartView key={chart.id} chart={chart} />
        ))}
      </div>
      {data.verdicts.length > 0 && (
        <table className="insight-table">
          <caption>Entries the delayed review changed</caption>
          <thead>
            <tr>
              <th scope="col">Ticket</th>
              <th scope="col">Entry</th>
              <th scope="col">Decision</th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {data.verdicts.slice(0, 20).map((v) => (
              <tr key={`${v.ticketId}-${v.entryId}-${v.action}`}>
                <td>{v.ticketId}</td>
                <td>{v.entryId}</td>
                <td>{v.action}</td>
                <td>{v.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {report.skippedTotal > 0 && (
        <details>
          <summary>
            {report.skippedTotal} ticket line{report.skippedTotal === 1 ? ' was' : 's were'} skipped
          </summary>
          <ul>
            {report.skipped.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

export function WhatIfPanel() {
  const status = useCopilotStore((s) => s.whatIf);
  const error = useCopilotStore((s) => s.whatIfError);
  const notice = useCopilotStore((s) => s.whatIfNotice);
  const busy = useCopilotStore((s) => s.whatIfBusy);
  const load = useCopilotStore((s) => s.loadWhatIf);
  const start = useCopilotStore((s) => s.startWhatIf);
  const cancel = useCopilotStore((s) => s.cancelWhatIf);
  const save = useCopilotStore((s) => s.saveWhatIfReport);
  const running = status?.state === 'running';
  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => void load(), POLL_MS);
    return () => clearInterval(timer);
  }, [running, load]);

  return (
    <section className="whatif" aria-labelledby="whatif-heading">
      <h2 id="whatif-heading">What if: Vigil on your recorded queue</h2>
      <p>
        Replay the team’s own tickets to see what Vigil would have done, before adopting it or to see it improve. The replay runs on this computer in a scratch folder: the
        team’s knowledge and desk are not touched.
      </p>
      <div className="settings-actions">
        <button type="button" disabled={running || busy !== null} onClick={() => void start('file')}>
          Replay a tickets file…
        </button>
        <button type="button" className="secondary" disabled={running || busy !== null} onClick={() => void start('folder')}>
          Replay a folder…
        </button>
        <button type="button" className="secondary" disabled={running || busy !== null} onClick={() => void start('desk')}>
          Replay the watched queue
        </button>
      </div>
      {running && status && (
        <div className="whatif-progress" role="status">
          <progress value={status.done} max={status.total ?? undefined} aria-label={`Replaying ${status.source ?? ''}`} />
          <span>
            Replaying {status.source}: {status.done}
            {status.total !== null ? ` of ${status.total}` : ''} tickets
          </span>
          <button type="button" className="secondary" disabled={busy !== null} onClick={() => void cancel()}>
            {busy === 'cancelling' ? 'Cancelling…' : 'Cancel'}
          </button>
        </div>
      )}
      {status?.state === 'cancelled' && (
        <p className="notice" role="status">
          The replay of {status.source} was cancelled after {status.done} tickets; nothing was kept.
        </p>
      )}
      {status?.state === 'failed' && (
        <p className="notice error" role="alert">
          The replay of {status.source} failed: {status.error}
        </p>
      )}
      {status?.state === 'done' && status.report && (
        <>
          <Report report={status.report} />
          <div className="settings-actions">
            <button type="button" disabled={busy !== null} onClick={() => void save()}>
              {busy === 'saving' ? 'Saving…' : 'Save the report as HTML…'}
            </button>
          </div>
        </>
      )}
      <Notices notice={notice} error={error} />
    </section>
  );
}
