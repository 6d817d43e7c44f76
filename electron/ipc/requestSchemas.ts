/**
 * Run-time schemas of the contract's requests; the main process refuses any call that does not match. Each
 * schema is also its request's only type: contract.ts takes `z.input` of it through `import type`, so the
 * sandboxed preload does not bundle zod. Kept beside contract.ts rather than in it for that reason.
 */
import { z } from 'zod';
import { FEEDBACK_ACTIONS, REVIEW_DECISIONS } from '../../core/app/deskTypes';
import { PackNameSchema } from '../../core/packs/packFormat';
import { describeConnectorKinds } from '../../core/connectors/connectorSettings';
import { ENTRY_KINDS } from '../../core/formats/schemas';
import { ENTRY_ORIGINS, MAX_PAGE_SIZE, MAX_TAG_CHARS, MAX_TAGS } from '../../core/knowledge/knowledgeBrowser';
import { ENTRY_STATUSES } from '../../core/knowledge/storedEntry';
import {
  MAX_AUDIT_PAGE,
  MAX_SNAPSHOT_REASON_CHARS,
  MAX_KEY_NAME_CHARS,
  MAX_QUERY_CHARS,
  MAX_REASON_CHARS,
  MAX_SEARCH_LIMIT,
  MAX_SUBSCRIBED_PACKS,
  MAX_TICKET_ID_CHARS,
  MAX_INSERTED_SUGGESTIONS,
  MAX_REPLY_CHARS,
  IPC_METHODS,
  type IpcMethod,
} from './contract';
import { UiPreferencesSchema } from '../main/uiPreferences';

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

/** The id `chooseImportSource` gave a chosen file or folder. */
const ImportSourceIdSchema = z.string().regex(/^src-[0-9a-f]{16}$/, 'must be the source id the chosen file was given; choose the file again');

/** A CSV column name: a header cell. */
const CsvColumnSchema = (field: string) =>
  z.string(`the ${field} column must be text`).min(1, `the ${field} column is empty`).max(500, `the ${field} column name is longer than 500 characters`);

const ImportKnowledgeRequestSchema = z.strictObject({
  sourceId: ImportSourceIdSchema,
  mapping: z
    .strictObject({
      question: CsvColumnSchema('question').optional(),
      title: CsvColumnSchema('title').optional(),
      body: CsvColumnSchema('body').optional(),
      tags: CsvColumnSchema('tags').optional(),
    })
    .refine((m) => new Set(Object.values(m)).size === Object.values(m).length, 'each column can hold one field only; choose a different column for each')
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

// ── Connectors from the Settings screen, and the reply box ──────────────────────────────────────────────

const CONNECTOR_FORMS = describeConnectorKinds();
const CONNECTOR_KIND_NAMES = CONNECTOR_FORMS.map((k) => k.kind) as [string, ...string[]];

/** Longest text field of a connector (a URL, a path, a mailbox name). */
export const MAX_CONNECTOR_FIELD_CHARS = 2_048;
/** Longest secret accepted (API tokens are ~40-200 characters; a long password still fits). */
export const MAX_SECRET_CHARS = 4_096;

const ConnectorIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'must be a connector id: letters, digits, "-" and "_" (at most 64 characters)');
const FieldNameSchema = z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,63}$/, 'is not a connector setting');

const ConnectorFieldValueSchema = z.union(
  [
    z.string().max(MAX_CONNECTOR_FIELD_CHARS, `is longer than ${MAX_CONNECTOR_FIELD_CHARS} characters`),
    z.number().finite(),
    z.boolean(),
    z.array(z.string().max(512, 'has an item longer than 512 characters')).max(100, 'lists more than 100 items'),
    z.null(),
  ],
  'must be text, a number, true/false or a list of text',
);

const ConnectorDraftSchema = z
  .strictObject({
    kind: z.enum(CONNECTOR_KIND_NAMES, `the kind must be one of ${CONNECTOR_KIND_NAMES.join(', ')}`),
    id: ConnectorIdSchema,
    values: z.record(FieldNameSchema, ConnectorFieldValueSchema).refine((v) => Object.keys(v).length <= 50, 'too many settings'),
    secrets: z
      .record(FieldNameSchema, z.string().max(MAX_SECRET_CHARS, `the secret is longer than ${MAX_SECRET_CHARS} characters`))
      .refine((v) => Object.keys(v).length <= 10, 'too many secrets'),
  })
  .superRefine((draft, context) => {
    // Address fields must be http(s): anything else (file:, javascript:, ftp:) is never a helpdesk.
    const form = CONNECTOR_FORMS.find((k) => k.kind === draft.kind);
    for (const field of form?.fields ?? []) {
      const value = draft.values[field.name];
      if (field.type === 'secret' && field.name in draft.values) {
        context.addIssue({ code: 'custom', path: ['values', field.name], message: `${field.name} is a secret: send it in "secrets", never in "values"` });
      }
      if (field.type !== 'url' || typeof value !== 'string' || value === '') continue;
      let protocol = '';
      try {
        protocol = new URL(value).protocol;
      } catch {
        protocol = '';
      }
      if (protocol !== 'http:' && protocol !== 'https:') {
        context.addIssue({ code: 'custom', path: ['values', field.name], message: `${field.name} must be an http:// or https:// address` });
      }
    }
    for (const name of Object.keys(draft.secrets)) {
      if (!form?.fields.some((f) => f.name === name && f.type === 'secret')) {
        context.addIssue({ code: 'custom', path: ['secrets', name], message: `a ${draft.kind} connector has no secret "${name}"` });
      }
    }
  });

const SaveConnectorRequestSchema = z.strictObject({
  mode: z.enum(['add', 'edit'], 'the mode must be "add" or "edit"'),
  draft: ConnectorDraftSchema,
});

const ConnectorIdRequestSchema = z.strictObject({ id: ConnectorIdSchema });

const SuggestionIdSchema = z.string().min(1, 'the suggestion id is empty').max(MAX_TICKET_ID_CHARS * 2, 'the suggestion id is too long');

const ReplyTextSchema = z.string().max(MAX_REPLY_CHARS, `the reply is longer than ${MAX_REPLY_CHARS} characters; shorten it`);

const SaveReplyDraftRequestSchema = z.strictObject({
  ticketId: TicketIdSchema,
  text: ReplyTextSchema,
  insertedSuggestionIds: z.array(SuggestionIdSchema).max(MAX_INSERTED_SUGGESTIONS, `at most ${MAX_INSERTED_SUGGESTIONS} inserted suggestions`),
});

const SendReplyRequestSchema = z
  .strictObject({
    ticketId: TicketIdSchema,
    text: ReplyTextSchema.refine((t) => t.trim() !== '', 'the reply is empty; write or insert something first'),
    visibility: z.enum(['note', 'public'], 'the visibility must be "note" or "public"'),
    confirmed: z.boolean().optional(),
  })
  .refine((r) => r.visibility !== 'public' || r.confirmed === true, {
    message: 'a reply to the customer must be confirmed by the analyst first',
    path: ['confirmed'],
  });
/** Deepest page offset accepted: far beyond any team's knowledge, a bound on a hostile caller's work. */
const MAX_LIST_OFFSET = 1_000_000;

const EntryIdSchema = z
  .string('the entry id must be text')
  .min(1, 'the entry id is empty')
  .max(MAX_TICKET_ID_CHARS, `the entry id is longer than ${MAX_TICKET_ID_CHARS} characters`);

const ListEntriesRequestSchema = z.strictObject({
  status: z.enum(ENTRY_STATUSES, `the status must be one of ${ENTRY_STATUSES.join(', ')}`).optional(),
  kind: z.enum(ENTRY_KINDS, `the kind must be one of ${ENTRY_KINDS.join(', ')}`).optional(),
  origin: z.enum(ENTRY_ORIGINS, `the origin must be one of ${ENTRY_ORIGINS.join(', ')}`).optional(),
  text: z.string('the text filter must be text').trim().max(MAX_QUERY_CHARS, `the text filter is longer than ${MAX_QUERY_CHARS} characters; shorten it`).optional(),
  offset: z
    .number('the offset must be a number')
    .int('the offset must be a whole number')
    .min(0, 'the offset cannot be negative')
    .max(MAX_LIST_OFFSET, `the offset must be at most ${MAX_LIST_OFFSET}`)
    .optional(),
  limit: z
    .number('the page size must be a number')
    .int('the page size must be a whole number')
    .min(1, 'the page size must be at least 1')
    .max(MAX_PAGE_SIZE, `the page size must be at most ${MAX_PAGE_SIZE}`)
    .optional(),
});

const EntryPatchSchema = z
  .strictObject({
    title: entryText('title').optional(),
    question: entryText('question').optional(),
    answer: entryText('answer').optional(),
    tags: z
      .array(z.string('each tag must be text').trim().min(1, 'a tag is empty').max(MAX_TAG_CHARS, `a tag is longer than ${MAX_TAG_CHARS} characters`))
      .max(MAX_TAGS, `at most ${MAX_TAGS} tags`)
      .optional(),
  })
  .refine((p) => Object.values(p).some((v) => v !== undefined), { message: 'change at least one of title, question, answer or tags' });

const EditEntryRequestSchema = z.strictObject({ entryId: EntryIdSchema, patch: EntryPatchSchema });

const SetEntryStatusRequestSchema = z.strictObject({
  entryId: EntryIdSchema,
  status: z.enum(['approved', 'retired'], 'the status must be approved or retired'),
  reason: z.string().trim().max(MAX_REASON_CHARS, `the reason is longer than ${MAX_REASON_CHARS} characters; shorten it`).optional(),
});

const RestoreEntryVersionRequestSchema = z.strictObject({
  entryId: EntryIdSchema,
  version: z.number('the version must be a number').int('the version must be a whole number').min(1, 'versions start at 1').max(1_000_000, 'no entry has that many versions'),
});

const PrivacySettingsRequestSchema = z
  .strictObject({
    offline: z.boolean('offline must be true or false').optional(),
    redactBeforeStorage: z.boolean('redactBeforeStorage must be true or false').optional(),
    // Each name is checked in core (privacySettings.ts), whose error names the host that is not one.
    documentationHosts: z
      .array(z.string('each documentation host must be text').max(253, 'a host name is at most 253 characters'), 'documentationHosts must be a list of host names')
      .max(100, 'at most 100 documentation hosts')
      .optional(),
  })
  .refine((r) => r.offline !== undefined || r.redactBeforeStorage !== undefined || r.documentationHosts !== undefined, {
    message: 'name the setting to change: offline, redactBeforeStorage or documentationHosts',
  });

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

/** Most fields of one rule as drafted: the rule format has a dozen; the rule itself is checked field by field in core. */
const MAX_RULE_FIELDS = 32;
const RuleIdSchema = z.string('the rule id must be text').regex(/^[a-z0-9][a-z0-9-]{0,99}$/, 'must be a rule id as the rules list shows');
const RuleDraftSchema = z
  .record(z.string().max(64, 'a rule field name is at most 64 characters'), z.unknown())
  .refine((rule) => Object.keys(rule).length <= MAX_RULE_FIELDS, `a rule has at most ${MAX_RULE_FIELDS} fields`);
/**
 * Settings → Team's init/join form. The URI, endpoint and names are checked again by core/team/teamConfig.ts (the
 * one place their rules live); here only their shape and length, so a confused page cannot send a megabyte.
 * The keys are optional: already in the keychain from an earlier join, or not needed for a shared folder.
 */
const JoinTeamRequestSchema = z.strictObject({
  mode: z.enum(['init', 'join'], 'mode must be init or join'),
  uri: z.string('the store must be text').trim().min(1, 'give the team store: s3://bucket/prefix or a shared folder').max(1_000, 'the store is longer than 1000 characters'),
  analyst: z.string('your name must be text').trim().min(1, 'give your name: it names you in each entry’s provenance').max(200, 'your name is longer than 200 characters'),
  endpoint: z.string('the endpoint must be text').trim().max(1_000, 'the endpoint is longer than 1000 characters').optional(),
  region: z.string('the region must be text').trim().max(100, 'the region is longer than 100 characters').optional(),
  accessKey: z.string('the access key must be text').max(1_000, 'the access key is longer than 1000 characters').optional(),
  secretKey: z.string('the secret key must be text').max(1_000, 'the secret key is longer than 1000 characters').optional(),
  /** Share this folder's existing knowledge with the team, once. */
  merge: z.boolean('merge must be true or false').optional(),
});

/** Methods without a request must receive nothing at all: anything else is a confused or hostile caller. */
const NoRequestSchema = z.undefined('this method takes no arguments');

/**
 * The request schema of each contract method that takes a request; a method not listed here takes nothing.
 * `satisfies` refuses a schema for a method the contract does not have.
 */
export const ipcRequestSchemaTable = {
  searchKnowledge: SearchKnowledgeRequestSchema,
  chooseImportSource: z.strictObject({ what: z.enum(['file', 'folder'], 'must be "file" or "folder"') }),
  importKnowledge: ImportKnowledgeRequestSchema,
  importHelpCenter: z.strictObject({ connectorId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a connector id as the connectors list shows') }),
  openTicket: OpenTicketRequestSchema,
  sendFeedback: FeedbackRequestSchema,
  setGateRecalibration: z.strictObject({ enabled: z.boolean('enabled must be true or false') }),
  publishSuggestion: z.strictObject({
    ticketId: TicketIdSchema,
    suggestionId: z.string().min(1, 'the suggestion id is empty').max(MAX_TICKET_ID_CHARS * 2, 'the suggestion id is too long'),
  }),
  testConnector: z.strictObject({ id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a connector id as the connectors list shows') }),
  reviewEntry: ReviewRequestSchema,

  setPreferences: UiPreferencesSchema,
  removePack: RemovePackRequestSchema,
  trustKey: TrustKeyRequestSchema,
  untrustKey: UntrustKeyRequestSchema,
  subscribePacks: SubscribePacksRequestSchema,
  unsubscribePacks: UnsubscribePacksRequestSchema,
  useModel: UseModelRequestSchema,
  connectorForEdit: ConnectorIdRequestSchema,
  testConnectorDraft: SaveConnectorRequestSchema,
  saveConnector: SaveConnectorRequestSchema,
  removeConnector: ConnectorIdRequestSchema,
  replyDraft: OpenTicketRequestSchema,
  saveReplyDraft: SaveReplyDraftRequestSchema,
  sendReply: SendReplyRequestSchema,
  listEntries: ListEntriesRequestSchema,
  entryDetail: z.strictObject({ entryId: EntryIdSchema }),
  editEntry: EditEntryRequestSchema,
  setEntryStatus: SetEntryStatusRequestSchema,
  restoreEntryVersion: RestoreEntryVersionRequestSchema,
  setPrivacySettings: PrivacySettingsRequestSchema,
  tagSnapshot: z.strictObject({
    name: SnapshotNameSchema,
    reason: z.string('the reason must be text').trim().max(MAX_SNAPSHOT_REASON_CHARS, `the reason is longer than ${MAX_SNAPSHOT_REASON_CHARS} characters`).optional(),
  }),
  rollbackPreview: z.strictObject({ name: SnapshotNameSchema }),
  rollbackSnapshot: z.strictObject({ name: SnapshotNameSchema }),
  auditPage: AuditPageRequestSchema,
  exportAudit: z.strictObject({
    format: z.enum(['jsonl', 'csv'], 'the format must be jsonl or csv'),
    type: AuditTypeSchema.optional(),
  }),
  saveRule: z.strictObject({ rule: RuleDraftSchema, originalId: RuleIdSchema.nullable() }),
  setRuleEnabled: z.strictObject({ id: RuleIdSchema, enabled: z.boolean('enabled must be true or false') }),
  removeRule: z.strictObject({ id: RuleIdSchema }),
  testRule: z.strictObject({ rule: RuleDraftSchema }),
  startWhatIf: z.strictObject({ source: z.enum(['file', 'folder', 'desk'], 'the source must be file, folder or desk') }),
  joinTeam: JoinTeamRequestSchema,
  leaveTeam: z.strictObject({ force: z.boolean('force must be true or false').optional() }),
} as const satisfies { readonly [M in IpcMethod]?: z.ZodType };

/**
 * The schema of every contract method, the table's or, for a method that takes nothing, one that accepts nothing.
 * The folder and file pickers are such methods: the path comes from the main process's dialog, never the page.
 */
export const ipcRequestSchemas: { readonly [M in IpcMethod]: z.ZodType } = Object.freeze(
  Object.fromEntries(IPC_METHODS.map((method) => [method, (ipcRequestSchemaTable as Partial<Record<IpcMethod, z.ZodType>>)[method] ?? NoRequestSchema])) as {
    [M in IpcMethod]: z.ZodType;
  },
);
