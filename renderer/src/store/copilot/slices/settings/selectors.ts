import type { ModelState, ModelView, PackInstallReport, PackSyncReport } from '../../../../api/contractTypes';

/** A model's state in words, for its row. */
export const MODEL_STATE_LABELS: Record<ModelState, string> = {
  ready: 'Ready (needs no files)',
  verified: 'Installed and verified',
  pinned: 'Installed, hashes pinned on this machine',
  installed: 'Installed, hashes not pinned yet',
  refused: 'Refused: files missing or changed',
  missing: 'Not installed',
};

/** Whether choosing the model can work: its files (or Ollama tag) check out. */
export function modelUsable(model: ModelView): boolean {
  return model.state === 'ready' || model.state === 'verified' || model.state === 'pinned';
}

/** "Installed network-basics 1.0.0 (3 entries), signed by Network team." */
export function describeInstall(report: PackInstallReport): string {
  const what = `${report.name} ${report.version}`;
  const entries = `${report.entries} ${report.entries === 1 ? 'entry' : 'entries'}`;
  switch (report.outcome) {
    case 'installed':
      return `Installed ${what} (${entries}), signed by ${report.signer}.`;
    case 'upgraded':
      return `Upgraded ${report.name} from ${report.previousVersion ?? 'an older version'} to ${report.version} (${entries}).`;
    case 'repaired':
      return `Reinstalled ${what}, which was damaged (${entries}).`;
    case 'unchanged':
      return `${what} is already installed; nothing changed.`;
  }
}

/** One line per subscribed folder after "Sync now". */
export function describeSync(reports: readonly PackSyncReport[]): string[] {
  if (reports.length === 0) return ['No folders are subscribed yet; nothing to sync.'];
  return reports.map((r) => {
    if (r.unreachable) return `${r.folder}: cannot be read (${r.unreachable}); it is tried again at the next sync.`;
    const parts = [
      ...r.installed.map((i) => `installed ${i.name} ${i.version}`),
      ...r.refused.map((f) => `refused ${f.file.split(/[\\/]/).pop() ?? f.file}: ${f.message}`),
    ];
    return `${r.folder}: ${parts.length > 0 ? parts.join('; ') : 'up to date'}.`;
  });
}

/**
 * How far a re-index is, from the engine's progress message ("…: 120/900 (copying)"), as a fraction; null when the message
 * gives no count (loading the model), for an indeterminate bar.
 */
export function progressFraction(message: string | null): number | null {
  const match = message ? /(\d+)\s*\/\s*(\d+)(?!.*\d+\s*\/\s*\d+)/.exec(message) : null;
  if (!match) return null;
  const total = Number(match[2]);
  return total > 0 ? Math.min(1, Number(match[1]) / total) : null;
}
