/**
 * The help centers of the data folder's connectors (connectors.json): which connectors have one, and the reader of
 * one, signed in with the connector's own address and token, read-only (helpCenter.ts). Shared by
 * `vigil kb import --helpdesk` (tokens from the file secret store) and the app's Import (tokens from the keychain).
 */
import { join } from 'node:path';
import type { LineIssue } from '../formats/lineIssue';
import type { Entry } from '../formats/schemas';
import type { EgressPolicy } from '../net/egress';
import type { SecretStore } from '../secrets/secretStore';
import { HELP_CENTER_KINDS, HELP_CENTER_VENDORS, readHelpCenter, type HelpCenterKind, type HelpCenterSettings } from './helpCenter';
import { connectorHost } from './httpConnectors';
import { CONNECTORS_FILE, loadConnectorsConfig, SecretRefSchema } from './registry';

/** A configured connector whose helpdesk has a help center Vigil can import. */
export interface HelpCenterConnector {
  /** The connector's id in connectors.json. */
  id: string;
  kind: HelpCenterKind;
  /** "Zendesk Guide", "Freshdesk Solutions", "Zammad knowledge base". */
  vendor: string;
  /** The helpdesk's address, shown so the analyst knows which one is read. */
  baseUrl: string;
}

/** A help center to import from: its name for the report, its host (for the egress policy), and its reader. */
export interface HelpCenterSource {
  label: string;
  host: string;
  read: (onIssue: (issue: LineIssue) => void) => AsyncIterable<Entry>;
}

function isHelpCenterKind(kind: string): kind is HelpCenterKind {
  return (HELP_CENTER_KINDS as readonly string[]).includes(kind);
}

/** The configured connectors with a help center (disabled ones too: importing reads nothing they watch). */
export async function helpCenterConnectors(dataDir: string): Promise<HelpCenterConnector[]> {
  const configs = await loadConnectorsConfig(dataDir);
  return configs.flatMap((c) => (isHelpCenterKind(c.kind) ? [{ id: c.id, kind: c.kind, vendor: HELP_CENTER_VENDORS[c.kind], baseUrl: String(c['baseUrl']) }] : []));
}

/**
 * The help center of connector `id`, its token read from `secrets`; `policy` is what its requests go through (the
 * caller allows `host` on it). Throws, naming the connector, when it is missing, of a kind without a help center,
 * or its token is not stored (`addTokenHint` says how to store it, in the caller's words).
 */
export async function helpCenterSource(
  dataDir: string,
  id: string,
  options: { secrets: SecretStore; policy: EgressPolicy; signal: AbortSignal; addTokenHint: string },
): Promise<HelpCenterSource> {
  const configs = await loadConnectorsConfig(dataDir);
  const config = configs.find((c) => c.id === id);
  const file = join(dataDir, CONNECTORS_FILE);
  if (!config) {
    throw new Error(`No connector "${id}" in ${file}${configs.length ? ` (configured: ${configs.map((c) => c.id).join(', ')})` : ''}.`);
  }
  if (!isHelpCenterKind(config.kind)) {
    throw new Error(`Connector "${id}" is a ${config.kind} connector; help-center articles can be imported from ${HELP_CENTER_KINDS.join(', ')}.`);
  }
  const ref = SecretRefSchema.safeParse(config['token']);
  const token = ref.success ? await options.secrets.get(ref.data.secret) : null;
  if (token === null) throw new Error(`Connector "${id}": its token${ref.success ? ` "${ref.data.secret}"` : ''} is not stored. ${options.addTokenHint}`);
  const settings: HelpCenterSettings = {
    id,
    kind: config.kind,
    baseUrl: String(config['baseUrl']),
    token,
    ...(typeof config['email'] === 'string' ? { email: config['email'] } : {}),
  };
  return {
    label: `${id} (${settings.kind} help center)`,
    host: connectorHost(settings),
    read: (onIssue) => readHelpCenter(settings, options.policy, options.signal, onIssue),
  };
}
