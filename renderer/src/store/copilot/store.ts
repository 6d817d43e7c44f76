/**
 * The renderer's one store, built from slices (lobe-chat's layout: slices/<x>/{initialState,action,selectors}).
 * It holds UI state and calls the preload API; every domain rule stays in core/.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { VigilBridge } from '../../api/contractTypes';
import { createDeskSlice, type DeskSlice } from './slices/desk/action';
import { createConnectorsSlice, type ConnectorsSlice } from './slices/connectors/action';
import { createReviewSlice, type ReviewSlice } from './slices/review/action';
import { createImporterSlice, type ImporterSlice } from './slices/importer/action';
import { createSearchSlice, type SearchSlice } from './slices/search/action';
import { createSettingsSlice, type SettingsSlice } from './slices/settings/action';
import { createStatusSlice, type StatusSlice } from './slices/status/action';
import { createKnowledgeSlice, type KnowledgeSlice } from './slices/knowledge/action';
import { createPrivacySlice, type PrivacySlice } from './slices/privacy/action';
import { createDataFolderSlice, type DataFolderSlice } from './slices/dataFolder/action';
import { createRulesSlice, type RulesSlice } from './slices/rules/action';
import { createWhatIfSlice, type WhatIfSlice } from './slices/whatIf/action';
import { createTeamSlice, type TeamSlice } from './slices/team/action';

/** Everything the store holds. */
export type CopilotState = StatusSlice & SearchSlice & ImporterSlice & DeskSlice & ReviewSlice & SettingsSlice & ConnectorsSlice &
  KnowledgeSlice & PrivacySlice & DataFolderSlice & RulesSlice & WhatIfSlice & TeamSlice;

/** A vanilla zustand store of `CopilotState`. */
export type CopilotStore = StoreApi<CopilotState>;

/**
 * Where actions get the API from, called on each use: a missing preload then shows up as the error of the
 * first call, on screen, rather than as a blank window.
 */
export type VigilApiSource = () => VigilBridge;

/** Creates the store; tests pass a fake API. */
export function createCopilotStore(api: VigilApiSource): CopilotStore {
  return createStore<CopilotState>()((...args) => ({
    ...createStatusSlice(api)(...args),
    ...createSearchSlice(api)(...args),
    ...createImporterSlice(api)(...args),
    ...createDeskSlice(api)(...args),
    ...createReviewSlice(api)(...args),
    ...createConnectorsSlice(api)(...args),
    ...createSettingsSlice(api)(...args),
    ...createKnowledgeSlice(api)(...args),
    ...createPrivacySlice(api)(...args),
    ...createDataFolderSlice(api)(...args),
    ...createRulesSlice(api)(...args),
    ...createWhatIfSlice(api)(...args),
    ...createTeamSlice(api)(...args),
  }));
}
