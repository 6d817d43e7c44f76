/**
 * The whole skeleton screen: status header, last import report, knowledge search.
 */
import { useEffect } from 'react';
import { ImportReportView } from './components/ImportReportView';
import { KnowledgeSearch } from './components/KnowledgeSearch';
import { StatusHeader } from './components/StatusHeader';
import { useCopilotStore } from './store/copilot/CopilotStoreProvider';

/** Vigil's main window content. */
export function App() {
  const loadStatus = useCopilotStore((state) => state.loadStatus);
  useEffect(() => {
    void loadStatus();
  }, [loadStatus]);

  return (
    <div className="app">
      <StatusHeader />
      <main className="app-main">
        <ImportReportView />
        <KnowledgeSearch />
      </main>
    </div>
  );
}
