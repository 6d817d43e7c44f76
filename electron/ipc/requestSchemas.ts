/**
 * Run-time schemas of the contract's requests; the main process refuses any call that does not match. Kept
 * beside contract.ts rather than in it so the sandboxed preload does not bundle zod (see contract.ts); the
 * `satisfies` clause still demands exactly one schema per contract method, producing that method's request.
 */
import { z } from 'zod';
import { FEEDBACK_ACTIONS, REVIEW_DECISIONS } from '../../core/app/deskTypes';
import { SUGGESTION_KINDS } from '../../core/formats/schemas';
import { PackNameSchema } from '../../core/packs/packFormat';
import {
  MAX_AUDIT_PAGE,
  MAX_SNAPSHOT_REASON_CHARS,
  MAX_KEY_NAME_CHARS,
  MAX_QUERY_CHARS,
  MAX_REASON_CHARS,
  MAX_SEARCH_LIMIT,
  MAX_SUBSCRIBED_PACKS,
  MAX_TICKET_ID_CHARS,
  type IpcMethod,
  type IpcRequest,
} from './contract';

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

/** Longest edited question or answer: a long article still fits. */
const MAX_ENTRY_TEXT = 20_000;
const entryText = (what: string) =>
  z.string().trim().min(1, `the ${what} is empty`).max(MAX_ENTRY_TEXT, `the ${what} is longer than ${MAX_ENTRY_TEXT} characters`);

const ReviewRequestSchema = z
  .strictObject({
    entryId: z.string().min(1, 'the entry id is empty').max(MAX_TICKET_ID_CHARS, 'the entry id is too long'),
    decision: z.enum(REVIEW_DECISIONS, `the decision must be one of ${REVIEW_DECISIONS.join(', ')}`),
    edit: z.strictObject({ title: entryText('title').optional(), question: entryText('question').optional(), answer: entryText('answer').optional() }).optional(),
    reason: z.string().trim().max(MAX_REASON_CHARS, `the reason is longer than ${MAX_REASON_CHARS} characters; shorten it`).optional(),
  })
  .refine((r) => r.decision !== 'edit' || r.edit !== undefined, { message: 'an edit needs the changed title, question or answer', path: ['edit'] });

/** Longest global shortcut accepted ("CommandOrControl+Alt+Shift+Space" is 32). */
export const MAX_SHORTCUT_CHARS = 64;

const PreferencesSchema = z.strictObject({
  notifications: z.strictObject({
    enabled: z.boolean('notifications.enabled must be true or false'),
    doNotDisturb: z.boolean('notifications.doNotDisturb must be true or false'),
    dndUntil: z.iso.datetime({ offset: true, message: 'the do-not-disturb end must be an ISO 8601 time, or null for "until I switch it off"' }).nullable(),
    kinds: z.strictObject(
      Object.fromEntries(SUGGESTION_KINDS.map((kind) => [kind, z.boolean(`the switch for ${kind} suggestions must be true or false`)])) as Record<
        (typeof SUGGESTION_KINDS)[number],
        z.ZodBoolean
      >,
    ),
    cooldownMinutes: z
      .number('the cool-down must be a number of minutes')
      .int('the cool-down must be a whole number of minutes')
      .min(0, 'the cool-down cannot be negative')
      .max(24 * 60, 'the cool-down must be at most 1440 minutes (a day)'),
  }),
  showShortcut: z
    .string()
    .trim()
    .max(MAX_SHORTCUT_CHARS, `the shortcut is longer than ${MAX_SHORTCUT_CHARS} characters`)
    // Electron accelerators are printable ASCII ("CommandOrControl+Shift+Space"); anything else is never valid.
    .regex(/^[\x20-\x7E]*$/, 'the shortcut may hold only keys such as CommandOrControl+Shift+Space'),
});

const PackNameRequestSchema = z.string('the pack name must be text').pipe(PackNameSchema);

const RemovePackRequestSchema = z.strictObject({ name: PackNameRequestSchema });

const TrustKeyRequestSchema = z.strictObject({
  name: z
    .string()
    .trim()
    .min(1, 'the key name is empty; say whose key it is, for example "Network team packs"')
    .max(MAX_KEY_NAME_CHARS, `the key name is longer than ${MAX_KEY_NAME_CHARS} characters`),
});

const UntrustKeyRequestSchema = z.strictObject({
  id: z.string().regex(/^[0-9a-f]{16}$/, 'must be a key id: 16 hexadecimal digits, as the trusted keys list shows'),
});

const SubscribePacksRequestSchema = z.strictObject({
  packs: z
    .array(PackNameRequestSchema)
    .min(1, 'name at least one pack to take from the folder')
    .max(MAX_SUBSCRIBED_PACKS, `name at most ${MAX_SUBSCRIBED_PACKS} packs at once`),
});

const UnsubscribePacksRequestSchema = z.strictObject({
  folder: z.string().min(1, 'the folder is empty').max(4_096, 'the folder is longer than 4096 characters'),
});

const UseModelRequestSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,127}$/, 'must be "builtin" or a model id as the models list shows'),
});

const PrivacySettingsRequestSchema = z
  .strictObject({
    offline: z.boolean('offline must be true or false').optional(),
    redactBeforeStorage: z.boolean('redactBeforeStorage must be true or false').optional(),
  })
  .refine((r) => r.offline !== undefined || r.redactBeforeStorage !== undefined, { message: 'name the setting to change: offline or redactBeforeStorage' });

/** The rule of core/privacy/rollback.ts's checkSnapshotName, checked here so a bad name never reaches the engine. */
const SnapshotNameSchema = z
  .string('the snapshot name must be text')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a snapshot name is 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit')
  .refine((name) => !name.includes('..'), 'a snapshot name cannot contain ".."');

/** Audit record types are names like `egress_denied`; newer kinds are allowed, anything else is refused. */
const AuditTypeSchema = z.string('the record type must be text').regex(/^[a-z][a-z0-9_]{0,63}$/, 'a record type is a name such as suggestion, llm_call, egress_denied or admin');

const AuditPageRequestSchema = z.strictObject({
  before: z.number('the page position must be a number').int('the page position must be a whole number').min(0, 'the page position cannot be negative').nullable().optional(),
  limit: z.number('the page size must be a number').int('the page size must be a whole number').min(1, 'the page size must be at least 1').max(MAX_AUDIT_PAGE, `the page size must be at most ${MAX_AUDIT_PAGE}`).optional(),
  type: AuditTypeSchema.optional(),
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
  publishSuggestion: z.strictObject({
    ticketId: TicketIdSchema,
    suggestionId: z.string().min(1, 'the suggestion id is empty').max(MAX_TICKET_ID_CHARS * 2, 'the suggestion id is too long'),
  }),
  connectorsOverview: NoRequestSchema,
  testConnector: z.strictObject({ id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a connector id as the connectors list shows') }),
  reviewQueue: NoRequestSchema,
  reviewEntry: ReviewRequestSchema,

  getPreferences: NoRequestSchema,
  setPreferences: PreferencesSchema,
  packsOverview: NoRequestSchema,
  installPack: NoRequestSchema,
  removePack: RemovePackRequestSchema,
  trustKey: TrustKeyRequestSchema,
  untrustKey: UntrustKeyRequestSchema,
  subscribePacks: SubscribePacksRequestSchema,
  unsubscribePacks: UnsubscribePacksRequestSchema,
  syncPacks: NoRequestSchema,
  modelsOverview: NoRequestSchema,
  useModel: UseModelRequestSchema,
  restartWorkspace: NoRequestSchema,
  llmOverview: NoRequestSchema,
  pullLlmModel: NoRequestSchema,
  recheckLlm: NoRequestSchema,
  privacyOverview: NoRequestSchema,
  setPrivacySettings: PrivacySettingsRequestSchema,
  repairDataFolder: NoRequestSchema,
  tagSnapshot: z.strictObject({
    name: SnapshotNameSchema,
    reason: z.string('the reason must be text').trim().max(MAX_SNAPSHOT_REASON_CHARS, `the reason is longer than ${MAX_SNAPSHOT_REASON_CHARS} characters`).optional(),
  }),
  rollbackPreview: z.strictObject({ name: SnapshotNameSchema }),
  rollbackSnapshot: z.strictObject({ name: SnapshotNameSchema }),
  auditPage: AuditPageRequestSchema,
  verifyAudit: NoRequestSchema,
  exportAudit: z.strictObject({
    format: z.enum(['jsonl', 'csv'], 'the format must be jsonl or csv'),
    type: AuditTypeSchema.optional(),
  }),
} as const satisfies { readonly [M in IpcMethod]: z.ZodType<IpcRequest<M>> };
