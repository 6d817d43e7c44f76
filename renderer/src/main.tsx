/**
 * Renderer entry: builds the store on `window.vigil` and mounts the app.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { getVigilApi } from './api/vigilApi';
import { CopilotStoreProvider } from './store/copilot/CopilotStoreProvider';
import { createCopilotStore } from './store/copilot/store';
import './styles.css';

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element; rebuild the UI with `npm run build`.');

createRoot(container).render(
  <StrictMode>
    <CopilotStoreProvider store={createCopilotStore(getVigilApi)}>
      <App bubble={window.location.hash === '#bubble'} />
    </CopilotStoreProvider>
  </StrictMode>,
);
