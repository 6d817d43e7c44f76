/**
 * Connector settings → connector instances. The team's connectors are listed in `<data folder>/connectors.json`:
 *
 *   {"format": 1, "connectors": [
 *     {"id": "demo", "kind": "folder", "path": "tickets"},
 *     {"id": "support-mail", "kind": "imap", "host": "imap.example.com", "user": "support@example.com",
 *      "password": {"secret": "support-mail"}, "supportAddresses": ["@example.com"]},
 *     {"id": "rt", "kind": "rt", "baseUrl": "https://rt.example.com", "token": {"secret": "rt-token"}}]}
 *
 * Every entry is validated (zod) and an error names the file, the entry and the field. Credentials are never in
 * this file: a credential field holds `{"secret": "NAME"}`, resolved from the `SecretStore` when the connector is
 * built. Each kind is one `defineConnectorKind` call; the hosts it names are allowed by the egress policy.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { describeZodError } from '../formats/jsonl';
import { EgressPolicy } from '../net/egress';
import { redactSecrets, SECRET_NAME_PATTERN, type SecretStore } from '../secrets/secretStore';
import { CONNECTOR_ID_PATTERN, ConnectorError, connectorStateDir, type Connector, type WatchedConnector } from './connector';
import { FolderConnector } from './folderConnector';
import { connectorHost, HTTP_CONNECTORS, type HttpConnectorKindName } from './httpConnectors';
import { ImapConnector } from './imapConnector';
import { log } from '../privacy/redactingLogger';
import { ConnectorConfigError, parseConnectorsText, type ConnectorsLayout } from './connectorsFile';
import { redactUrlCredentials } from '../privacy/redaction';

export const CONNECTORS_FILE = 'connectors.json';

/** A credential in settings: the name of a secret in the secret store, never the value. */
export const SecretRefSchema = z.object(
  { secret: z.string().regex(SECRET_NAME_PATTERN, 'must be a secret name (letters, digits, ".", "-", "_")') },
  {
    error: (issue) =>
      typeof issue.input === 'string'
        ? 'credentials never go in settings files: store it with `vigil secrets set NAME` and write {"secret": "NAME"} here'
        : 'expected {"secret": "NAME"}',
  },
);
export type SecretRef = z.infer<typeof SecretRefSchema>;

/** Fields every connector has. */
const baseShape = {
  id: z.string().regex(CONNECTOR_ID_PATTERN, 'must be letters, digits, "-" and "_" (at most 64 characters)'),
  kind: z.string(),
  enabled: z.boolean().default(true),
  /** Seconds between polls once caught up; each kind has its own default. */
  pollSeconds: z.number().min(1).max(86_400).optional(),
  /** Whether the analyst may post drafts back as internal notes (only ever on a click). */
  writeBack: z.boolean().default(false),
};

export interface ConnectorContext {
  /** The team's data folder; relative paths in settings are relative to it. */
  dataDir: string;
  /** A folder of the connector's own (inside the watcher's state for it). */
  stateDir: string;
  egress: EgressPolicy;
  /** The value of a secret; `field` names the setting in the error when the secret is missing. */
  secret(ref: SecretRef, field: string): Promise<string>;
}

/** A kind of connector as the registry knows it; build one with `defineConnectorKind`. */
export interface ConnectorKind {
  kind: string;
  defaultPollSeconds: number;
  schema: z.ZodType;
  hosts(config: unknown): string[];
  /**
   * Where the connector sends its secrets (scheme, host and port; for a mailbox host, port and TLS mode), or null
   * when it sends none: a stored secret is only ever offered to the origin it was saved with (connectorSettings.ts).
   */
  origin(config: unknown): string | null;
  create(config: unknown, context: ConnectorContext): Promise<Connector>;
}

type BaseShape = typeof baseShape;

/** Declares a connector kind: its own settings (beyond id, kind, enabled, pollSeconds, writeBack) and a factory. */
export function defineConnectorKind<S extends z.ZodRawShape>(definition: {
  kind: string;
  defaultPollSeconds: number;
  fields: S;
  hosts: (config: z.output<z.ZodObject<BaseShape & S>>) => string[];
  /** Where its secrets go (see `ConnectorKind.origin`); leave out for a kind with no secrets. */
  origin?: (config: z.output<z.ZodObject<BaseShape & S>>) => string;
  create: (config: z.output<z.ZodObject<BaseShape & S>>, context: ConnectorContext) => Promise<Connector>;
}): ConnectorKind {
  const schema = z.strictObject({ ...baseShape, ...definition.fields } as BaseShape & S);
  type Config = z.output<typeof schema>;
  return {
    kind: definition.kind,
    defaultPollSeconds: definition.defaultPollSeconds,
    schema,
    hosts: (config) => definition.hosts(config as Config),
    origin: (config) => definition.origin?.(config as Config) ?? null,
    create: (config, context) => definition.create(config as Config, context),
  };
}

export const folderKind = defineConnectorKind({
  kind: 'folder',
  defaultPollSeconds: 5,
  fields: {
    /** The folder of ticket files; relative to the data folder when not absolute. */
    path: z.string().min(1, 'must not be empty'),
    pageSize: z.number().int().min(1).max(10_000).optional(),
  },
  hosts: () => [],
  create: async (config, context) =>
    new FolderConnector({
      id: config.id,
      path: isAbsolute(config.path) ? config.path : resolve(context.dataDir, config.path),
      stateDir: context.stateDir,
      ...(config.pageSize ? { pageSize: config.pageSize } : {}),
    }),
});

export const imapKind = defineConnectorKind({
  kind: 'imap',
  defaultPollSeconds: 60,
  fields: {
    host: z.string().min(1, 'must not be empty'),
    port: z.number().int().min(1).max(65_535).optional(),
    tls: z.enum(['implicit', 'starttls', 'none']).default('implicit'),
    user: z.string().min(1, 'must not be empty'),
    password: SecretRefSchema,
    mailbox: z.string().min(1).default('INBOX'),
    supportAddresses: z.array(z.string().regex(/^[^@\s]*@[^@\s]+$/, 'must be an address (help@example.com) or a domain (@example.com)')).min(1, 'name at least one address or @domain of the support team'),
    draftsMailbox: z.string().min(1).default('Drafts'),
    pageSize: z.number().int().min(1).max(1_000).optional(),
  },
  hosts: (config) => [config.host],
  // The TLS mode is part of it, like an URL's scheme: switching to "none" would send the password in the clear.
  origin: (config) => `${config.host.toLowerCase()}:${imapPort(config)} (TLS: ${config.tls})`,
  create: async (config, context) =>
    new ImapConnector({
      id: config.id,
      host: config.host,
      port: imapPort(config),
      tls: config.tls,
      user: config.user,
      password: await context.secret(config.password, 'password'),
      mailbox: config.mailbox,
      supportAddresses: config.supportAddresses,
      draftsMailbox: config.draftsMailbox,
      egress: context.egress,
      ...(config.pageSize ? { pageSize: config.pageSize } : {}),
    }),
});

/** The port a mailbox connector connects to: the one set, else the usual one for its TLS mode. */
function imapPort(config: { port?: number | undefined; tls: 'implicit' | 'starttls' | 'none' }): number {
  return config.port ?? (config.tls === 'implicit' ? 993 : 143);
}

const kinds = new Map<string, ConnectorKind>();

/** Makes a kind available to settings files. Kinds are registered once, at import. */
export function registerConnectorKind(kind: ConnectorKind): void {
  kinds.set(kind.kind, kind);
}

/**
 * An HTTP helpdesk (core/connectors/httpConnectors.ts) as a registry kind: its own settings, with the API token
 * as a secret reference, resolved from the secret store only when the connector is built.
 */
export function httpConnectorKind(name: HttpConnectorKindName): ConnectorKind {
  const entry = HTTP_CONNECTORS[name];
  // The vendor schema's own fields, minus those the registry owns (id, kind) and the token, which is a secret here.
  const { id: _id, kind: _kind, token: _token, ...fields } = entry.schema.shape as z.ZodRawShape;
  return defineConnectorKind({
    kind: name,
    defaultPollSeconds: 60,
    fields: { ...fields, token: SecretRefSchema },
    hosts: (config) => [connectorHost(config as unknown as { baseUrl: string })],
    // The URL's origin normalises case and default ports: https://RT.example.com:443/rt is https://rt.example.com.
    origin: (config) => new URL((config as unknown as { baseUrl: string }).baseUrl).origin,
    create: async (config, context) => {
      const { enabled: _enabled, pollSeconds: _poll, writeBack: _writeBack, ...settings } = config;
      const token = await context.secret(config.token as SecretRef, 'token');
      const parsed = entry.schema.parse({ ...settings, kind: name, token });
      const create = entry.create as (config: unknown, policy: EgressPolicy, options?: { warn?: (m: string) => void }) => Connector;
      return create(parsed, context.egress, { warn: (message) => log.warn(`Connector "${config.id}": ${message}`) });
    },
  });
}

// Built-in kinds, one line each.
registerConnectorKind(folderKind);
registerConnectorKind(imapKind);
for (const name of Object.keys(HTTP_CONNECTORS) as HttpConnectorKindName[]) registerConnectorKind(httpConnectorKind(name));

export function connectorKinds(): string[] {
  return [...kinds.keys()].sort();
}

/** The registered kind by name (its settings schema, hosts and factory), or undefined. */
export function connectorKind(name: string): ConnectorKind | undefined {
  return kinds.get(name);
}

/** One validated entry of the settings file. */
export interface ConnectorConfig {
  id: string;
  kind: string;
  enabled: boolean;
  pollSeconds?: number;
  writeBack: boolean;
  [field: string]: unknown;
}

export { ConnectorConfigError };

/** The dotted path of the first string in `value` that is a URL with a user name or password in it, or null. */
function urlWithCredentials(value: unknown, path = ''): string | null {
  if (typeof value === 'string') {
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value.trim())) return null;
    try {
      const url = new URL(value.trim());
      return url.username !== '' || url.password !== '' ? path : null;
    } catch {
      return /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(value.trim()) ? path : null;
    }
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      const found = urlWithCredentials(child, path === '' ? key : `${path}.${key}`);
      if (found !== null) return found;
    }
  }
  return null;
}

/** Validates a parsed settings document; errors name `file`, the entry (index and id) and the field. */
export function parseConnectorsConfig(value: unknown, file: string): ConnectorConfig[] {
  const top = z.object({ format: z.literal(1).optional(), connectors: z.array(z.unknown()) }).safeParse(value);
  if (!top.success) {
    const { field, message } = describeZodError(top.error);
    throw new ConnectorConfigError(`${file}: ${field}: ${message} (expected {"format": 1, "connectors": [...]})`);
  }
  const configs: ConnectorConfig[] = [];
  top.data.connectors.forEach((entry, index) => {
    const raw = (entry ?? {}) as { id?: unknown; kind?: unknown };
    const label = `connectors.${index}${typeof raw.id === 'string' ? ` ("${raw.id}")` : ''}`;
    const kind = typeof raw.kind === 'string' ? kinds.get(raw.kind) : undefined;
    if (!kind) {
      throw new ConnectorConfigError(`${file}: ${label}.kind: ${typeof raw.kind === 'string' ? `unknown kind "${raw.kind}"` : 'missing'}; use one of ${connectorKinds().join(', ')}`);
    }
    const result = kind.schema.safeParse(entry);
    if (!result.success) {
      const { field, message } = describeZodError(result.error);
      throw new ConnectorConfigError(`${file}: ${label}.${field}: ${message}`);
    }
    const config = result.data as ConnectorConfig;
    const credentials = urlWithCredentials(config);
    if (credentials) {
      throw new ConnectorConfigError(
        `${file}: ${label}.${credentials}: a URL must not hold a user name or password (they would be logged, shown and sent in the clear); remove them, store the credential with \`vigil secrets set NAME\` and reference it as {"secret": "NAME"} in the credential field`,
      );
    }
    if (configs.some((c) => c.id === config.id)) throw new ConnectorConfigError(`${file}: ${label}.id: "${config.id}" is used by another connector; ids must be unique`);
    configs.push(config);
  });
  return configs;
}

/** connectors.json as read: the text, the validated configs and each entry as written (unknown fields and all). */
export interface ConnectorsDocument {
  file: string;
  /** The file's text, or null when there is none yet. */
  text: string | null;
  configs: ConnectorConfig[];
  /** Each entry as written, in file order. */
  raw: Record<string, unknown>[];
  /** Where the list and its entries are in `text`; null when there is no text or no `connectors` array. */
  layout: ConnectorsLayout | null;
}

/**
 * Reads and fully validates `<data folder>/connectors.json`, the one reader of the file (the watcher and Settings
 * both use it); no file means no connectors. Errors name the file and line, or the entry and field.
 */
export async function readConnectorsDocument(dataDir: string): Promise<ConnectorsDocument> {
  const file = join(dataDir, CONNECTORS_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { file, text: null, configs: [], raw: [], layout: null };
    throw new ConnectorConfigError(`Cannot read ${file}: ${(error as Error).message}`);
  }
  const { value, layout } = parseConnectorsText(text, file);
  const configs = parseConnectorsConfig(value, file);
  return { file, text, configs, raw: (value as { connectors: Record<string, unknown>[] }).connectors, layout };
}

/** The validated connector settings of `<data folder>/connectors.json`; no file means no connectors. */
export async function loadConnectorsConfig(dataDir: string): Promise<ConnectorConfig[]> {
  return (await readConnectorsDocument(dataDir)).configs;
}

/** The enabled connectors and the hosts each connects to; none when connectors.json cannot be read (Settings says why). */
export async function enabledConnectorHosts(dataDir: string): Promise<{ id: string; hosts: string[] }[]> {
  const configs = await loadConnectorsConfig(dataDir).catch(() => []);
  return configs.filter((c) => c.enabled).map((c) => ({ id: c.id, hosts: connectorHosts(c) }));
}

export interface BuiltConnectors {
  connectors: WatchedConnector[];
  egress: EgressPolicy;
  /** Removes the values of every secret used from a text (errors, logs). */
  redact: (text: string) => string;
  /**
   * Posts `text` as an internal note on a ticket: call only on the analyst's click. Refused unless the connector's
   * settings say `"writeBack": true` and its kind can write back.
   */
  postNote: (ticketId: string, text: string, signal: AbortSignal) => Promise<void>;
  /**
   * Sends `text` to the customer as a public reply on a ticket: call only after the analyst confirmed it. Refused
   * unless the connector's settings say `"writeBack": true` and its kind can send replies (`postReply`).
   */
  postReply: (ticketId: string, text: string, signal: AbortSignal) => Promise<void>;
  /** What can be posted to a ticket's source: internal notes, public replies, and why not, in words. */
  writeCapabilities: (ticketId: string) => WriteCapabilities;
  /**
   * Takes the hosts this build added back off the egress policy (hosts allowed before it stay): for a build used for
   * one call, such as testing a connector's unsaved settings, whose host must not stay allowed for the session.
   */
  release: () => void;
}

/** Whether a ticket's connector takes internal notes and public replies; `reason` says why not. */
export interface WriteCapabilities {
  note: boolean;
  reply: boolean;
  reason: string | null;
}

/** Builds the enabled connectors (or those named in `only`), resolving their secrets. */
export async function buildConnectors(
  configs: readonly ConnectorConfig[],
  options: {
    dataDir: string;
    secrets: SecretStore;
    offline?: boolean;
    only?: readonly string[];
    /** The policy to allow the connectors' hosts on (the app's process-wide one); a new one when absent. */
    egress?: EgressPolicy;
  },
): Promise<BuiltConnectors> {
  const egress = options.egress ?? new EgressPolicy({ offline: options.offline ?? false });
  for (const name of options.only ?? []) {
    if (!configs.some((c) => c.id === name)) {
      throw new ConnectorConfigError(`No connector "${name}" in ${join(options.dataDir, CONNECTORS_FILE)}${configs.length ? ` (configured: ${configs.map((c) => c.id).join(', ')})` : ''}.`);
    }
  }
  const chosen = configs.filter((c) => (options.only?.length ? options.only.includes(c.id) : c.enabled));
  const secretValues: string[] = [];
  const connectors: WatchedConnector[] = [];
  const added = new Set<string>();
  try {
    for (const config of chosen) {
      const kind = kinds.get(config.kind)!;
      for (const host of kind.hosts(config)) {
        if (!egress.allows(host)) added.add(host);
        egress.allow(host);
      }
      const context: ConnectorContext = {
        dataDir: options.dataDir,
        stateDir: connectorStateDir(options.dataDir, config.id),
        egress,
        secret: async (ref, field) => {
          const value = await options.secrets.get(ref.secret);
          if (value === null) {
            throw new ConnectorError(`Connector "${config.id}": ${field} refers to the secret "${ref.secret}", which is not in the secret store. Add it with \`vigil secrets set ${ref.secret}\`.`, 'config');
          }
          secretValues.push(value);
          return value;
        },
      };
      connectors.push({ connector: await kind.create(config, context), pollMs: (config.pollSeconds ?? kind.defaultPollSeconds) * 1000 });
    }
  } catch (error) {
    // A build that failed runs nothing: the hosts it allowed are taken back, as `release` would.
    for (const host of added) egress.disallow(host);
    for (const { connector } of connectors) await connector.close?.().catch(() => undefined);
    throw error;
  }
  // Secret values, and any credentials inside a URL an error quotes (a redirect's Location, a vendor's message).
  const redact = (text: string): string => redactUrlCredentials(redactSecrets(text, secretValues));
  /** The running connector a ticket comes from, checked for write-back; throws in words when it cannot write. */
  const writer = (ticketId: string, what: 'note' | 'reply'): Connector => {
    // Ticket ids are `<connector id>:<id at the source>`; connector ids cannot contain ":".
    const connectorId = ticketId.slice(0, Math.max(0, ticketId.indexOf(':')));
    const config = chosen.find((c) => c.id === connectorId);
    const connector = connectors.find((c) => c.connector.id === connectorId)?.connector;
    if (!config || !connector) throw new ConnectorError(`Ticket ${ticketId} does not come from a connector that is running.`, 'config');
    if (!config.writeBack) {
      throw new ConnectorError(`Posting ${what === 'note' ? 'notes' : 'replies'} is off for "${connectorId}". Set "writeBack": true for it in ${CONNECTORS_FILE} to allow it.`, 'config');
    }
    if (what === 'note' && !connector.postNote) throw new ConnectorError(`A ${connector.kind} connector cannot post notes.`, 'config');
    if (what === 'reply' && !connector.postReply) throw new ConnectorError(`The ${connector.kind} connector "${connectorId}" cannot send replies to the customer; copy the reply into your helpdesk instead.`, 'config');
    return connector;
  };
  const redacted = async (work: () => Promise<void>): Promise<void> => {
    try {
      await work();
    } catch (err) {
      if (err instanceof ConnectorError) throw new ConnectorError(redact(err.message), err.kind, err.retryAfterMs);
      throw new Error(redact(err instanceof Error ? err.message : String(err)));
    }
  };
  const postNote = async (ticketId: string, text: string, signal: AbortSignal): Promise<void> => {
    const connector = writer(ticketId, 'note');
    await redacted(() => connector.postNote!(ticketId, text, signal));
  };
  const postReply = async (ticketId: string, text: string, signal: AbortSignal): Promise<void> => {
    const connector = writer(ticketId, 'reply');
    await redacted(() => connector.postReply!(ticketId, text, signal));
  };
  const writeCapabilities = (ticketId: string): WriteCapabilities => {
    const can = (what: 'note' | 'reply'): string | null => {
      try {
        writer(ticketId, what);
        return null;
      } catch (err) {
        return (err as Error).message;
      }
    };
    const note = can('note');
    const reply = can('reply');
    return { note: note === null, reply: reply === null, reason: note ?? reply };
  };
  const release = (): void => {
    for (const host of added) egress.disallow(host);
    added.clear();
  };
  return { connectors, egress, redact, postNote, postReply, writeCapabilities, release };
}

/** Where a configured connector sends its secrets (see `ConnectorKind.origin`); null when it sends none. */
export function connectorOrigin(config: ConnectorConfig): string | null {
  return kinds.get(config.kind)?.origin(config) ?? null;
}

/** The hosts a configured connector connects to: what the egress policy allows for it (none for a folder). */
export function connectorHosts(config: ConnectorConfig): string[] {
  return kinds.get(config.kind)?.hosts(config) ?? [];
}
