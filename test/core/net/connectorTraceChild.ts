/**
 * Child process for the system-call test in noEgress.test.ts, second part: the transformers.js embedder on its tiny
 * test model, an IMAP connector sync against the loopback Dovecot and an HTTP connector (Zammad) sync against a
 * loopback server, both started by the parent and reached by names under `.localhost` (which the policy answers
 * without DNS), plus the other lookup paths of such a name. Nothing is patched here. Prints a JSON summary.
 *   node --import tsx test/core/net/connectorTraceChild.ts WORK_DIR IMAP_PORT IMAP_USER IMAP_PASSWORD ZAMMAD_PORT ZAMMAD_TOKEN
 */
import dns from 'node:dns';
import { join } from 'node:path';
import { buildConnectors, parseConnectorsConfig } from '../../../core/connectors/registry';
import { TransformersEmbedder } from '../../../core/embed/transformersEmbedder';
import { EgressPolicy } from '../../../core/net/egress';
import { MemorySecretStore } from '../../../core/secrets/secretStore';
import { installTinyModel } from '../../fixtures/tinyOnnx/tinyManifest';

const [workDir, imapPort, imapUser, imapPassword, zammadPort, zammadToken] = process.argv.slice(2) as [string, string, string, string, string, string];

// The embedder on its tiny model, from a local folder.
const modelsDir = join(workDir, 'models');
const embedder = await TransformersEmbedder.load(await installTinyModel(modelsDir), { modelsDir });
const vectors = await embedder.embed(['My VPN drops every ten minutes', 'printer offline'], 'document');
await embedder.close();

// Both connectors through the registry, as `vigil watch` builds them, each on a .localhost name.
const secrets = new MemorySecretStore();
await secrets.set('imap-password', imapPassword);
await secrets.set('zammad-token', zammadToken);
const configs = parseConnectorsConfig(
  {
    connectors: [
      { id: 'mail', kind: 'imap', host: 'vigil-imap.localhost', port: Number(imapPort), tls: 'none', user: imapUser, password: { secret: 'imap-password' }, supportAddresses: ['@help.example.com'] },
      { id: 'zm', kind: 'zammad', baseUrl: `http://zammad.localhost:${zammadPort}`, token: { secret: 'zammad-token' }, startAt: '2026-01-01T00:00:00Z' },
    ],
  },
  'connectors.json',
);
const built = await buildConnectors(configs, { dataDir: join(workDir, 'data'), secrets, egress: new EgressPolicy() });
const events: Record<string, number> = {};
for (const { connector } of built.connectors) {
  const page = await connector.fetchSince(null, AbortSignal.timeout(60_000));
  events[connector.id] = page.events.length;
  await connector.close?.();
}

// The other ways code asks for a .localhost name: none may reach a resolver.
const lookups = [
  await new Promise<string>((resolve, reject) => dns.lookup('api.localhost', { family: 4 }, (err, address) => (err ? reject(err) : resolve(address)))),
  (await dns.promises.lookup('api.localhost', { family: 4 })).address,
];

process.stdout.write(`${JSON.stringify({ dimensions: vectors.map((v) => v.length), events, lookups })}\n`);
