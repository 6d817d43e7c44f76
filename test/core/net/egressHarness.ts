/**
 * Test harness for the egress promise ("customer data never leaves the machine").
 *
 * - `installTripwire()` is the last line of defence under every network test: written independently of the code
 *   under test, it fails any TCP connection or DNS lookup whose target is not literally this machine, so a bug in
 *   the egress policy makes a test fail instead of sending a packet anywhere.
 * - `fullCycleSteps()` is the product's whole offline cycle, step by step (replay with learning, the app's learning
 *   loop, a knowledge pack, a connector sync), run by noEgress.test.ts once under the process guard and once in a
 *   child process under a system-call trace. A new feature that should be covered adds its step here.
 */
import dns from 'node:dns';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CopilotService } from '../../../core/app/copilotService';
import { runReplay } from '../../../core/app/replay';
import { main } from '../../../core/cli/vigil';
import { readPrivateKey, writeKeyPair } from '../../../core/packs/packKeys';
import { loadBanking77, seededShuffle } from '../../bench/banking77Data';

/** Hosts the tripwire lets through: this machine, spelled plainly. Anything cleverer is the policy's job. */
const PLAINLY_LOCAL = new Set(['127.0.0.1', '::1', 'localhost']);

export interface Tripwire {
  /** Targets that got past the policy under test and would have left the machine. */
  readonly reached: string[];
  uninstall(): void;
}

export function installTripwire(): Tripwire {
  const reached: string[] = [];
  const connect = net.Socket.prototype.connect;
  const lookup = dns.lookup;
  const promisesLookup = dns.promises.lookup;
  net.Socket.prototype.connect = function tripwireConnect(this: net.Socket, ...args: unknown[]) {
    const first = args[0];
    const options = (Array.isArray(first) ? first[0] : first) as { host?: unknown; path?: unknown } | number | string;
    const host = typeof options === 'object' && options !== null ? options.host : typeof options === 'number' ? args[1] : undefined;
    const isPath = typeof options === 'string' || (typeof options === 'object' && options !== null && options.path);
    if (!isPath && host !== undefined && !PLAINLY_LOCAL.has(String(host))) {
      reached.push(`tcp ${String(host)}`);
      process.nextTick(() => this.destroy(new Error(`TRIPWIRE: a connection to ${String(host)} got past the egress policy`)));
      return this;
    }
    return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof connect;
  dns.lookup = function tripwireLookup(host: string, ...rest: unknown[]) {
    if (!PLAINLY_LOCAL.has(host)) {
      reached.push(`dns ${host}`);
      const callback = rest.find((r) => typeof r === 'function') as (e: Error) => void;
      process.nextTick(() => callback(new Error(`TRIPWIRE: a DNS lookup of ${host} got past the egress policy`)));
      return;
    }
    return (lookup as (...a: unknown[]) => void)(host, ...rest);
  } as typeof dns.lookup;
  dns.promises.lookup = (async (host: string, ...rest: unknown[]) => {
    if (!PLAINLY_LOCAL.has(host)) {
      reached.push(`dns ${host}`);
      throw new Error(`TRIPWIRE: a DNS lookup of ${host} got past the egress policy`);
    }
    return (promisesLookup as (...a: unknown[]) => Promise<unknown>)(host, ...rest);
  }) as typeof dns.promises.lookup;
  syncBuiltinESMExports();
  return {
    reached,
    uninstall: () => {
      net.Socket.prototype.connect = connect;
      dns.lookup = lookup;
      dns.promises.lookup = promisesLookup;
      syncBuiltinESMExports();
    },
  };
}

/** What the steps share: a work folder and the files and data folder they leave for the next step. */
export interface CycleContext {
  workDir: string;
  dataDir: string;
  /** Filled in by the steps, for the test's assertions. */
  results: Record<string, unknown>;
}

export interface CycleStep {
  name: string;
  run(context: CycleContext): Promise<void>;
}

/** Real tickets: BANKING77 customer questions, each closed with the answer for its intent (../shared/data). */
function bankingTickets(count: number): string[] {
  const rows = seededShuffle(loadBanking77('train'), 11).slice(0, count);
  return rows.map(({ text: question, intent }, i) => {
    return JSON.stringify({
      id: `B-${i}`,
      status: i % 3 === 2 ? 'open' : 'closed',
      requester: 'Maria Lopez',
      messages: [
        { id: '1', author: 'customer', text: `${question} My e-mail is maria.lopez@example.com.` },
        { id: '2', author: 'analyst', text: `This is about ${intent.replace(/_/g, ' ')}: follow the ${intent} procedure in the app.` },
      ],
      resolution: `Follow the ${intent.replace(/_/g, ' ')} procedure in the app settings.`,
    });
  });
}

/** `vigil replay` with learning: decisions after every customer message, learning from every closed ticket. */
export const replayStep: CycleStep = {
  name: 'replay with learning',
  async run(context) {
    const tickets = join(context.workDir, 'tickets.jsonl');
    await writeFile(tickets, `${bankingTickets(30).join('\n')}\n`);
    const knowledge = join(context.workDir, 'entries.jsonl');
    await writeFile(
      knowledge,
      `${JSON.stringify({ id: 'kb-card', kind: 'article', title: 'Card not arrived', body: 'Cards arrive within 7 working days.' })}\n`,
    );
    context.results['replay'] = await runReplay({
      tickets,
      knowledge: [knowledge],
      out: join(context.workDir, 'suggestions.jsonl'),
      dataDir: context.dataDir,
    });
  },
};

/** The desktop app's loop on the same data folder: a ticket closes, the engine learns, the next ticket is helped. */
export const learningStep: CycleStep = {
  name: 'learning from a closed ticket',
  async run(context) {
    const service = await CopilotService.open({ dataDir: context.dataDir });
    try {
      const closed = {
        id: 'L-1',
        status: 'closed' as const,
        subject: 'Printer offline',
        messages: [
          { id: '1', author: 'customer' as const, text: 'The office printer shows offline after the firmware update.' },
          { id: '2', author: 'analyst' as const, text: 'Power-cycle it and re-add it with its IP address.' },
        ],
        resolution: 'Power-cycle the printer and re-add it by IP address after a firmware update.',
      };
      const learned = await service.learnFromClosedTicket(closed, 'review');
      const next = {
        id: 'L-2',
        status: 'open' as const,
        messages: [{ id: '1', author: 'customer' as const, text: 'Our printer says offline since the firmware update.' }],
      };
      const suggestion = await service.assistOnMessage(next, 0);
      const exported = join(context.workDir, 'export.jsonl');
      await service.exportEntries(exported);
      context.results['learning'] = { learned, suggestion, status: await service.status() };
    } finally {
      await service.close();
    }
  },
};

/** Knowledge packs: the team exports a signed pack, and the same copilot verifies, trusts and installs it. */
export const packStep: CycleStep = {
  name: 'knowledge pack export and install',
  async run(context) {
    const keys = await writeKeyPair(join(context.workDir, 'team-key'));
    const file = join(context.workDir, 'team.vpack');
    const service = await CopilotService.open({ dataDir: context.dataDir });
    try {
      const exported = await service.packs.exportTeamPack(file, { name: 'team-cycle', version: '1.0.0', team: 'support', privateKey: await readPrivateKey(keys.privateKey) });
      await service.packs.trustKeyFile(keys.publicKey, 'Our team');
      const installed = await service.packs.install(file);
      context.results['pack'] = { exported, installed, listed: service.packs.list().map((p) => p.name) };
    } finally {
      await service.close();
    }
  },
};

/**
 * A connector sync through the real front door: `vigil watch --once` over a folder of ticket files (the folder
 * connector, the sync engine, suggestions and learning on close). HTTP connectors (RT, Zendesk...) sync from their
 * configured hosts only; their tests run against loopback servers (test/core/connectors).
 */
export const syncStep: CycleStep = {
  name: 'connector sync (vigil watch --once)',
  async run(context) {
    const folder = join(context.workDir, 'queue');
    await mkdir(folder, { recursive: true });
    const tickets = bankingTickets(12).map((line) => JSON.parse(line) as { id: string });
    for (const ticket of tickets) await writeFile(join(folder, `${ticket.id}.json`), JSON.stringify({ ...ticket, id: `W-${ticket.id}` }));
    const lines: string[] = [];
    const out = { log: (l: string) => lines.push(l), error: (l: string) => lines.push(l) };
    const code = await main(['watch', '--folder', folder, '--once', '--learn', 'auto', '--data-dir', context.dataDir], out);
    context.results['sync'] = { code, lines };
  },
};

/** Every step of the offline cycle, in order. */
export function fullCycleSteps(): CycleStep[] {
  return [replayStep, learningStep, packStep, syncStep];
}

/** Runs the steps in a fresh work folder and returns the context. */
export async function runCycle(steps: readonly CycleStep[], workDir?: string): Promise<CycleContext> {
  const dir = workDir ?? (await mkdtemp(join(tmpdir(), 'vigil-cycle-')));
  await mkdir(dir, { recursive: true });
  const context: CycleContext = { workDir: dir, dataDir: join(dir, 'data'), results: {} };
  for (const step of steps) await step.run(context);
  return context;
}
