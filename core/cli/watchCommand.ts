/**
 * `vigil watch`: the sync engine headless on live connectors, printing suggestions as they arrive; plus
 * `vigil secrets` (the CLI's secret store) and `vigil connectors` (list and test the configured ones). Usage
 * mistakes print this command's usage and return 2; failures return 1 with a sentence saying why.
 */
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { errorMessage } from '../formats/errorMessage';
import { CopilotService } from '../app/copilotService';
import { appDataDir } from '../formats/dataDir';
import {
  buildConnectors,
  CONNECTORS_FILE,
  loadConnectorsConfig,
  parseConnectorsConfig,
  type ConnectorConfig,
} from '../connectors/registry';
import { readLlmSetting } from '../llm/llmSetting';
import { openTeamLink } from '../team/teamLink';
import { FileSecretStore } from '../secrets/fileSecretStore';
import type { EgressPolicy } from '../net/egress';
import { cliEgress } from './cliEgress';
import { CopilotSink, type DecisionRecord } from './copilotSink';
import { savedSyncStates } from '../watch/syncState';
import type { ConnectorHealth } from '../connectors/connector';
import { Watcher } from '../watch/watcher';
import { usageMessage } from './usage';
import { silentReason } from './analystView';
import { counted } from '../text/counted';
import type { LinkOutcome } from '../learn/sharedLinks';

export const WATCH_USAGE = `Usage:
  vigil watch [--connector ID ...] [--folder PATH] [--once] [--all] [--json] [--learn review|auto] [--offline] [--data-dir DIR]
  vigil connectors list|test [ID ...] [--data-dir DIR]
  vigil connectors note TICKET_ID   (posts standard input as an internal note; needs "writeBack": true)
  vigil secrets set NAME        (reads the value from standard input)
  vigil secrets list|delete NAME [--data-dir DIR]

Connectors are configured in <data folder>/${CONNECTORS_FILE}; see docs/connectors.md.`;

export interface CliOut {
  log: (line: string) => void;
  error: (line: string) => void;
}

class WatchUsageError extends Error {}

function parse<const O extends ParseArgsOptionsConfig>(args: string[], options: O) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new WatchUsageError(errorMessage(err));
  }
}

async function withUsage(out: CliOut, run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof WatchUsageError) {
      out.error(usageMessage('vigil', err.message));
      return 2;
    }
    throw err;
  }
}

function clock(): string {
  return new Date().toTimeString().slice(0, 8);
}

function oneLine(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** How `vigil watch` shows one decision. */
export function describeDecision(record: DecisionRecord): string | null {
  const s = record.suggestion;
  if (s) {
    // As the analyst sees it (core/cli/analystView.ts): one confidence figure, the source it comes from.
    const best = s.citations[0];
    const cites = best ? ` [${best.entryId}${best.sourceTicketId ? `, learned from ${best.sourceTicketId}` : ''}]` : '';
    const head = `${clock()} ${record.ticketId} after message ${s.afterMessageId}:`;
    if (!s.shown) return `${head} (silent: ${silentReason(s.reason)})`;
    return `${head} ${s.kind} (confidence ${Math.round(s.confidence * 100)}%) ${oneLine(s.text)}${cites}`;
  }
  if (record.learned && record.learned.entryIds.length > 0) {
    return `${clock()} ${record.ticketId} closed: learned ${record.learned.entryIds.join(', ')} (${record.learned.status})`;
  }
  return null;
}

/** How `vigil watch` shows what became of the links an analyst's reply shared. */
export function describeLinks(ticketId: string, outcomes: readonly LinkOutcome[]): string[] {
  return outcomes.map((o) => {
    const head = `${clock()} ${ticketId} shared ${o.url}:`;
    if (o.status === 'candidate') return `${head} article candidate ${o.entry.id} "${oneLine(o.entry.title ?? o.url, 80)}" (in the review queue)`;
    if (o.status === 'known') return `${head} already known as ${o.entryId}`;
    return `${head} ${o.status === 'failed' ? 'could not fetch it' : 'not fetched'}: ${o.reason}`;
  });
}

export interface WatchRunOptions {
  dataDir: string;
  connectorIds: string[];
  folder?: string;
  once: boolean;
  all: boolean;
  json: boolean;
  learn: 'review' | 'auto';
  offline: boolean;
}

/** Runs the watcher until `signal` aborts (or, with `once`, until every connector has caught up). */
export async function runWatch(options: WatchRunOptions, out: CliOut, signal?: AbortSignal): Promise<number> {
  let configs = await loadConnectorsConfig(options.dataDir);
  let only = options.connectorIds;
  if (options.folder) {
    if (configs.some((c) => c.id === 'folder')) throw new Error(`--folder uses the connector id "folder", which ${CONNECTORS_FILE} already has; use --connector folder instead.`);
    configs = [...configs, ...parseConnectorsConfig({ connectors: [{ id: 'folder', kind: 'folder', path: resolve(options.folder) }] }, '--folder')];
    if (only.length === 0) only = ['folder'];
  }
  if (configs.length === 0) {
    throw new Error(`No connectors are configured in ${resolve(options.dataDir, CONNECTORS_FILE)}. Add one (docs/connectors.md), or try a folder of ticket files with --folder PATH.`);
  }
  const llm = await readLlmSetting(options.dataDir);
  const egress = cliEgress();
  // The local model through the loopback-only policy; shared links through the process policy, on which the team's
  // documentation hosts are allowed (refused with --offline), as the app does.
  const service = await CopilotService.open({
    dataDir: options.dataDir,
    onProgress: out.error,
    ...(llm ? { llm } : {}),
    ...(egress ? { egress: egress.loopback, linkEgress: egress.policy } : {}),
  });
  const detach = egress?.attach(service.audit);
  let watcher: Watcher | null = null;
  // In a team store (docs/team.md), what this desk learns is shared and the others' learning comes in, as in the app.
  const team = await openTeamLink(options.dataDir, service, { ...(egress ? { egress: egress.policy } : {}), onWarning: out.error }).catch(async (error: unknown) => {
    await service.close();
    throw error;
  });
  try {
    // The connectors' hosts are allowed on the process policy the guard enforces (as the app does).
    const built = await buildConnectors(configs, {
      dataDir: options.dataDir,
      secrets: new FileSecretStore(options.dataDir),
      offline: options.offline,
      only,
      ...(egress ? { egress: egress.policy } : {}),
    });
    if (built.connectors.length === 0) throw new Error(`Every connector in ${CONNECTORS_FILE} is disabled; enable one or name it with --connector ID.`);
    const sink = await CopilotSink.open(service, {
      dataDir: options.dataDir,
      learnPolicy: options.learn,
      onDecision: (record) => {
        if (options.json) return out.log(JSON.stringify(record));
        if (!options.all && record.suggestion && !record.suggestion.shown) return;
        const line = describeDecision(record);
        if (line) out.log(line);
      },
      onLinks: (ticketId, outcomes, error) => {
        if (error !== undefined) out.error(`${ticketId}: could not learn from the shared links: ${errorMessage(error)}`);
        for (const line of describeLinks(ticketId, outcomes)) out.log(line);
      },
    });
    const reported = new Map<string, { error: string | null; issues: number; idle: boolean }>();
    const onHealth = (h: ConnectorHealth): void => {
      const seen = reported.get(h.id) ?? { error: null, issues: 0, idle: false };
      if (h.lastError && h.lastError !== seen.error) out.error(`${h.id}: ${h.lastError}`);
      const fresh = Math.min(h.issues.length, h.issuesTotal - seen.issues);
      for (const issue of h.issues.slice(h.issues.length - fresh)) out.error(`${h.id}: skipped ${issue}`);
      if (h.state === 'idle' && !seen.idle && !options.once) out.error(`${h.id}: caught up (${h.delivered} events); watching for changes`);
      reported.set(h.id, { error: h.lastError, issues: h.issuesTotal, idle: h.state === 'idle' || seen.idle });
    };
    watcher = await Watcher.open({ dataDir: options.dataDir, sink, connectors: built.connectors, redact: built.redact, onHealth });
    out.error(`watching ${built.connectors.map((c) => `${c.connector.id} (${c.connector.kind})`).join(', ')}; data folder ${options.dataDir}`);

    if (options.once) {
      let failed = 0;
      for (const { connector } of built.connectors) {
        try {
          const delivered = await watcher.catchUp(connector.id);
          out.error(`${connector.id}: ${counted(delivered, 'new event')}`);
        } catch (err) {
          failed++;
          out.error(`${connector.id}: gave up: ${built.redact(errorMessage(err))}`);
        }
      }
      // One round before exiting, so what was learned reaches the team now (the outbox keeps it either way).
      if (team !== null && !(await team.syncOnce()).online) out.error(`team store: ${(await team.status()).lastError ?? 'unreachable'}; your changes wait in the outbox`);
      return failed > 0 ? 1 : 0;
    }
    watcher.start();
    await new Promise<void>((resolveWait) => {
      if (signal?.aborted) return resolveWait();
      signal?.addEventListener('abort', () => resolveWait(), { once: true });
    });
    return 0;
  } finally {
    await watcher?.stop();
    await team?.close();
    await detach?.();
    await service.close();
  }
}

/** The process policy of the running command, for `buildConnectors` to allow the connectors' hosts on. */
function egressOption(): { egress: EgressPolicy } | Record<string, never> {
  const egress = cliEgress();
  return egress ? { egress: egress.policy } : {};
}

/** `vigil watch …` */
export function watchCommand(args: string[], out: CliOut): Promise<number> {
  return withUsage(out, async () => {
    const { values } = parse(args, {
      connector: { type: 'string', multiple: true },
      folder: { type: 'string' },
      once: { type: 'boolean', default: false },
      all: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      learn: { type: 'string', default: 'review' },
      offline: { type: 'boolean', default: false },
      'data-dir': { type: 'string' },
    });
    if (values.learn !== 'review' && values.learn !== 'auto') throw new WatchUsageError('--learn must be review or auto');
    const stop = new AbortController();
    const onSignal = (): void => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      return await runWatch(
        {
          dataDir: values['data-dir'] ?? appDataDir(),
          connectorIds: values.connector ?? [],
          ...(values.folder ? { folder: values.folder } : {}),
          once: values.once,
          all: values.all,
          json: values.json,
          learn: values.learn,
          offline: values.offline,
        },
        out,
        stop.signal,
      );
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  });
}

async function readStdin(input: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of input) text += chunk.toString();
  return text.replace(/\r?\n$/, '');
}

/** `vigil secrets set|list|delete`. Values are read from standard input, never from the command line (`ps` shows it). */
export function secretsCommand(args: string[], out: CliOut, input: NodeJS.ReadableStream = process.stdin): Promise<number> {
  return withUsage(out, async () => {
    const [sub, ...rest] = args;
    const { values, positionals } = parse(rest, { 'data-dir': { type: 'string' } });
    const store = new FileSecretStore(values['data-dir'] ?? appDataDir());
    if (sub === 'list') {
      const names = await store.list();
      if (names.length === 0) out.log('no secrets stored');
      names.forEach((n) => out.log(n));
      return 0;
    }
    const [name] = positionals;
    if (!name) throw new WatchUsageError(`secrets ${sub ?? ''} needs a NAME`);
    if (sub === 'set') {
      if ((input as { isTTY?: boolean }).isTTY) out.error(`Type the value of "${name}" and press Ctrl-D:`);
      await store.set(name, await readStdin(input));
      out.log(`stored secret "${name}" in ${store.file}`);
      return 0;
    }
    if (sub === 'delete') {
      out.log((await store.delete(name)) ? `deleted secret "${name}"` : `no secret "${name}"`);
      return 0;
    }
    throw new WatchUsageError(`unknown secrets command "${sub ?? ''}" (use set, list or delete)`);
  });
}

function describeConfig(c: ConnectorConfig): string {
  const where = typeof c['path'] === 'string' ? c['path'] : typeof c['host'] === 'string' ? `${c['host']}${c['port'] ? `:${String(c['port'])}` : ''}` : '';
  return `${c.id}  ${c.kind}${where ? `  ${where}` : ''}${c.enabled ? '' : '  (disabled)'}`;
}

/** `vigil connectors list|test|note`. */
export function connectorsCommand(args: string[], out: CliOut, input: NodeJS.ReadableStream = process.stdin): Promise<number> {
  return withUsage(out, async () => {
    const [sub, ...rest] = args;
    const { values, positionals } = parse(rest, { 'data-dir': { type: 'string' } });
    const dataDir = values['data-dir'] ?? appDataDir();
    const configs = await loadConnectorsConfig(dataDir);
    if (sub === 'list') {
      if (configs.length === 0) out.log(`no connectors in ${resolve(dataDir, CONNECTORS_FILE)}`);
      configs.forEach((c) => out.log(describeConfig(c)));
      return 0;
    }
    if (sub === 'test') {
      const built = await buildConnectors(configs, { dataDir, secrets: new FileSecretStore(dataDir), only: positionals, ...egressOption() });
      let failed = 0;
      for (const { connector } of built.connectors) {
        try {
          await connector.testConnection(AbortSignal.timeout(30_000));
          out.log(`${connector.id}: ok`);
        } catch (err) {
          failed++;
          out.log(`${connector.id}: ${built.redact(errorMessage(err))}`);
        } finally {
          await connector.close?.();
        }
      }
      return failed > 0 ? 1 : 0;
    }
    if (sub === 'note') {
      const [ticketId] = positionals;
      if (!ticketId) throw new WatchUsageError('connectors note needs a TICKET_ID (as printed by vigil watch)');
      const text = (await readStdin(input)).trim();
      if (!text) throw new WatchUsageError('connectors note reads the note from standard input, and it was empty');
      const connectorId = ticketId.slice(0, Math.max(0, ticketId.indexOf(':')));
      const built = await buildConnectors(configs, { dataDir, secrets: new FileSecretStore(dataDir), only: connectorId ? [connectorId] : [], ...egressOption() });
      try {
        await built.postNote(ticketId, text, AbortSignal.timeout(60_000));
      } finally {
        for (const { connector } of built.connectors) await connector.close?.();
      }
      out.log(`posted a note on ${ticketId}`);
      return 0;
    }
    throw new WatchUsageError(`unknown connectors command "${sub ?? ''}" (use list, test or note)`);
  });
}

/** Lines for `vigil status`: each connector's last sync as saved in the data folder. */
export async function describeSyncStates(dataDir: string): Promise<string[]> {
  return (await savedSyncStates(dataDir)).map(
    (s) => `connector ${s.connectorId}: last sync ${s.lastSyncAt ?? 'never'}, ${s.delivered} events delivered${s.lastEventAt ? `, newest from ${s.lastEventAt}` : ''}`,
  );
}
