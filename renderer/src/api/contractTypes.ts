/**
 * The one place the renderer reaches across the process boundary, and only for types: the IPC contract and
 * the engine's plain data. ESLint refuses a value import from core/ or electron/ anywhere in renderer/.
 */
export type { ImportReport, KnowledgeHit, ServiceStatus } from '../../../core/app/serviceTypes';
export type { SearchKnowledgeRequest, VigilApi } from '../../../electron/ipc/contract';
