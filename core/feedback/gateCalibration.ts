/**
 * The team's recalibration of the retrieval gate from its feedback (issue 16, item 3). The gate's logistic model
 * (core/assist/confidence.ts) was fitted on public data sets; a team whose analysts keep dismissing what it shows at
 * middling confidence wants it to speak less, one that uses nearly everything wants it to speak more. Every
 * suggestion the gate showed carries its confidence (`gateConfidence` on the `shown` event and on the reactions to
 * it); the analyst's reaction labels it: used (inserted, copied, published or liked) or rejected (dismissed or
 * disliked). Expanded, ignored and unanswered suggestions say nothing either way and do not count.
 *
 * One parameter is fitted: a shift `δ` of the model's intercept, so that the team's chance of using a suggestion
 * of confidence `c` is `σ(logit(c) + δ)`, by maximum likelihood with a weak prior on `δ`. The gate then shows what
 * the recalibrated model puts at or above the default threshold, i.e. raw confidences from `σ(logit(T) − δ)` on.
 * Only shown suggestions are ever labelled, but that selection is on the confidence itself, which the model
 * conditions on, so it does not bias the fitted shift.
 *
 * The fit is lazy: a new reaction marks it stale and the next read of the threshold (the next customer message)
 * refits, over at most the last `CALIBRATION_WINDOW` reactions: microseconds, never per keystroke. It needs
 * `MIN_REACTIONS` labelled reactions with `MIN_EACH_KIND` of each kind, and never moves the threshold further than
 * `MAX_SHIFT` allows either way. A reset (`since`) ignores the reactions before it; nothing in the log is removed.
 */
import type { SuggestionEvent } from './suggestionEvents';

/** Reactions that mean the suggestion helped. */
const POSITIVE: ReadonlySet<string> = new Set(['inserted', 'copied', 'published', 'liked']);
/** Reactions that mean it did not. */
const NEGATIVE: ReadonlySet<string> = new Set(['dismissed', 'disliked']);

/**
 * Labelled reactions needed before the gate moves. With 30 at the ~90% of shown suggestions that are right on
 * BANKING77 (`npm run bench:gate-recalibration`, BENCHMARKS.md), the shift's standard error is about
 * 1/√(30 · 0.9 · 0.1) ≈ 0.6 logit, as wide as the bound: fewer would move the gate on noise alone.
 */
export const MIN_REACTIONS = 30;
/**
 * Of each kind (used, rejected). Without a few of both, the likelihood keeps rising towards one side (a run of 25
 * likes says "lower" without limit) and only the bound would stop it: a streak is not a calibration.
 */
export const MIN_EACH_KIND = 5;
/**
 * The largest shift of the intercept, in logits, either way: at the default threshold 0.5 the gate shows from 0.354
 * at the lowest to 0.646 at the highest. The gate's fit on four data sets (GATE_WEIGHTS) is the team's starting
 * point, and a team's feedback is a few hundred judgements by a few people: it may tune the gate, never replace it.
 */
export const MAX_SHIFT = 0.6;
/** The most recent labelled reactions the fit weighs: the team's present taste, and a fit that stays cheap. */
export const CALIBRATION_WINDOW = 500;
/**
 * Standard deviation of the prior on the shift (logits): a few dozen reactions move it well inside the bound, a
 * handful do not move it far.
 */
const PRIOR_SD = 1;
/** Labelled reactions kept in memory beyond the window (a reset may need older ones no longer; a cap, not a fit). */
const MAX_KEPT = 4 * CALIBRATION_WINDOW;
/** Shown suggestions whose confidence is remembered for the reactions still to come. */
const MAX_SHOWN = 20_000;

/** The team's setting (core/learn/learningSettings.ts `gateRecalibration`). */
export interface GateCalibrationSettings {
  /** Recalibrate the gate from the team's feedback; off: the fitted default gate. */
  enabled: boolean;
  /** Reactions before this time (ISO) are not counted: the last reset. Null: all are. */
  since: string | null;
}

export const DEFAULT_GATE_CALIBRATION: GateCalibrationSettings = { enabled: true, since: null };

/** What the gate does now, for Insights and `vigil status`. */
export interface GateCalibrationStatus {
  /** `recalibrated` from the team's reactions, `default` (too few yet), or `off` (the team setting). */
  state: 'recalibrated' | 'default' | 'off';
  /** Labelled reactions counted (since the last reset, at most CALIBRATION_WINDOW). */
  reactions: number;
  used: number;
  rejected: number;
  /** MIN_REACTIONS. */
  needed: number;
  /** The threshold the gate applies now, and the fitted default. */
  threshold: number;
  defaultThreshold: number;
  /** The intercept shift in logits (0 unless recalibrated). */
  shift: number;
  /** One sentence: "gate recalibrated from 120 reactions: threshold 0.561 (default 0.5)". */
  summary: string;
}

interface Labelled {
  /** When the first reaction came, ms since epoch. */
  at: number;
  confidence: number;
  used: boolean;
  rejected: boolean;
}

const logit = (p: number): number => {
  const q = Math.min(1 - 1e-4, Math.max(1e-4, p));
  return Math.log(q / (1 - q));
};
const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));
const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/**
 * The intercept shift fitted to (confidence, used) pairs: the maximum of the log-likelihood of
 * `σ(logit(c) + δ)` plus a normal prior (sd PRIOR_SD), by Newton's method (concave, one dimension), then bounded.
 */
export function fitInterceptShift(points: ReadonlyArray<{ confidence: number; used: boolean }>, maxShift: number = MAX_SHIFT): number {
  const z = points.map((p) => logit(p.confidence));
  let shift = 0;
  for (let step = 0; step < 50; step++) {
    let gradient = -shift / PRIOR_SD ** 2;
    let curvature = 1 / PRIOR_SD ** 2;
    points.forEach((p, i) => {
      const q = sigmoid((z[i] as number) + shift);
      gradient += (p.used ? 1 : 0) - q;
      curvature += q * (1 - q);
    });
    const move = gradient / curvature;
    shift += move;
    if (Math.abs(move) < 1e-9) break;
  }
  return Math.max(-maxShift, Math.min(maxShift, shift));
}

/** The raw-confidence threshold that the recalibrated model puts at `base`. */
export function shiftedThreshold(base: number, shift: number): number {
  return sigmoid(logit(base) - shift);
}

/** The recalibration, folded from the event log as it grows (FeedbackCenter feeds it every event). */
export class GateCalibration {
  /** Gate confidence of each shown suggestion (`ticket|message|entry`); null: the last showing was not the gate's. */
  private readonly shown = new Map<string, number | null>();
  /** Labelled suggestions in the order their first reaction came. */
  private readonly labelled = new Map<string, Labelled>();
  private settings: GateCalibrationSettings;
  private fitted: { shift: number; reactions: number; used: number; rejected: number } | null = null;

  constructor(settings: GateCalibrationSettings = DEFAULT_GATE_CALIBRATION) {
    this.settings = { ...settings };
  }

  /** Folds one event in (log order). Reactions to suggestions whose confidence is unknown are skipped. */
  add(event: SuggestionEvent): void {
    const key = keyOf(event);
    if (!key) return;
    if (event.type === 'shown') {
      this.shown.delete(key); // re-inserted last: the oldest go first
      this.shown.set(key, event.gateConfidence ?? null);
      if (this.shown.size > MAX_SHOWN) this.shown.delete(this.shown.keys().next().value as string);
      return;
    }
    const used = POSITIVE.has(event.type);
    if (!used && !NEGATIVE.has(event.type)) return;
    const confidence = event.gateConfidence ?? this.shown.get(key) ?? null;
    if (confidence === null) return;
    const known = this.labelled.get(key);
    if (known) {
      if (used) known.used = true;
      else known.rejected = true;
    } else {
      this.labelled.set(key, { at: Date.parse(event.at), confidence, used, rejected: !used });
      if (this.labelled.size > MAX_KEPT) this.labelled.delete(this.labelled.keys().next().value as string);
    }
    this.fitted = null;
  }

  /**
   * The gate's confidence when the suggestion this reaction is about was shown, if the gate showed it: the engine
   * stamps it on the reaction, so that teammates' desks, which never saw the `shown` event, can count it too.
   */
  shownConfidence(reaction: { ticketId: string; afterMessageId?: string; entryIds: readonly string[] }): number | undefined {
    const key = keyOf(reaction);
    const confidence = key === null ? null : this.shown.get(key);
    return confidence ?? undefined;
  }

  /** Applies the team's setting (turned off, or reset) from the next decision on. */
  configure(settings: GateCalibrationSettings): void {
    this.settings = { ...settings };
    this.fitted = null;
  }

  /** The threshold the gate applies instead of `base` (the fitted default): `base` until there is enough evidence. */
  threshold(base: number): number {
    const fit = this.fit();
    return fit.shift === 0 ? base : shiftedThreshold(base, fit.shift);
  }

  /** What the gate does now, in figures and one sentence. */
  status(base: number): GateCalibrationStatus {
    const fit = this.fit();
    const threshold = round3(this.threshold(base));
    const enough = this.enough(fit);
    const state = !this.settings.enabled ? 'off' : enough ? 'recalibrated' : 'default';
    const summary =
      state === 'off'
        ? `gate recalibration is off for this team: using the default gate (threshold ${base})`
        : state === 'recalibrated'
          ? `gate recalibrated from ${fit.reactions} reactions: threshold ${threshold} (default ${base})`
          : fit.reactions < MIN_REACTIONS
            ? `using the default gate (${fit.reactions} of ${MIN_REACTIONS} reactions needed)`
            : `using the default gate (${fit.reactions} reactions, but ${MIN_EACH_KIND} of each kind needed: ${fit.used} used, ${fit.rejected} dismissed or disliked)`;
    return { state, reactions: fit.reactions, used: fit.used, rejected: fit.rejected, needed: MIN_REACTIONS, threshold, defaultThreshold: base, shift: state === 'recalibrated' ? round3(fit.shift) : 0, summary };
  }

  private enough(fit: { reactions: number; used: number; rejected: number }): boolean {
    return fit.reactions >= MIN_REACTIONS && fit.used >= MIN_EACH_KIND && fit.rejected >= MIN_EACH_KIND;
  }

  private fit(): { shift: number; reactions: number; used: number; rejected: number } {
    if (this.fitted) return this.fitted;
    const since = this.settings.since === null ? null : Date.parse(this.settings.since);
    const points = [...this.labelled.values()]
      .filter((l) => since === null || l.at >= since)
      .slice(-CALIBRATION_WINDOW)
      // A suggestion used in the end helped, whatever was clicked first (as Insights counts it).
      .map((l) => ({ confidence: l.confidence, used: l.used }));
    const used = points.filter((p) => p.used).length;
    const counts = { reactions: points.length, used, rejected: points.length - used };
    const shift = this.settings.enabled && this.enough(counts) ? fitInterceptShift(points) : 0;
    this.fitted = { shift, ...counts };
    return this.fitted;
  }
}

function keyOf(event: { ticketId: string; afterMessageId?: string; entryIds: readonly string[] }): string | null {
  const entry = event.entryIds[0];
  return event.afterMessageId && entry ? `${event.ticketId}|${event.afterMessageId}|${entry}` : null;
}
