/**
 * Insights for the team: how often Vigil spoke, how often what it showed was used, and how the knowledge
 * grew, per day. Computed on demand from the desk's journal and the store's provenance dates.
 */
import type { GateCalibrationStatus } from '../feedback/gateCalibration';
import type { ShownSuggestion } from './deskTypes';

/** Feedback that means the suggestion helped. */
const USED = new Set(['copied', 'inserted', 'published', 'liked']);
/** Feedback that means it did not. */
const REJECTED = new Set(['disliked', 'dismissed']);

export interface DayCount {
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  count: number;
}

export interface SuggestionDay {
  day: string;
  shown: number;
  used: number;
  rejected: number;
}

export interface Insights {
  /** The last `days` days, oldest first, including days with nothing. */
  suggestions: SuggestionDay[];
  totals: { shown: number; used: number; rejected: number; acceptanceRate: number | null };
  /** Entries created per day over the same window, and the total at the end of each day. */
  knowledge: Array<DayCount & { total: number }>;
  /**
   * The retrieval gate as the team's reactions set it ("gate recalibrated from N reactions: threshold X (default
   * Y)", or the default gate and the reactions it still needs); the workspace adds it (CopilotService.gateCalibration).
   */
  gate?: GateCalibrationStatus;
}

function dayOf(iso: string): string | null {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : new Date(t).toISOString().slice(0, 10);
}

function lastDays(now: Date, days: number): string[] {
  const out: string[] = [];
  for (let i = days - 1; i >= 0; i--) out.push(new Date(now.getTime() - i * 86_400_000).toISOString().slice(0, 10));
  return out;
}

/**
 * `shown`: every suggestion shown (with its feedback); `entryCreatedAt`: the creation time of every entry.
 * A suggestion counts as used when any of its feedback was a use, as rejected when it was only rejections.
 */
export function computeInsights(shown: Iterable<ShownSuggestion>, entryCreatedAt: Iterable<string>, now: Date, days = 14): Insights {
  const window = lastDays(now, days);
  const byDay = new Map(window.map((day) => [day, { day, shown: 0, used: 0, rejected: 0 }]));
  const totals = { shown: 0, used: 0, rejected: 0 };
  for (const s of shown) {
    const used = s.feedback.some((f) => USED.has(f));
    const rejected = !used && s.feedback.some((f) => REJECTED.has(f));
    totals.shown++;
    if (used) totals.used++;
    if (rejected) totals.rejected++;
    const bucket = byDay.get(dayOf(s.shownAt) ?? '');
    if (!bucket) continue;
    bucket.shown++;
    if (used) bucket.used++;
    if (rejected) bucket.rejected++;
  }
  const created = new Map(window.map((day) => [day, 0]));
  let before = 0;
  for (const at of entryCreatedAt) {
    const day = dayOf(at);
    if (day === null || day < window[0]!) before++;
    else if (created.has(day)) created.set(day, created.get(day)! + 1);
  }
  let total = before;
  const knowledge = window.map((day) => {
    const count = created.get(day)!;
    total += count;
    return { day, count, total };
  });
  const judged = totals.used + totals.rejected;
  return {
    suggestions: [...byDay.values()],
    totals: { ...totals, acceptanceRate: judged === 0 ? null : totals.used / judged },
    knowledge,
  };
}
