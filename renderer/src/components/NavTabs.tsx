/**
 * The screens of the main window. Alt+1 to Alt+4 switch between them from anywhere.
 */
import { useEffect } from 'react';
import { deskSelectors } from '../store/copilot/slices/desk/selectors';
import type { View } from '../store/copilot/slices/desk/initialState';
import { useCopilotStore } from '../store/copilot/CopilotStoreProvider';

const TABS: Array<{ view: View; label: string; key: string }> = [
  { view: 'desk', label: 'Desk', key: '1' },
  { view: 'knowledge', label: 'Knowledge', key: '2' },
  { view: 'insights', label: 'Insights', key: '3' },
  { view: 'settings', label: 'Settings', key: '4' },
];

export function NavTabs() {
  const view = useCopilotStore((state) => state.view);
  const setView = useCopilotStore((state) => state.setView);
  const waiting = useCopilotStore(deskSelectors.waitingTotal);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!event.altKey || event.ctrlKey || event.metaKey) return;
      const tab = TABS.find((t) => t.key === event.key);
      if (tab) {
        event.preventDefault();
        setView(tab.view);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [setView]);

  return (
    <div className="nav-tabs" role="tablist" aria-label="Screens">
      {TABS.map((tab) => (
        <button
          key={tab.view}
          type="button"
          role="tab"
          className="tab"
          aria-selected={view === tab.view}
          title={`Alt+${tab.key}`}
          onClick={() => setView(tab.view)}
        >
          {tab.label}
          {tab.view === 'desk' && waiting > 0 && <span className="badge">{waiting}</span>}
        </button>
      ))}
    </div>
  );
}
