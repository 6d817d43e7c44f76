/**
 * The one typed contract between Vigil's renderer and its main process (Signal Desktop's pattern): every IPC
 * method is named here once, with its channel and the types of its request and response. The preload API
 * (`satisfies VigilApi`), the main-process handlers (`IpcHandlers`) and the run-time request schemas
 * (requestSchemas.ts, `satisfies` a schema per method) are all typed from it, so a method cannot exist on one
 * side only.
 *
 * This file imports no runtime code on purpose: the sandboxed preload bundles what it imports, and the zod
 * schemas would add ~150 kB to it for nothing, since the main process is where requests are checked.
 * Responses are the engine's plain data types (core/app/serviceTypes), which survive structured cloning.
 */
import type { DeskEvent, FeedbackRequest, ShownSuggestion, TicketDetail, TicketSummary } from '../../core/app/deskTypes';
import type { Insights } from '../../core/app/insights';
import type { ImportReport, KnowledgeHit, ServiceStatus } from '../../core/app/serviceTypes';

/** Prefix of every Vigil channel, so ours never collide with Electron's or a library's (VS Code's `vscode:`). */
export const IPC_CHANNEL_PREFIX = 'vigil:';

/**
 * Longest search query accepted. 2,000 characters holds a long pasted customer message; anything longer is a
 * paste of a whole thread, which full-text search would only turn into noise.
 */
export const MAX_QUERY_CHARS = 2_000;

/** Most results one search may ask for: one screen of the knowledge view, and a bound on the work per call. */
export const MAX_SEARCH_LIMIT = 50;

/** Request of `searchKnowledge`. */
export interface SearchKnowledgeRequest {
  /** 1 to `MAX_QUERY_CHARS` characters after trimming. */
  query: string;
  /** 1 to `MAX_SEARCH_LIMIT`; the engine's default (10) when left out. */
  limit?: number;
}

/** Longest ticket id accepted from the page; connector-prefixed ids are far shorter. */
export const MAX_TICKET_ID_CHARS = 512;

/** Longest reason for a dislike: a sentence or two. */
export const MAX_REASON_CHARS = 1_000;

/** Request of `openTicket`. */
export interface OpenTicketRequest {
  ticketId: string;
}

/** What the renderer may ask of the main process; exposed in the renderer as `window.vigil`. */
export interface VigilApi {
  /** Entry counts, embedder and generation mode, for the header. */
  status(): Promise<ServiceStatus>;
  /** Searches approved knowledge, best match first. */
  searchKnowledge(request: SearchKnowledgeRequest): Promise<KnowledgeHit[]>;
  /** Asks the analyst for a `.jsonl` file of entries and imports it; `null` when they cancel the dialog. */
  importEntries(): Promise<ImportReport | null>;
  /** The watched tickets, most recently changed first, with their waiting-suggestion badges. */
  listTickets(): Promise<TicketSummary[]>;
  /** One ticket's conversation and suggestions; opening it clears its badge. `null` for an unknown ticket. */
  openTicket(request: OpenTicketRequest): Promise<TicketDetail | null>;
  /** Records what the analyst did with a suggestion (liked, disliked with a reason, dismissed, copied...). */
  sendFeedback(request: FeedbackRequest): Promise<ShownSuggestion>;
  /** Suggestions shown and used, acceptance rate and knowledge growth over the last two weeks. */
  insights(): Promise<Insights>;
}

/** The one channel the main process pushes desk events on (new suggestions, changed tickets). */
export const DESK_EVENT_CHANNEL = `${IPC_CHANNEL_PREFIX}deskEvent` as const;

/** Subscriptions the preload adds beside the methods: each returns its unsubscribe function. */
export interface VigilEvents {
  onDeskEvent(listener: (event: DeskEvent) => void): () => void;
}

/** Everything `window.vigil` holds. */
export type VigilBridge = VigilApi & VigilEvents;

/** Name of one IPC method. */
export type IpcMethod = keyof VigilApi;
/** The request a method takes (`undefined` for methods without one). */
export type IpcRequest<M extends IpcMethod> = Parameters<VigilApi[M]>[0];
/** What a method resolves to. */
export type IpcResponse<M extends IpcMethod> = Awaited<ReturnType<VigilApi[M]>>;

/**
 * The channel of each method, spelled out so it can be searched for in logs. The type demands exactly one
 * entry per method, named `vigil:<method>`.
 */
export const IPC_CHANNELS = Object.freeze({
  status: 'vigil:status',
  searchKnowledge: 'vigil:searchKnowledge',
  importEntries: 'vigil:importEntries',
  listTickets: 'vigil:listTickets',
  openTicket: 'vigil:openTicket',
  sendFeedback: 'vigil:sendFeedback',
  insights: 'vigil:insights',
} as const satisfies { readonly [M in IpcMethod]: `${typeof IPC_CHANNEL_PREFIX}${M}` });

/** Every IPC method, in contract order. */
export const IPC_METHODS: readonly IpcMethod[] = Object.freeze(Object.keys(IPC_CHANNELS) as IpcMethod[]);

/** The channel a method travels on, e.g. `vigil:status`. */
export function ipcChannel<M extends IpcMethod>(method: M): (typeof IPC_CHANNELS)[M] {
  return IPC_CHANNELS[method];
}
