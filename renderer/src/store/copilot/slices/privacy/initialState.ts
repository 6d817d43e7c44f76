import type { AuditRecordView, AuditVerificationView, PrivacyOverview, RollbackPreview } from '../../../../api/contractTypes';

/** What the Privacy section is waiting for, so its controls can say so and not be pressed twice. */
export type PrivacyBusy = 'loading' | 'offline' | 'redaction' | 'documentation' | 'repairing' | 'tagging' | 'previewing' | 'rolling-back';

/** Settings → Privacy and the audit view: the engine's overview, the pending rollback, and the audit log's pages. */
export interface PrivacyState {
  privacy: PrivacyOverview | null;
  privacyError: string | null;
  privacyBusy: PrivacyBusy | null;
  /** The last action's outcome in words ("Tagged before-cleanup."). */
  privacyNotice: string | null;
  /** The rollback waiting for the analyst's confirmation, with what it would undo. */
  rollbackPending: RollbackPreview | null;

  /** Whether the audit view is shown (Settings → Privacy → "Open audit log"). */
  auditOpen: boolean;
  /** Only records of this type; null for all. */
  auditType: string | null;
  /** The pages read so far, newest first. */
  auditRecords: AuditRecordView[];
  /** Where the next (older) page starts; null when the start of the log was reached. */
  auditNext: number | null;
  auditLoading: boolean;
  auditError: string | null;
  /** Lines of the pages read that are not records (a torn last line, an edited line). */
  auditUnreadable: number;
  auditVerification: AuditVerificationView | 'verifying' | null;
  auditNotice: string | null;
}

export const initialPrivacyState: PrivacyState = {
  privacy: null,
  privacyError: null,
  privacyBusy: null,
  privacyNotice: null,
  rollbackPending: null,
  auditOpen: false,
  auditType: null,
  auditRecords: [],
  auditNext: null,
  auditLoading: false,
  auditError: null,
  auditUnreadable: 0,
  auditVerification: null,
  auditNotice: null,
};

/** Records per page of the audit view: a screenful, and a small answer over IPC. */
export const AUDIT_PAGE_SIZE = 50;
