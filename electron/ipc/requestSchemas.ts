/**
 * Run-time schemas of the contract's requests; the main process refuses any call that does not match. Kept
 * beside contract.ts rather than in it so the sandboxed preload does not bundle zod (see contract.ts); the
 * `satisfies` clause still demands exactly one schema per contract method, producing that method's request.
 */
import { z } from 'zod';
import { FEEDBACK_ACTIONS } from '../../core/app/deskTypes';
import { MAX_QUERY_CHARS, MAX_REASON_CHARS, MAX_SEARCH_LIMIT, MAX_TICKET_ID_CHARS, type IpcMethod, type IpcRequest } from './contract';

const SearchKnowledgeRequestSchema = z.strictObject({
  query: z
    .string()
    .trim()
    .min(1, 'the search query is empty; type a few words to search')
    .max(MAX_QUERY_CHARS, `the search query is longer than ${MAX_QUERY_CHARS} characters; shorten it`),
  limit: z
    .number()
    .int('the result limit must be a whole number')
    .min(1, 'the result limit must be at least 1')
    .max(MAX_SEARCH_LIMIT, `the result limit must be at most ${MAX_SEARCH_LIMIT}`)
    .optional(),
});

const TicketIdSchema = z
  .string()
  .min(1, 'the ticket id is empty')
  .max(MAX_TICKET_ID_CHARS, `the ticket id is longer than ${MAX_TICKET_ID_CHARS} characters`);

const OpenTicketRequestSchema = z.strictObject({ ticketId: TicketIdSchema });

const FeedbackRequestSchema = z.strictObject({
  ticketId: TicketIdSchema,
  suggestionId: z.string().min(1, 'the suggestion id is empty').max(MAX_TICKET_ID_CHARS * 2, 'the suggestion id is too long'),
  action: z.enum(FEEDBACK_ACTIONS, `the action must be one of ${FEEDBACK_ACTIONS.join(', ')}`),
  reason: z.string().trim().max(MAX_REASON_CHARS, `the reason is longer than ${MAX_REASON_CHARS} characters; shorten it`).optional(),
});

/** Methods without a request must receive nothing at all: anything else is a confused or hostile caller. */
const NoRequestSchema = z.undefined('this method takes no arguments');

/** The request schema of each contract method. */
export const ipcRequestSchemas = {
  status: NoRequestSchema,
  searchKnowledge: SearchKnowledgeRequestSchema,
  importEntries: NoRequestSchema,
  listTickets: NoRequestSchema,
  openTicket: OpenTicketRequestSchema,
  sendFeedback: FeedbackRequestSchema,
  insights: NoRequestSchema,
} as const satisfies { readonly [M in IpcMethod]: z.ZodType<IpcRequest<M>> };
