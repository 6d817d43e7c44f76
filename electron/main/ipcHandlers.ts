/**
 * The desktop app's handlers: the engine handlers (engineHandlers.ts) and the Settings screen's
 * (settingsHandlers.ts), with the native dialogs the renderer is not allowed to open itself.
 */
import { BrowserWindow, dialog, type IpcMainInvokeEvent, type OpenDialogOptions, type SaveDialogOptions } from 'electron';
import { createEngineHandlers, type TicketOpenedListener } from './engineHandlers';
import { createImportHandlers, type ImportDependencies } from './importHandlers';
import type { IpcHandlers } from './ipcHandlerGroup';
import type { ServiceHost } from './serviceHost';
import { createSettingsHandlers, type SettingsDependencies } from './settingsHandlers';
import { createConnectorHandlers, type ConnectorDependencies } from './connectorHandlers';
import { SafeStorageSecretStore } from './safeStorageSecrets';
import { EgressPolicy } from '../../core/net/egress';
import { createPrivacyHandlers, type PrivacyDependencies } from './privacyHandlers';
import { createDataFolderHandlers, fixedDataFolderHandlers, type DataFolderDependencies } from './dataFolderHandlers';
import { createRuleHandlers } from './ruleHandlers';
import { createWhatIfHandlers, type WhatIfDependencies } from './whatIfHandlers';
import { createTeamHandlers, type TeamDependencies } from './teamHandlers';

/** What the Privacy section's handlers need beyond the data folder; the app passes its guarded egress policy. */
export type PrivacyOptions = Partial<Omit<PrivacyDependencies, 'dataDir'>>;

/** What the Settings screen's handlers need beyond the host; the dialogs default to the native ones. */
export type SettingsOptions = Omit<SettingsDependencies, 'pickPackFile' | 'pickKeyFile' | 'pickPackFolder'> &
  Partial<Pick<SettingsDependencies, 'pickPackFile' | 'pickKeyFile' | 'pickPackFolder'>>;

/** What `createCopilotHandlers` needs; everything but the host and the Settings screen's has a default. */
export interface CopilotHandlerOptions {
  /** The engine the handlers call. */
  host: ServiceHost;
  /** The Settings screen's preferences, data folder and pickers (the native dialogs by default). */
  settings: SettingsOptions;
  /** The Import screen's file and folder dialog (the native one by default) and where its progress goes. */
  imports?: Partial<Omit<ImportDependencies, 'secrets'>>;
  /** Told which ticket the analyst opened last (notifications stay quiet about it). */
  onTicketOpened?: TicketOpenedListener;
  /** The connector secret store (the keychain by default) and the folder picker. */
  connectors?: Partial<ConnectorDependencies>;
  /** The app's guarded egress policy and what to do when offline mode changes. */
  privacy?: PrivacyOptions;
  /** Settings → Team: the keychain (by default) and the egress policy the store's endpoint is allowed on. */
  team?: Partial<Omit<TeamDependencies, 'dataDir'>>;
  /** Settings → Team data folder; without it the folder in `settings.dataDir` is shown and cannot be changed. */
  dataFolder?: Omit<DataFolderDependencies, 'pickFolder'> & Partial<Pick<DataFolderDependencies, 'pickFolder'>>;
  /** Insights → What if's dialogs (the native ones by default). */
  whatIf?: Partial<WhatIfDependencies>;
}

/** The handlers of every contract method, backed by the engine in `options.host`. */
export function createCopilotHandlers(options: CopilotHandlerOptions): IpcHandlers {
  const { host, settings, connectors = {}, privacy = {}, dataFolder, imports = {} } = options;
  // Connector secrets live in the OS keychain (the same store the watcher reads them from).
  const connectorSecrets = connectors.secrets ?? new SafeStorageSecretStore(settings.dataDir);
  return {
    // Without the app's policy (tests), offline mode switches a policy of its own that no guard enforces.
    // The audit log's anchor is also kept in the keychain, beyond the reach of an edit of the data folder.
    ...createPrivacyHandlers(host, {
      dataDir: settings.dataDir,
      egress: new EgressPolicy(),
      pickExportFile: showAuditExportDialog,
      auditKeyring: new SafeStorageSecretStore(settings.dataDir),
      ...privacy,
    }),
    ...createEngineHandlers(host, options.onTicketOpened),
    ...createImportHandlers(host, { pickImportPath: showImportDialog, ...imports, secrets: connectorSecrets }),
    ...createSettingsHandlers(host, {
      pickPackFile: showPackFileDialog,
      pickKeyFile: showKeyFileDialog,
      pickPackFolder: showPackFolderDialog,
      ...settings,
    }),
    ...createConnectorHandlers(host, {
      secrets: connectorSecrets,
      pickConnectorFolder: connectors.pickConnectorFolder ?? showConnectorFolderDialog,
    }),
    ...createRuleHandlers(host),
    ...createWhatIfHandlers(host, {
      pickTicketsFile: showTicketsFileDialog,
      pickTicketsFolder: showTicketsFolderDialog,
      pickReportFile: showWhatIfReportDialog,
      ...options.whatIf,
    }),
    // The team store's keys live in the OS keychain, like the connectors'; its endpoint on the process's policy.
    ...createTeamHandlers(host, {
      dataDir: settings.dataDir,
      secrets: options.team?.secrets ?? new SafeStorageSecretStore(settings.dataDir),
      egress: options.team?.egress ?? new EgressPolicy(),
    }),
    ...(dataFolder ? createDataFolderHandlers({ pickFolder: showDataFolderDialog, ...dataFolder }) : fixedDataFolderHandlers(settings.dataDir)),
  };
}

const IMPORT_FILE_DIALOG: OpenDialogOptions = {
  title: 'Import knowledge',
  buttonLabel: 'Choose',
  // Files of entries or articles (core/formats/knowledgeImport.ts); a folder of articles has its own dialog, since
  // one dialog cannot pick files and folders on every platform.
  properties: ['openFile'],
  filters: [
    { name: 'Knowledge (JSON Lines, JSON, CSV, Markdown, HTML, text)', extensions: ['jsonl', 'ndjson', 'json', 'csv', 'md', 'markdown', 'html', 'htm', 'txt'] },
  ],
};

const PACK_DIALOG: OpenDialogOptions = {
  title: 'Install a knowledge pack',
  buttonLabel: 'Install',
  properties: ['openFile'],
  filters: [{ name: 'Vigil knowledge pack', extensions: ['vpack'] }],
};

const KEY_DIALOG: OpenDialogOptions = {
  title: 'Trust a pack signing key',
  buttonLabel: 'Trust',
  properties: ['openFile'],
  filters: [{ name: 'Public key (PEM)', extensions: ['pem', 'pub'] }],
};

const FOLDER_DIALOG: OpenDialogOptions = {
  title: 'Subscribe to packs in a folder',
  buttonLabel: 'Subscribe',
  properties: ['openDirectory'],
};

const CONNECTOR_FOLDER_DIALOG: OpenDialogOptions = {
  title: 'Choose the folder of ticket files to watch',
  buttonLabel: 'Watch this folder',
  properties: ['openDirectory', 'createDirectory'],
};

/** Shows an open dialog attached to the window that asked; the chosen path, or null when cancelled. */
async function pickPath(event: IpcMainInvokeEvent, options: OpenDialogOptions): Promise<string | null> {
  const owner = BrowserWindow.fromWebContents(event.sender);
  const result = owner ? await dialog.showOpenDialog(owner, options) : await dialog.showOpenDialog(options);
  if (result.canceled) return null;
  return result.filePaths[0] ?? null;
}

const IMPORT_FOLDER_DIALOG: OpenDialogOptions = {
  title: 'Import a folder of articles (Markdown, HTML, text)',
  buttonLabel: 'Import this folder',
  properties: ['openDirectory'],
};

/** Shows the open dialog for a file of knowledge or a folder of articles, attached to the window that asked. */
export function showImportDialog(event: IpcMainInvokeEvent, what: 'file' | 'folder'): Promise<string | null> {
  return pickPath(event, what === 'folder' ? IMPORT_FOLDER_DIALOG : IMPORT_FILE_DIALOG);
}

/** Shows the open-file dialog for a `.vpack` knowledge pack. */
export function showPackFileDialog(event: IpcMainInvokeEvent): Promise<string | null> {
  return pickPath(event, PACK_DIALOG);
}

/** Shows the open-file dialog for a publisher's public key (`.public.pem`). */
export function showKeyFileDialog(event: IpcMainInvokeEvent): Promise<string | null> {
  return pickPath(event, KEY_DIALOG);
}

/** Shows the folder dialog for a pack subscription (a share, a USB stick). */
export function showPackFolderDialog(event: IpcMainInvokeEvent): Promise<string | null> {
  return pickPath(event, FOLDER_DIALOG);
}

/** Shows the folder dialog for a folder connector's ticket files. */
export function showConnectorFolderDialog(event: IpcMainInvokeEvent): Promise<string | null> {
  return pickPath(event, CONNECTOR_FOLDER_DIALOG);
}

function auditExportDialog(format: 'jsonl' | 'csv'): SaveDialogOptions {
  return {
    title: 'Export the audit log',
    buttonLabel: 'Export',
    defaultPath: `vigil-audit-${new Date().toISOString().slice(0, 10)}.${format}`,
    filters: format === 'csv' ? [{ name: 'CSV (one row per record)', extensions: ['csv'] }] : [{ name: 'JSON Lines (every field)', extensions: ['jsonl'] }],
    properties: ['createDirectory', 'showOverwriteConfirmation'],
  };
}

/** Shows the save dialog for an audit export, attached to the window that asked; the path, or null when cancelled. */
export async function showAuditExportDialog(event: IpcMainInvokeEvent, format: 'jsonl' | 'csv'): Promise<string | null> {
  const owner = BrowserWindow.fromWebContents(event.sender);
  const options = auditExportDialog(format);
  const result = owner ? await dialog.showSaveDialog(owner, options) : await dialog.showSaveDialog(options);
  if (result.canceled || !result.filePath) return null;
  return result.filePath;
}

const DATA_FOLDER_DIALOG: OpenDialogOptions = {
  title: 'Choose the team’s data folder',
  buttonLabel: 'Use this folder',
  message: 'An empty folder, or the Vigil data folder your admin set up (for example on an encrypted volume).',
  properties: ['openDirectory', 'createDirectory'],
};

/** Shows the folder dialog for the team's data folder, attached to the window that asked. */
export function showDataFolderDialog(event: IpcMainInvokeEvent): Promise<string | null> {
  return pickPath(event, DATA_FOLDER_DIALOG);
}

const TICKETS_FILE_DIALOG: OpenDialogOptions = {
  title: 'Replay a recorded queue',
  buttonLabel: 'Replay',
  properties: ['openFile'],
  filters: [{ name: 'Tickets (JSON Lines)', extensions: ['jsonl', 'ndjson'] }],
};

const TICKETS_FOLDER_DIALOG: OpenDialogOptions = {
  title: 'Replay a folder of recorded tickets',
  buttonLabel: 'Replay',
  properties: ['openDirectory'],
};

/** Shows the open-file dialog for a what-if replay's tickets file. */
export function showTicketsFileDialog(event: IpcMainInvokeEvent): Promise<string | null> {
  return pickPath(event, TICKETS_FILE_DIALOG);
}

/** Shows the folder dialog for a what-if replay's folder of tickets files. */
export function showTicketsFolderDialog(event: IpcMainInvokeEvent): Promise<string | null> {
  return pickPath(event, TICKETS_FOLDER_DIALOG);
}

/** Shows the save dialog for the what-if report, attached to the window that asked; the path, or null when cancelled. */
export async function showWhatIfReportDialog(event: IpcMainInvokeEvent): Promise<string | null> {
  const owner = BrowserWindow.fromWebContents(event.sender);
  const options: SaveDialogOptions = {
    title: 'Save the what-if report',
    buttonLabel: 'Save',
    defaultPath: `vigil-what-if-${new Date().toISOString().slice(0, 10)}.html`,
    filters: [{ name: 'Web page (one self-contained file)', extensions: ['html'] }],
    properties: ['createDirectory', 'showOverwriteConfirmation'],
  };
  const result = owner ? await dialog.showSaveDialog(owner, options) : await dialog.showSaveDialog(options);
  if (result.canceled || !result.filePath) return null;
  return result.filePath;
}
