/**
 * Insights: how often Vigil spoke and how often it helped, and how the team's knowledge grew, over the last
 * two weeks. Charts are plain SVG (no chart library, nothing remote); each has a text summary for screen
 * readers and the numbers in a table below. Beside the confidence gate's sentence: the team's switch for
 * recalibrating it from feedback and "Start over" (as `vigil status --gate-recalibration on|off` and `--reset-gate`).
 */
import { useEffect, useState } from 'react';
import type { GateCalibrationStatus, Insights } from '../api/contractTypes';
import { useCopilotStore } from '../store/copilot/CopilotStoreProvider';
import { ConfirmAction } from './ConfirmAction';
import { WhatIfPanel } from './insights/WhatIfPanel';

const WIDTH = 560;
const HEIGHT = 140;

function percent(rate: number | null): string {
  return rate === null ? 'no feedback yet' : `${Math.round(rate * 100)}%`;
}

function SuggestionChart({ days }: { days: Insights['suggestions'] }) {
  const max = Math.max(1, ...days.map((d) => d.shown));
  const slot = WIDTH / Math.max(1, days.length);
  const bar = Math.max(2, slot * 0.35);
  const y = (n: number) => HEIGHT - (n / max) * (HEIGHT - 10);
  const shown = days.reduce((s, d) => s + d.shown, 0);
  const used = days.reduce((s, d) => s + d.used, 0);
  return (
    <svg
      className="chart"
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label={`Suggestions per day over ${days.length} days: ${shown} shown, ${used} used.`}
    >
      {days.map((d, i) => (
        <g key={d.day}>
          <rect className="bar-shown" x={i * slot + slot * 0.1} y={y(d.shown)} width={bar} height={HEIGHT - y(d.shown)} />
          <rect className="bar-used" x={i * slot + slot * 0.1 + bar} y={y(d.used)} width={bar} height={HEIGHT - y(d.used)} />
        </g>
      ))}
    </svg>
  );
}

function GrowthChart({ days }: { days: Insights['knowledge'] }) {
  const max = Math.max(1, ...days.map((d) => d.total));
  const min = Math.min(...days.map((d) => d.total));
  const span = Math.max(1, max - min);
  const step = WIDTH / Math.max(1, days.length - 1);
  const points = days.map((d, i) => `${(i * step).toFixed(1)},${(HEIGHT - 8 - ((d.total - min) / span) * (HEIGHT - 16)).toFixed(1)}`);
  const first = days[0]?.total ?? 0;
  const last = days.at(-1)?.total ?? 0;
  return (
    <svg
      className="chart"
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label={`Knowledge entries grew from ${first.toLocaleString('en')} to ${last.toLocaleString('en')} over ${days.length} days.`}
    >
      <polyline className="line-total" fill="none" points={points.join(' ')} />
    </svg>
  );
}

/**
 * The confidence gate: what it does now, the team's switch for recalibrating it from feedback, and "Start over"
 * behind a confirm step (core/feedback/gateCalibration.ts). Both answer the gate's new sentence.
 */
function GateCalibration({ gate }: { gate: GateCalibrationStatus }) {
  const setGate = useCopilotStore((state) => state.setGateRecalibration);
  const resetGate = useCopilotStore((state) => state.resetGateRecalibration);
  const busy = useCopilotStore((state) => state.gateBusy);
  const error = useCopilotStore((state) => state.gateError);
  // The switch shows the analyst's choice while it is saved, then the engine's answer (the choice again, or the
  // state it kept when saving failed), so it does not flick back under the pointer meanwhile.
  const [switching, setSwitching] = useState<boolean | null>(null);
  return (
    <div className="gate-controls" role="group" aria-label="Confidence gate">
      <p className="gate-calibration" aria-live="polite">
        Confidence gate: {gate.summary}.
      </p>
      <label className="check">
        <input
          type="checkbox"
          checked={switching ?? gate.state !== 'off'}
          disabled={busy}
          onChange={(e) => {
            const enabled = e.target.checked;
            setSwitching(enabled);
            void setGate(enabled).finally(() => setSwitching(null));
          }}
        />
        Recalibrate the gate from our feedback
      </label>
      <p className="settings-item-meta">
        A team setting: what analysts use or dismiss moves the gate a little, from {gate.needed} reactions on. Off, Vigil uses the default gate.
      </p>
      <ConfirmAction
        label="Start over…"
        question={`Start over? The reactions stay in the log; only the counting restarts, and the gate is the default until ${gate.needed} new reactions come.`}
        confirmLabel="Yes, start over"
        groupLabel="Confirm starting the gate’s recalibration over"
        role="alertdialog"
        disabled={busy}
        confirmDisabled={busy}
        onConfirm={() => void resetGate()}
      />
      {error && (
        <p className="notice error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** The desk's own counts over the last two weeks. */
function DeskInsights() {
  const insights = useCopilotStore((state) => state.insights);
  const error = useCopilotStore((state) => state.insightsError);
  const loadInsights = useCopilotStore((state) => state.loadInsights);
  useEffect(() => {
    void loadInsights();
  }, [loadInsights]);

  if (error) {
    return (
      <p className="notice error" role="alert">
        {error}
      </p>
    );
  }
  if (!insights) return <p className="empty-state">Counting…</p>;
  const { totals } = insights;
  // Days with something to count; a table of zeros says nothing an empty state does not say better.
  const activeDays = insights.suggestions
    .map((d, i) => ({ ...d, newEntries: insights.knowledge[i]?.count ?? 0, total: insights.knowledge[i]?.total ?? 0 }))
    .filter((d) => d.shown > 0 || d.used > 0 || d.rejected > 0 || d.newEntries > 0);
  if (totals.shown === 0 && activeDays.length === 0) {
    return (
      <section className="insights" aria-labelledby="insights-heading">
        <h2 id="insights-heading">Insights</h2>
        <p className="empty-state">
          Nothing to count yet. Once tickets come in through a connector (Settings → Connectors), each suggestion Vigil
          shows, and whether an analyst used it, is counted here day by day, with the knowledge learned from closed tickets.
        </p>
      </section>
    );
  }
  return (
    <section className="insights" aria-labelledby="insights-heading">
      <h2 id="insights-heading">Insights</h2>
      <dl className="insight-totals">
        <div>
          <dt>Suggestions shown</dt>
          <dd>{totals.shown}</dd>
        </div>
        <div>
          <dt>Used (copied, inserted, published or liked)</dt>
          <dd>{totals.used}</dd>
        </div>
        <div>
          <dt>Acceptance rate</dt>
          <dd>{percent(totals.acceptanceRate)}</dd>
        </div>
      </dl>
      {insights.gate ? <GateCalibration gate={insights.gate} /> : null}
      <h3>Suggestions per day</h3>
      <p className="chart-legend">
        <span className="key key-shown" /> shown <span className="key key-used" /> used
      </p>
      <SuggestionChart days={insights.suggestions} />
      <h3>Knowledge growth</h3>
      <GrowthChart days={insights.knowledge} />
      <table className="insight-table">
        <caption>Days with activity</caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            <th scope="col">Shown</th>
            <th scope="col">Used</th>
            <th scope="col">Rejected</th>
            <th scope="col">New entries</th>
            <th scope="col">Entries in all</th>
          </tr>
        </thead>
        <tbody>
          {activeDays.map((d) => (
            <tr key={d.day}>
              <th scope="row">{d.day}</th>
              <td>{d.shown}</td>
              <td>{d.used}</td>
              <td>{d.rejected}</td>
              <td>{d.newEntries}</td>
              <td>{d.total.toLocaleString('en')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** Insights: the desk's counts, then the what-if replay on a recorded queue. */
export function InsightsView() {
  return (
    <>
      <DeskInsights />
      <WhatIfPanel />
    </>
  );
}
