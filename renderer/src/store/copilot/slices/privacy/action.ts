import type { StateCreator } from 'zustand/vanilla';
import { errorMessage } from '../../../../api/errorMessage';
import type { CopilotState, VigilApiSource } from '../../store';
import { AUDIT_PAGE_SIZE, initialPrivacyState, type PrivacyBusy, type PrivacyState } from './initialState';

/** What Settings → Privacy and the audit view can ask for. The export file is chosen in the main process's dialog. */
export interface PrivacyAction {
  loadPrivacy(): Promise<void>;
  /** Loopback only, applied to the running egress guard at once. */
  setOfflineMode(offline: boolean): Promise<void>;
  /** Saved, then the workspace reopens so the engine uses it. */
  setRedactBeforeStorage(on: boolean): Promise<void>;
  /**
   * The team's documentation hosts, as typed (separated by commas, spaces or lines); the engine checks each name and
   * applies the list at once. Resolves true when saved.
   */
  setDocumentationHosts(text: string): Promise<boolean>;
  repairDataFolder(): Promise<void>;
  tagSnapshot(name: string, reason: string): Promise<void>;
  /** Asks what a rollback would undo and waits for the analyst's confirmation. */
  askRollback(name: string): Promise<void>;
  cancelRollback(): void;
  confirmRollback(): Promise<void>;
  openAudit(): void;
  closeAudit(): void;
  /** Shows only records of `type` (null: all), from the newest. */
  filterAudit(type: string | null): Promise<void>;
  /** The first page again (`reset`), or the next older page. */
  loadAuditPage(reset: boolean): Promise<void>;
  verifyAudit(): Promise<void>;
  exportAudit(format: 'jsonl' | 'csv'): Promise<void>;
}

export type PrivacySlice = PrivacyState & PrivacyAction;

export function createPrivacySlice(api: VigilApiSource): StateCreator<CopilotState, [], [], PrivacySlice> {
  return (set, get) => {
    /** Runs one Privacy action: marks it busy, keeps a failure's message on screen, shows `notice` on success. */
    const privacyAction = async (busy: PrivacyBusy, call: () => Promise<string | null>): Promise<void> => {
      const current = get().privacyBusy;
      if (current && current !== 'loading') return;
      set({ privacyBusy: busy, privacyError: null, privacyNotice: null });
      try {
        set({ privacyNotice: await call() });
      } catch (error) {
        set({ privacyError: errorMessage(error) });
      } finally {
        set({ privacyBusy: null });
      }
    };

    return {
      ...initialPrivacyState,
      async loadPrivacy() {
        try {
          set({ privacy: await api().privacyOverview(), privacyError: null });
        } catch (error) {
          set({ privacyError: errorMessage(error) });
        }
      },
      setOfflineMode: (offline) =>
        privacyAction('offline', async () => {
          set({ privacy: await api().setPrivacySettings({ offline }) });
          return offline
            ? 'Offline mode is on: Vigil connects only to this machine. Connectors to other hosts wait until it is off.'
            : 'Offline mode is off: Vigil may connect to this machine and to your connectors’ hosts.';
        }),
      setRedactBeforeStorage: (on) =>
        privacyAction('redaction', async () => {
          set({ privacy: await api().setPrivacySettings({ redactBeforeStorage: on }) });
          void get().loadStatus();
          return on ? 'Tickets are now redacted before anything is learned from them.' : 'Tickets are learned from as written (personal data is still kept out of prompts and logs).';
        }),
      async setDocumentationHosts(text) {
        let saved = false;
        await privacyAction('documentation', async () => {
          const documentationHosts = text.split(/[\s,]+/).filter(Boolean);
          const privacy = await api().setPrivacySettings({ documentationHosts });
          set({ privacy });
          saved = true;
          const hosts = privacy.settings.documentationHosts;
          return hosts.length === 0
            ? 'No documentation hosts: no link an analyst shares is fetched.'
            : `Links analysts share from ${hosts.join(', ')} now become article candidates in the review queue.`;
        });
        return saved;
      },
      repairDataFolder: () =>
        privacyAction('repairing', async () => {
          set({ privacy: await api().repairDataFolder() });
          return 'The data folder is readable by you only again (0700).';
        }),
      tagSnapshot: (name, reason) =>
        privacyAction('tagging', async () => {
          set({ privacy: await api().tagSnapshot(reason.trim() ? { name, reason } : { name }) });
          if (get().auditOpen) void get().loadAuditPage(true);
          return `Tagged the store as ${name}.`;
        }),
      askRollback: (name) =>
        privacyAction('previewing', async () => {
          set({ rollbackPending: await api().rollbackPreview({ name }) });
          return null;
        }),
      cancelRollback() {
        set({ rollbackPending: null });
      },
      async confirmRollback() {
        const pending = get().rollbackPending;
        if (!pending) return;
        await privacyAction('rolling-back', async () => {
          const report = await api().rollbackSnapshot({ name: pending.snapshot.name });
          set({ rollbackPending: null });
          void get().loadStatus();
          return `Rolled back to ${report.restored.name}. The state before it is saved as ${report.safety.name}.`;
        });
        await get().loadPrivacy();
        if (get().auditOpen) await get().loadAuditPage(true);
      },
      openAudit() {
        set({ auditOpen: true });
        void get().loadAuditPage(true);
      },
      closeAudit() {
        set({ auditOpen: false });
      },
      async filterAudit(type) {
        set({ auditType: type });
        await get().loadAuditPage(true);
      },
      async loadAuditPage(reset) {
        const { auditNext, auditType, auditRecords } = get();
        if (!reset && auditNext === null) return;
        set({ auditLoading: true, auditError: null });
        try {
          const page = await api().auditPage({
            limit: AUDIT_PAGE_SIZE,
            ...(reset ? {} : { before: auditNext }),
            ...(auditType ? { type: auditType } : {}),
          });
          // A filter changed while this page was on its way: drop it, the newer request fills the list.
          if (get().auditType !== auditType) return;
          set({
            auditRecords: reset ? page.records : [...auditRecords, ...page.records],
            auditNext: page.next,
            auditUnreadable: (reset ? 0 : get().auditUnreadable) + page.unreadable,
          });
        } catch (error) {
          set({ auditError: errorMessage(error) });
        } finally {
          set({ auditLoading: false });
        }
      },
      async verifyAudit() {
        set({ auditVerification: 'verifying', auditError: null });
        try {
          set({ auditVerification: await api().verifyAudit() });
        } catch (error) {
          set({ auditVerification: null, auditError: errorMessage(error) });
        }
      },
      async exportAudit(format) {
        set({ auditNotice: null, auditError: null });
        try {
          const type = get().auditType;
          const report = await api().exportAudit(type ? { format, type } : { format });
          if (report) set({ auditNotice: `Exported ${report.exported.toLocaleString('en')} records to ${report.file}.` });
        } catch (error) {
          set({ auditError: errorMessage(error) });
        }
      },
    };
  };
}
