/**
 * Vigil's window: the header, then the desk (queue, ticket and suggestions), the knowledge view, insights or
 * settings; proactive toasts on top. The assist bubble window loads the same page at `#bubble` and gets its compact view.
 */
import { useEffect } from 'react';
import { BubbleView } from './components/BubbleView';
import { ImportView } from './components/ImportView';
import { InsightsView } from './components/InsightsView';
import { KnowledgeSearch } from './components/KnowledgeSearch';
import { KnowledgeBrowser } from './components/knowledge/KnowledgeBrowser';
import { NavTabs } from './components/NavTabs';
import { QueueList } from './components/QueueList';
import { ReviewQueue } from './components/ReviewQueue';
import { SettingsView } from './components/settings/SettingsView';
import { StatusHeader } from './components/StatusHeader';
import { TicketView } from './components/TicketView';
import { Toasts } from './components/Toasts';
import { useCopilotStore } from './store/copilot/CopilotStoreProvider';

/** Vigil's main window content; `bubble` selects the assist bubble's compact view. */
export function App({ bubble = false }: { bubble?: boolean }) {
  const loadStatus = useCopilotStore((state) => state.loadStatus);
  const loadTickets = useCopilotStore((state) => state.loadTickets);
  const loadHomeFolder = useCopilotStore((state) => state.loadHomeFolder);
  const subscribeToDesk = useCopilotStore((state) => state.subscribeToDesk);
  const view = useCopilotStore((state) => state.view);

  useEffect(() => {
    const unsubscribe = subscribeToDesk();
    void loadStatus();
    void loadTickets();
    void loadHomeFolder();
    return unsubscribe;
  }, [loadStatus, loadTickets, loadHomeFolder, subscribeToDesk]);

  if (bubble) return <BubbleView />;
  return (
    <div className="app">
      <StatusHeader />
      <NavTabs />
      {view === 'desk' ? (
        <main className="desk">
          <QueueList />
          <div className="desk-main">
            <TicketView />
          </div>
        </main>
      ) : view === 'knowledge' ? (
        <main className="app-main">
          <ImportView />
          <ReviewQueue />
          <KnowledgeSearch />
          <KnowledgeBrowser />
        </main>
      ) : view === 'insights' ? (
        <main className="app-main">
          <InsightsView />
        </main>
      ) : (
        <main className="app-main">
          <SettingsView />
        </main>
      )}
      <Toasts />
    </div>
  );
}
