/**
 * `vigil kb import --helpdesk ID`: the help-center articles of a connected helpdesk (Zendesk Guide, Freshdesk
 * Solutions, Zammad knowledge base), read with the connector's own address and credentials, read-only
 * (core/connectors/helpCenterSource.ts), its token from the data folder's file secret store.
 */
import { helpCenterSource as connectorHelpCenter, type HelpCenterSource } from '../connectors/helpCenterSource';
import { EgressPolicy } from '../net/egress';
import { FileSecretStore } from '../secrets/fileSecretStore';
import { cliEgress } from './cliEgress';

export type { HelpCenterSource };

/** The help center of connector `id` in the data folder's connectors.json, with its token from the secret store. */
export async function helpCenterSource(dataDir: string, id: string, signal: AbortSignal): Promise<HelpCenterSource> {
  // The connector's host is allowed on the command's egress policy, as `vigil watch` allows it.
  const policy = cliEgress()?.policy ?? new EgressPolicy({ offline: false });
  const source = await connectorHelpCenter(dataDir, id, { secrets: new FileSecretStore(dataDir), policy, signal, addTokenHint: 'Add it with `vigil secrets set NAME`.' });
  policy.allow(source.host);
  return source;
}
