/**
 * Per-entry feedback statistics, folded from the suggestion event log, and the rules that act on them:
 * an entry that keeps being dismissed ranks lower (`boost`, a factor retrieval can multiply a score by) and is
 * eventually retired (`shouldRetire`). Retirement is reversible: restoring an entry starts a new counting window,
 * so the dismissals that retired it do not retire it again.
 *
 * An event's credit or blame goes to the first cited entry, the one whose text the analyst saw.
 */
import type { SuggestionEvent, SuggestionEventType } from './suggestionEvents';

export interface EntryFeedback {
  shown: number;
  expanded: number;
  copied: number;
  inserted: number;
  published: number;
  liked: number;
  disliked: number;
  dismissed: number;
  ignored: number;
  /** Dislike reasons, most recent last (at most `MAX_REASONS`). */
  dislikeReasons: string[];
  lastEventAt: string | null;
}

/** The rule's thresholds; team settings may override them. */
export interface DemotionRule {
  /** Dismissals (in the current window) before an entry can be retired. */
  retireAfterDismissals: number;
  /** Share of the entry's showings that were dismissed, at or above which it is retired. */
  retireDismissalShare: number;
  /** Largest demotion: the factor never goes below `1 - maxDemotion`. */
  maxDemotion: number;
}

/**
 * Starting values, not fitted: no team's feedback exists yet to fit them on. Five dismissals with none liked,
 * inserted or published, in at least half of the showings, reads as "analysts do not want this"; a single bad
 * day does not retire an entry.
 */
export const DEFAULT_DEMOTION_RULE: DemotionRule = { retireAfterDismissals: 5, retireDismissalShare: 0.5, maxDemotion: 0.5 };

const MAX_REASONS = 10;
/** A positive event lifts an entry by at most this much (published and liked count fully, copy and insert half). */
const MAX_PROMOTION = 0.1;

function emptyFeedback(): EntryFeedback {
  return {
    shown: 0,
    expanded: 0,
    copied: 0,
    inserted: 0,
    published: 0,
    liked: 0,
    disliked: 0,
    dismissed: 0,
    ignored: 0,
    dislikeReasons: [],
    lastEventAt: null,
  };
}

/** Positive signals: the analyst used or endorsed the answer. */
export function positives(f: EntryFeedback): number {
  return f.liked + f.published + 0.5 * (f.inserted + f.copied);
}

/** Negative signals: a dislike weighs twice a dismissal (it is a deliberate judgement). */
export function negatives(f: EntryFeedback): number {
  return f.dismissed + 2 * f.disliked;
}

export class FeedbackStats {
  private readonly all = new Map<string, EntryFeedback>();
  /** Counts since the entry was last reinstated (restored after a retirement); absent = since the beginning. */
  private readonly window = new Map<string, EntryFeedback>();
  private readonly windowStart = new Map<string, string>();

  constructor(private readonly rule: DemotionRule = DEFAULT_DEMOTION_RULE) {}

  /** Folds one event in (events must arrive in log order). */
  add(event: SuggestionEvent): void {
    const entryId = event.entryIds[0];
    if (!entryId) return;
    const start = this.windowStart.get(entryId);
    this.bump(this.all, entryId, event);
    if (!start || event.at >= start) this.bump(this.window, entryId, event);
  }

  /** Starts a new counting window for an entry (it was restored after being retired). */
  reinstate(entryId: string, at: string): void {
    this.windowStart.set(entryId, at);
    this.window.set(entryId, emptyFeedback());
  }

  /** All feedback an entry ever had. */
  of(entryId: string): EntryFeedback {
    return this.all.get(entryId) ?? emptyFeedback();
  }

  /**
   * Score factor for retrieval: 1 for an entry without feedback, down to `1 - maxDemotion` for one that keeps
   * being dismissed or disliked, up to 1.1 for one analysts like and publish. Computed on the current window.
   */
  boost(entryId: string): number {
    const f = this.window.get(entryId);
    if (!f) return 1;
    const pos = positives(f);
    const neg = negatives(f);
    // +3 is a prior of three neutral showings, so one dismissal of a fresh entry moves it only a little.
    const demotion = this.rule.maxDemotion * (neg / (neg + pos + 3));
    const promotion = MAX_PROMOTION * (pos / (pos + 2));
    return Math.min(1 + MAX_PROMOTION, Math.max(1 - this.rule.maxDemotion, 1 + promotion - demotion));
  }

  /** Whether the dismissal rule retires the entry now (see `DEFAULT_DEMOTION_RULE`). */
  shouldRetire(entryId: string): boolean {
    const f = this.window.get(entryId);
    if (!f) return false;
    if (positives(f) > 0) return false;
    if (f.dismissed + f.disliked < this.rule.retireAfterDismissals) return false;
    return (f.dismissed + f.disliked) / Math.max(1, f.shown) >= this.rule.retireDismissalShare;
  }

  private bump(map: Map<string, EntryFeedback>, entryId: string, event: SuggestionEvent): void {
    const f = map.get(entryId) ?? emptyFeedback();
    const type: SuggestionEventType = event.type;
    f[type] += 1;
    if (type === 'disliked' && event.reason) {
      f.dislikeReasons.push(event.reason);
      if (f.dislikeReasons.length > MAX_REASONS) f.dislikeReasons.shift();
    }
    f.lastEventAt = event.at;
    map.set(entryId, f);
  }
}
