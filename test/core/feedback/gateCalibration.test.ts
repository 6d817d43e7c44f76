import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { FeedbackCenter } from '../../../core/feedback/feedbackCenter';
import { GateCalibration, MAX_SHIFT, MIN_REACTIONS, shiftedThreshold } from '../../../core/feedback/gateCalibration';
import { eventLogPath, type SuggestionEvent } from '../../../core/feedback/suggestionEvents';

const DEFAULT = 0.5;
const LOWEST = shiftedThreshold(DEFAULT, MAX_SHIFT);
const HIGHEST = shiftedThreshold(DEFAULT, -MAX_SHIFT);

/** Minute `i` of a morning, as the event log writes times. */
const minute = (i: number): string => new Date(Date.parse('2026-03-01T09:00:00Z') + i * 60_000).toISOString();

/** A shown suggestion (the gate's confidence on its `shown` event) and the analyst's reaction to it. */
function showAndReact(i: number, confidence: number | undefined, reaction: SuggestionEvent['type']): SuggestionEvent[] {
  const about = { ticketId: `T-${i}`, afterMessageId: '1', entryIds: [`qa-${i}`] };
  return [
    { type: 'shown', ...about, at: minute(i), actor: 'engine', ...(confidence === undefined ? {} : { gateConfidence: confidence }) },
    { type: reaction, ...about, at: minute(i), actor: 'maria', ...(reaction === 'disliked' ? { reason: 'wrong' } : {}) },
  ];
}

/** `n` mid-confidence suggestions (0.52 to 0.68), of which `rejected` were dismissed and the rest inserted. */
function feedback(n: number, rejected: number, offset = 0): SuggestionEvent[] {
  return Array.from({ length: n }, (_, i) => showAndReact(offset + i, 0.52 + (0.16 * i) / n, i < rejected ? (i % 2 ? 'disliked' : 'dismissed') : 'inserted')).flat();
}

function calibrated(events: readonly SuggestionEvent[], calibration = new GateCalibration()): GateCalibration {
  for (const e of events) calibration.add(e);
  return calibration;
}

describe('the gate recalibrated from the team feedback', () => {
  it('leaves the gate as fitted while there are too few reactions, and says how many it needs', () => {
    const few = calibrated(feedback(MIN_REACTIONS - 1, 25));
    expect(few.threshold(DEFAULT)).toBe(DEFAULT);
    expect(few.status(DEFAULT)).toMatchObject({ state: 'default', reactions: 29, summary: 'using the default gate (29 of 30 reactions needed)' });
    // Enough reactions, but only 4 rejections: a streak of uses is not a calibration.
    const oneSided = calibrated(feedback(40, 4));
    expect(oneSided.threshold(DEFAULT)).toBe(DEFAULT);
    expect(oneSided.status(DEFAULT).summary).toMatch(/^using the default gate \(40 reactions, but 5 of each kind needed: 36 used, 4 dismissed or disliked\)$/);
  });

  it('raises the threshold (fewer shown) when mid-confidence suggestions are mostly dismissed, never past the bound', () => {
    const some = calibrated(feedback(40, 24));
    const raised = some.threshold(DEFAULT);
    expect(raised).toBeGreaterThan(DEFAULT);
    expect(raised).toBeLessThanOrEqual(HIGHEST);
    expect(some.status(DEFAULT)).toMatchObject({ state: 'recalibrated', reactions: 40, used: 16, rejected: 24 });
    expect(some.status(DEFAULT).summary).toBe(`gate recalibrated from 40 reactions: threshold ${Math.round(raised * 1000) / 1000} (default 0.5)`);
    // Nearly everything dismissed: the bound holds.
    const most = calibrated(feedback(200, 190));
    expect(most.threshold(DEFAULT)).toBeCloseTo(HIGHEST, 6);
  });

  it('lowers the threshold (more shown) when they are mostly used, never past the bound', () => {
    const some = calibrated(feedback(60, 6));
    const lowered = some.threshold(DEFAULT);
    expect(lowered).toBeLessThan(DEFAULT);
    expect(lowered).toBeGreaterThanOrEqual(LOWEST);
    const most = calibrated(feedback(400, 5));
    expect(most.threshold(DEFAULT)).toBeCloseTo(LOWEST, 6);
  });

  it('counts a suggestion once, as used when any reaction used it, and leaves expanded or ignored ones out', () => {
    const events = feedback(30, 15);
    // Every dismissed one was inserted after all; expanding and ignoring say nothing.
    const later = events.filter((e) => e.type === 'dismissed' || e.type === 'disliked').map((e) => ({ ...e, type: 'inserted' as const, reason: undefined }));
    const noise = events.filter((e) => e.type === 'shown').map((e) => ({ ...e, type: 'expanded' as const }));
    const calibration = calibrated([...events, ...later, ...noise]);
    expect(calibration.status(DEFAULT)).toMatchObject({ reactions: 30, used: 30, rejected: 0, state: 'default' });
  });

  it('skips reactions to suggestions shown without a recorded gate confidence (older events, model drafts)', () => {
    const calibration = calibrated([...feedback(20, 15), ...Array.from({ length: 20 }, (_, i) => showAndReact(100 + i, undefined, 'dismissed')).flat()]);
    expect(calibration.status(DEFAULT)).toMatchObject({ reactions: 20, state: 'default' });
    // A model's draft shown after the gate's suggestion on the same message replaces it: its reactions do not count.
    const [gateShown] = showAndReact(1, 0.6, 'dismissed');
    const draft = calibrated([gateShown!, ...showAndReact(1, undefined, 'dismissed')]);
    expect(draft.status(DEFAULT).reactions).toBe(0);
  });

  it('counts a teammate reaction that carries the confidence, though this desk never saw it shown', () => {
    const reactions = feedback(40, 30).filter((e) => e.type !== 'shown');
    const bare = calibrated(reactions);
    expect(bare.status(DEFAULT).reactions).toBe(0);
    const stamped = calibrated(reactions.map((e, i) => ({ ...e, gateConfidence: 0.52 + (0.16 * i) / 40 })));
    expect(stamped.threshold(DEFAULT)).toBeGreaterThan(DEFAULT);
    const shown = calibrated(feedback(1, 0));
    expect(shown.shownConfidence({ ticketId: 'T-0', afterMessageId: '1', entryIds: ['qa-0'] })).toBe(0.52);
    expect(shown.shownConfidence({ ticketId: 'T-0', afterMessageId: '2', entryIds: ['qa-0'] })).toBeUndefined();
  });

  it('goes back to the default gate on a reset, and recalibrates again from the reactions after it', () => {
    const calibration = calibrated(feedback(40, 30));
    expect(calibration.threshold(DEFAULT)).toBeGreaterThan(DEFAULT);
    calibration.configure({ enabled: true, since: minute(1000) });
    expect(calibration.threshold(DEFAULT)).toBe(DEFAULT);
    expect(calibration.status(DEFAULT)).toMatchObject({ state: 'default', reactions: 0, shift: 0 });
    calibrated(feedback(40, 4, 1000), calibration);
    expect(calibration.threshold(DEFAULT)).toBe(DEFAULT); // 40 new ones, but 4 rejected: not yet
    calibrated(feedback(40, 36, 2000), calibration);
    expect(calibration.status(DEFAULT)).toMatchObject({ state: 'recalibrated', reactions: 80 });
  });

  it('uses the default gate when the team turned recalibration off', () => {
    const calibration = calibrated(feedback(40, 30), new GateCalibration({ enabled: false, since: null }));
    expect(calibration.threshold(DEFAULT)).toBe(DEFAULT);
    expect(calibration.status(DEFAULT)).toMatchObject({ state: 'off', reactions: 40 });
    calibration.configure({ enabled: true, since: null });
    expect(calibration.threshold(DEFAULT)).toBeGreaterThan(DEFAULT);
  });

  it('loads an event log written before the confidence was kept, and recalibrates on the events that have it', async () => {
    const dir = await tempFolder('vigil-gate-');
    const file = eventLogPath(dir);
    await mkdir(dirname(file), { recursive: true });
    // Twenty reactions from before (no gateConfidence anywhere), then forty with it.
    const old = Array.from({ length: 20 }, (_, i) => showAndReact(500 + i, undefined, 'dismissed')).flat();
    await appendFile(file, [...old, ...feedback(40, 30)].map((e) => `${JSON.stringify(e)}\n`).join(''));
    const center = await FeedbackCenter.open(dir);
    expect(center.issues).toEqual([]);
    expect(center.of('qa-500')).toMatchObject({ shown: 1, dismissed: 1 });
    expect(center.gate.status(DEFAULT)).toMatchObject({ state: 'recalibrated', reactions: 40, rejected: 30 });
    await center.close();
  });
});
