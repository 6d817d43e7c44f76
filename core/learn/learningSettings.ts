/**
 * A team's learning settings, in `<data folder>/learn/settings.json` (the data folder is per team): how learned
 * entries are reviewed (always, or auto-approved above a confidence), whether replay auto-approves, and when the
 * delayed review runs. A bad file is an error naming the file and the field; a missing file means the defaults.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeJsonAtomic } from '../formats/durableFile';
import { errorMessage } from '../formats/errorMessage';
import { describeZodError } from '../formats/jsonl';
import { DEFAULT_DEMOTION_RULE } from '../feedback/feedbackStats';
import { DEFAULT_GATE_CALIBRATION } from '../feedback/gateCalibration';

export const LearningSettingsSchema = z.object({
  /** `always`: every learned entry waits in the review queue; `auto-above-confidence`: confident ones are approved. */
  review: z.enum(['always', 'auto-above-confidence']).default('always'),
  /** Extraction confidence (0–1) at or above which `auto-above-confidence` approves an entry. */
  autoApproveAbove: z.number().min(0).max(1).default(0.8),
  /** Replay (`vigil replay --learn auto`) approves learned entries as an analyst would. */
  autoApproveInReplay: z.boolean().default(true),
  /** Minutes of further conversation after a suggestion (or of quiet) before the delayed review judges what it cited, and before an unanswered first question is learned (Vigil: 20). */
  delayedReviewMinutes: z.number().positive().default(20),
  /** The dismissal rule (see core/feedback/feedbackStats.ts). */
  demotion: z
    .object({
      retireAfterDismissals: z.number().int().positive().default(DEFAULT_DEMOTION_RULE.retireAfterDismissals),
      retireDismissalShare: z.number().min(0).max(1).default(DEFAULT_DEMOTION_RULE.retireDismissalShare),
      maxDemotion: z.number().min(0).max(1).default(DEFAULT_DEMOTION_RULE.maxDemotion),
    })
    .default(DEFAULT_DEMOTION_RULE),
  /**
   * The retrieval gate recalibrated from the team's feedback (core/feedback/gateCalibration.ts): `enabled` (default
   * on; it waits for enough reactions), `since` the last reset (reactions before it are not counted), or null.
   */
  gateRecalibration: z
    .object({
      enabled: z.boolean().default(DEFAULT_GATE_CALIBRATION.enabled),
      since: z
        .string()
        .refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 time')
        .nullable()
        .default(DEFAULT_GATE_CALIBRATION.since),
    })
    .default(DEFAULT_GATE_CALIBRATION),
});
export type LearningSettings = z.infer<typeof LearningSettingsSchema>;

export const DEFAULT_LEARNING_SETTINGS: LearningSettings = LearningSettingsSchema.parse({});

export function settingsPath(dataDir: string): string {
  return join(dataDir, 'learn', 'settings.json');
}

/** Reads the team's settings; throws a sentence naming the file and field when the file is wrong. */
export async function loadLearningSettings(dataDir: string): Promise<LearningSettings> {
  const file = settingsPath(dataDir);
  if (!existsSync(file)) return DEFAULT_LEARNING_SETTINGS;
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: not valid JSON (${errorMessage(err)}). Fix the file or delete it to use the defaults.`);
  }
  const parsed = LearningSettingsSchema.safeParse(raw);
  if (!parsed.success) {
    const { field, message } = describeZodError(parsed.error);
    throw new Error(`${file}: ${field}: ${message}. Fix the file or delete it to use the defaults.`);
  }
  return parsed.data;
}

/** Writes the team's settings (validated; atomically, so a crash leaves the old or the new file). */
export async function saveLearningSettings(dataDir: string, settings: Partial<LearningSettings>): Promise<LearningSettings> {
  const valid = LearningSettingsSchema.parse(settings);
  const file = settingsPath(dataDir);
  await writeJsonAtomic(file, valid);
  return valid;
}

/** Where a learned entry is going: how learning was triggered. */
export type LearnMode = 'replay' | 'live' | 'review-all';

/**
 * The status a new or changed learned entry gets, and who approved it. Conflicts with existing knowledge always
 * wait for an analyst outside replay.
 */
export function decideStatus(
  settings: LearningSettings,
  mode: LearnMode,
  confidence: number,
  conflict: boolean,
): { status: 'approved' | 'proposed'; approvedBy: string | null } {
  if (mode === 'replay' && settings.autoApproveInReplay) return { status: 'approved', approvedBy: 'policy:auto' };
  if (mode === 'live' && !conflict && settings.review === 'auto-above-confidence' && confidence >= settings.autoApproveAbove) {
    return { status: 'approved', approvedBy: 'policy:confidence' };
  }
  return { status: 'proposed', approvedBy: null };
}
