/**
 * The preload: exposes `window.vigil`, one small object with a named function per contract method and nothing
 * else. The page never sees `ipcRenderer`, so it can reach only the channels listed in the contract, and only
 * with one request object each, which the main process validates.
 *
 * Built as a single CommonJS file: a sandboxed preload cannot be an ES module and has no node_modules.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { DeskEvent } from '../../core/app/deskTypes';
import {
  DESK_EVENT_CHANNEL,
  ipcChannel,
  type IpcMethod,
  type IpcRequest,
  type IpcResponse,
  type VigilBridge,
} from '../ipc/contract';

function invoker<M extends IpcMethod>(method: M): (request?: IpcRequest<M>) => Promise<IpcResponse<M>> {
  const channel = ipcChannel(method);
  // Forward exactly one argument: extra ones the page passes are dropped, not smuggled to the main process.
  return (request) => ipcRenderer.invoke(channel, request) as Promise<IpcResponse<M>>;
}

// What the renderer sees as `window.vigil`; `satisfies` makes a missing or extra method a compile error.
const vigilApi = {
  status: invoker('status'),
  searchKnowledge: invoker('searchKnowledge'),
  importEntries: invoker('importEntries'),
  listTickets: invoker('listTickets'),
  openTicket: invoker('openTicket'),
  sendFeedback: invoker('sendFeedback'),
  insights: invoker('insights'),
  publishSuggestion: invoker('publishSuggestion'),
  connectorsOverview: invoker('connectorsOverview'),
  testConnector: invoker('testConnector'),
  reviewQueue: invoker('reviewQueue'),
  reviewEntry: invoker('reviewEntry'),
  getPreferences: invoker('getPreferences'),
  setPreferences: invoker('setPreferences'),
  packsOverview: invoker('packsOverview'),
  installPack: invoker('installPack'),
  removePack: invoker('removePack'),
  trustKey: invoker('trustKey'),
  untrustKey: invoker('untrustKey'),
  subscribePacks: invoker('subscribePacks'),
  unsubscribePacks: invoker('unsubscribePacks'),
  syncPacks: invoker('syncPacks'),
  modelsOverview: invoker('modelsOverview'),
  useModel: invoker('useModel'),
  restartWorkspace: invoker('restartWorkspace'),
  llmOverview: invoker('llmOverview'),
  pullLlmModel: invoker('pullLlmModel'),
  recheckLlm: invoker('recheckLlm'),
  connectorForms: invoker('connectorForms'),
  connectorForEdit: invoker('connectorForEdit'),
  testConnectorDraft: invoker('testConnectorDraft'),
  saveConnector: invoker('saveConnector'),
  removeConnector: invoker('removeConnector'),
  pickConnectorFolder: invoker('pickConnectorFolder'),
  replyDraft: invoker('replyDraft'),
  saveReplyDraft: invoker('saveReplyDraft'),
  sendReply: invoker('sendReply'),
  listEntries: invoker('listEntries'),
  entryDetail: invoker('entryDetail'),
  editEntry: invoker('editEntry'),
  setEntryStatus: invoker('setEntryStatus'),
  restoreEntryVersion: invoker('restoreEntryVersion'),
  privacyOverview: invoker('privacyOverview'),
  setPrivacySettings: invoker('setPrivacySettings'),
  repairDataFolder: invoker('repairDataFolder'),
  tagSnapshot: invoker('tagSnapshot'),
  rollbackPreview: invoker('rollbackPreview'),
  rollbackSnapshot: invoker('rollbackSnapshot'),
  auditPage: invoker('auditPage'),
  verifyAudit: invoker('verifyAudit'),
  exportAudit: invoker('exportAudit'),
  dataFolderOverview: invoker('dataFolderOverview'),
  chooseDataFolder: invoker('chooseDataFolder'),
  useDefaultDataFolder: invoker('useDefaultDataFolder'),
  onDeskEvent(listener: (event: DeskEvent) => void): () => void {
    // The page gets the event's data only, never Electron's IpcRendererEvent (which holds `sender`).
    const forward = (_event: unknown, payload: DeskEvent): void => listener(payload);
    ipcRenderer.on(DESK_EVENT_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(DESK_EVENT_CHANNEL, forward);
    };
  },
} satisfies VigilBridge;

contextBridge.exposeInMainWorld('vigil', vigilApi);
