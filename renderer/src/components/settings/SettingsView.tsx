/**
 * Settings (Alt+4): notifications, knowledge packs, embedding models, the local LLM, privacy (with the audit log)
 * and the team's data folder, one section each. Everything is read from and changed through `window.vigil`; nothing here decides a rule.
 */
import { useEffect, type ReactNode } from 'react';
import { useCopilotStore } from '../../store/copilot/CopilotStoreProvider';
import { ConnectorSettings } from './ConnectorSettings';
import { DataFolderSettings } from './DataFolderSettings';
import { LlmSettings } from './LlmSettings';
import { ModelSettings } from './ModelSettings';
import { NotificationSettings } from './NotificationSettings';
import { PackSettings } from './PackSettings';
import { PrivacySettings } from './PrivacySettings';
import { AuditView } from '../AuditView';

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section className="settings-section" aria-labelledby={`settings-${id}`}>
      <h2 id={`settings-${id}`}>{title}</h2>
      {children}
    </section>
  );
}

export function SettingsView() {
  const loadPreferences = useCopilotStore((s) => s.loadPreferences);
  const loadPacks = useCopilotStore((s) => s.loadPacks);
  const loadModels = useCopilotStore((s) => s.loadModels);
  const loadStatus = useCopilotStore((s) => s.loadStatus);
  const loadConnectors = useCopilotStore((s) => s.loadConnectors);
  const loadPrivacy = useCopilotStore((s) => s.loadPrivacy);
  const auditOpen = useCopilotStore((s) => s.auditOpen);
  useEffect(() => {
    void loadPrivacy();
  }, [loadPrivacy]);
  useEffect(() => {
    void loadConnectors();
    void loadPreferences();
    void loadPacks();
    void loadModels();
    void loadStatus();
  }, [loadPreferences, loadPacks, loadModels, loadStatus, loadConnectors]);

  return (
    <div className="settings">
      <Section id="connectors" title="Connectors">
        <ConnectorSettings />
      </Section>
      <Section id="notifications" title="Notifications">
        <NotificationSettings />
      </Section>
      <Section id="packs" title="Knowledge packs">
        <PackSettings />
      </Section>
      <Section id="models" title="Embedding model">
        <ModelSettings />
      </Section>
      <Section id="llm" title="Local LLM (Ollama)">
        <LlmSettings />
      </Section>
      <Section id="privacy" title="Privacy">
        <PrivacySettings />
      </Section>
      {auditOpen && (
        <Section id="audit" title="Audit log">
          <AuditView />
        </Section>
      )}
      <Section id="data" title="Team data folder">
        <DataFolderSettings />
      </Section>
    </div>
  );
}
