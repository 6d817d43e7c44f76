/**
 * `vigil kb import --helpdesk ID`: the help-center articles of a connected helpdesk (Zendesk Guide, Freshdesk
 * Solutions, Zammad knowledge base), read with the connector's own address and credentials, read-only
 * (core/connectors/helpCenter.ts).
 */
import { join } from 'node:path';
import { HELP_CENTER_KINDS, readHelpCenter, type HelpCenterKind, type HelpCenterSettings } from '../connectors/helpCenter';
import { connectorHost } from '../connectors/httpConnectors';
import { CONNECTORS_FILE, loadConnectorsConfig, type SecretRef } from '../connectors/registry';
import type { LineIssue } from '../formats/lineIssue';
import type { Entry } from '../formats/schemas';
import { EgressPolicy } from '../net/egress';
import { FileSecretStore } from '../secrets/fileSecretStore';
import { cliEgress } from './cliEgress';

/** A help center to import from: its name for the report, and its reader. */
export interface HelpCenterSource {
  label: string;
  read: (onIssue: (issue: LineIssue) => void) => AsyncIterable<Entry>;
}

/** The help center of connector `id` in the data folder's connectors.json, with its token from the secret store. */
export async function helpCenterSource(dataDir: string, id: string, signal: AbortSignal): Promise<HelpCenterSource> {
  const configs = await loadConnectorsConfig(dataDir);
  const config = configs.find((c) => c.id === id);
  const file = join(dataDir, CONNECTORS_FILE);
  if (!config) {
    throw new Error(`No connector "${id}" in ${file}${configs.length ? ` (configured: ${configs.map((c) => c.id).join(', ')})` : ''}.`);
  }
  if (!(HELP_CENTER_KINDS as readonly string[]).includes(config.kind)) {
    throw new Error(`Connector "${id}" is a ${config.kind} connector; help-center articles can be imported from ${HELP_CENTER_KINDS.join(', ')}.`);
  }
  const ref = config['token'] as SecretRef | undefined;
  const token = ref ? await new FileSecretStore(dataDir).get(ref.secret) : null;
  if (token === null) throw new Error(`Connector "${id}": its token secret${ref ? ` "${ref.secret}"` : ''} is not in the secret store. Add it with \`vigil secrets set NAME\`.`);
  const settings: HelpCenterSettings = {
    id,
    kind: config.kind as HelpCenterKind,
    baseUrl: String(config['baseUrl']),
    token,
    ...(typeof config['email'] === 'string' ? { email: config['email'] } : {}),
  };
  // The connector's host is allowed on the command's egress policy, as `vigil watch` allows it.
  const policy = cliEgress()?.policy ?? new EgressPolicy({ offline: false });
  policy.allow(connectorHost(settings));
  return { label: `${id} (${settings.kind} help center)`, read: (onIssue) => readHelpCenter(settings, policy, signal, onIssue) };
}
