/**
 * Settings (Alt+4): notifications, knowledge packs, interest rules, embedding models, the local LLM, privacy (with the audit log)
 * and the team's data folder, one section each, with a navigation to them kept in view. Everything is read from and changed through `window.vigil`; nothing here decides a rule.
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
import { RuleSettings } from './RuleSettings';
import { TeamSettings } from './TeamSettings';
import { AuditView } from '../AuditView';

/** The sections, in page order, for the navigation beside them. */
const SECTIONS = [
  { id: 'connectors', title: 'Connectors' },
  { id: 'notifications', title: 'Notifications' },
  { id: 'packs', title: 'Knowledge packs' },
  { id: 'rules', title: 'Rules' },
  { id: 'models', title: 'Embedding model' },
  { id: 'llm', title: 'Local LLM (Ollama)' },
  { id: 'privacy', title: 'Privacy' },
  { id: 'audit', title: 'Audit log' },
  { id: 'data', title: 'Team data folder' },
  { id: 'team', title: 'Team store' },
] as const;

/**
 * Links to each section, kept in view beside them: Settings is several screens long, and an admin looking for
 * one setting should not have to scroll through the others. Following a link moves focus to the section.
 */
function SettingsNav({ shown }: { shown: ReadonlySet<string> }) {
  return (
    <nav className="settings-nav" aria-label="Settings sections">
      <ul>
        {SECTIONS.filter((section) => shown.has(section.id)).map((section) => (
          <li key={section.id}>
            <a
              href={`#settings-${section.id}`}
              onClick={(event) => {
                event.preventDefault();
                const heading = document.getElementById(`settings-${section.id}`);
                heading?.scrollIntoView({ block: 'start' });
                heading?.focus({ preventScroll: true });
              }}
            >
              {section.title}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section className="settings-section" aria-labelledby={`settings-${id}`}>
      <h2 id={`settings-${id}`} tabIndex={-1}>
        {title}
      </h2>
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

  const shown = new Set<string>(SECTIONS.map((section) => section.id).filter((id) => id !== 'audit' || auditOpen));
  return (
    <div className="settings">
      <SettingsNav shown={shown} />
      <div className="settings-sections">
        <Section id="connectors" title="Connectors">
          <ConnectorSettings />
        </Section>
        <Section id="notifications" title="Notifications">
          <NotificationSettings />
        </Section>
        <Section id="packs" title="Knowledge packs">
          <PackSettings />
        </Section>
        <Section id="rules" title="Rules">
          <RuleSettings />
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
        <Section id="team" title="Team store">
          <TeamSettings />
        </Section>
      </div>
    </div>
  );
}
