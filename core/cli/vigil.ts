/**
 * The headless front door: `vigil replay`, `vigil kb import|export|search`, `vigil status`. It drives the same
 * CopilotService as the desktop app. Errors are printed as sentences, with the exit code 1; usage errors exit 2.
 */
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { errorMessage } from '../formats/errorMessage';
import { appDataDir } from '../formats/dataDir';
import { readPrivacySettings } from '../privacy/privacySettings';
import { CopilotService, type CopilotOptions } from '../app/copilotService';
import { runReplay, type ReplaySummary } from '../app/replay';
import { writeReplayReport } from '../app/replayReport';
import { AUDIT_USAGE, auditCommand } from './auditCommand';
import { STORE_USAGE, storeCommand } from './storeCommand';
import { TEAM_USAGE, teamCommand, TeamUsageError } from './teamCommand';
import { LINKS_USAGE, linksCommand, LinksUsageError } from './linksCommand';
import { cliEgress, egressScope, startCliEgress } from './cliEgress';
import { formatLineIssue, readJsonl, type LineIssue } from '../formats/jsonl';
import { parseFieldMapping, type FieldMapping } from '../formats/knowledgeImport';
import { skippedByReason } from '../formats/lineIssue';
import { helpCenterSource } from './helpCenterImport';
import { TicketSchema, type Ticket } from '../formats/schemas';
import { createEmbedder } from '../embed/embedderFactory';
import { MODELS_USAGE, modelsCommand, ModelsUsageError } from './modelsCommand';
import { ENTRY_STATUSES, type EntryStatus } from '../knowledge/storedEntry';
import { llmCommand, LlmUsageError } from './llmCommand';
import { readLlmSetting } from '../llm/llmSetting';
import { packCommand } from './packCommand';
import { connectorsCommand, describeSyncStates, secretsCommand, watchCommand } from './watchCommand';
import { REVIEW_USAGE, reviewCommand, type ReviewInput } from './reviewCommand';
import { RULES_USAGE, rulesCommand, RulesUsageError } from './rulesCommand';
import { log, type LogContext } from '../privacy/redactingLogger';
import { usageMessage } from './usage';
import { counted } from '../text/counted';

const USAGE = `vigil: the Vigil Desktop engine, headless.

Usage:
  vigil replay --tickets FILE [--knowledge FILE ...] [--learn auto|off] --out FILE [--data-dir DIR]
               [--embedder ID|builtin [--models-dir DIR]] [--llm MODEL [--ollama-host HOST:PORT]]
               [--review on|off] [--feedback queue|none] [--report FILE.html]
  vigil kb import FILE|FOLDER ... [--map FIELD=COLUMN,...] [--helpdesk CONNECTOR ...] [--data-dir DIR]
  vigil kb export --out FILE [--status approved,proposed,retired] [--data-dir DIR]
  vigil kb search QUERY [--limit N] [--json] [--data-dir DIR]
${REVIEW_USAGE}
  vigil status [--data-dir DIR] [--llm MODEL [--ollama-host HOST:PORT]] [--reset-gate] [--gate-recalibration on|off]
  vigil ask --tickets FILE --ticket ID [--llm MODEL [--ollama-host HOST:PORT]] [--data-dir DIR] QUESTION
  vigil summary --tickets FILE --ticket ID [--llm MODEL [--ollama-host HOST:PORT]] [--data-dir DIR]
  vigil pack keygen|build|sign|inspect|verify|install|remove|list|trust|subscribe|sync ...   (vigil pack help)
${MODELS_USAGE}
  vigil llm use MODEL [--ollama-host HOST] | off | show   the team's local LLM (Ollama), for the app and vigil watch
  vigil watch [--connector ID ...] [--folder PATH] [--once] [--all] [--json] [--learn review|auto] [--data-dir DIR]
  vigil connectors list|test [ID ...]   ·   vigil secrets set|list|delete NAME
${RULES_USAGE}
${AUDIT_USAGE}
${STORE_USAGE}
${TEAM_USAGE}
${LINKS_USAGE}

The data folder is the desktop app's (${appDataDir()}, as chosen in its Settings); set VIGIL_DATA_DIR or --data-dir to change it.
Every command connects only to this machine (Ollama), the configured connectors' hosts and the documentation hosts (vigil links); VIGIL_OFFLINE=1 (or
watch --offline) allows this machine only. Refused connections are printed and kept in the audit log (docs/privacy.md).
Formats: docs/formats.md. Embedding models: models/README.md.`;

class UsageError extends Error {}

type Out = { log: (line: string) => void; error: (line: string, context?: LogContext) => void };
// stdout carries the command's result (what the user asked for); stderr carries diagnostics, which can quote ticket
// text or a connector's error body, so they go through the redacting logger like every other log line.
// eslint-disable-next-line no-restricted-globals -- the one place the CLI prints its results
const consoleOut: Out = { log: (l) => console.log(l), error: (l, context) => log.error(l, context) };

function parse<const O extends ParseArgsOptionsConfig>(args: string[], options: O) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(errorMessage(err));
  }
}

function printIssues(issues: readonly LineIssue[], out: Out): void {
  for (const issue of issues.slice(0, 50)) out.error(`skipped ${formatLineIssue(issue)}`);
  if (issues.length > 50) out.error(`… and ${issues.length - 50} more skipped lines`);
}

/** ` (12 skipped: 10 body is missing, 2 not valid JSON)`: how many records were skipped, by reason. */
function describeSkipped(issues: readonly LineIssue[]): string {
  if (issues.length === 0) return '';
  const reasons = skippedByReason(issues).map(({ reason, count }) => `${count} ${reason}`);
  return ` (${issues.length} skipped: ${reasons.slice(0, 3).join('; ')}${reasons.length > 3 ? '; …' : ''})`;
}

function parseStatuses(value: string | undefined): EntryStatus[] | undefined {
  if (!value) return undefined;
  const statuses = value.split(',').map((s) => s.trim());
  for (const s of statuses) {
    if (!(ENTRY_STATUSES as readonly string[]).includes(s)) {
      throw new UsageError(`--status: unknown status "${s}" (use ${ENTRY_STATUSES.join(', ')})`);
    }
  }
  return statuses as EntryStatus[];
}

/** `--llm MODEL [--ollama-host HOST]` as the service's LLM option. */
function llmOption(model: string | undefined, host: string | undefined): { llm: { model: string; host?: string } } | Record<string, never> {
  if (!model) {
    if (host) throw new UsageError('--ollama-host needs --llm MODEL');
    return {};
  }
  return { llm: { model, ...(host ? { host } : {}) } };
}

async function withService<T>(
  dataDir: string | undefined,
  run: (s: CopilotService) => Promise<T>,
  out: Out,
  extra: Partial<Pick<CopilotOptions, 'llm'>> = {},
): Promise<T> {
  const egress = cliEgress();
  const service = await CopilotService.open({
    dataDir: dataDir ?? appDataDir(),
    onProgress: out.error,
    reindex: 'wait',
    ...(egress ? { egress: egress.loopback } : {}),
    ...extra,
  });
  // Refused connections go into the service's own audit log while it is open (one writer, one chain).
  const detach = egress?.attach(service.audit);
  try {
    return await run(service);
  } finally {
    await detach?.();
    await service.close();
  }
}

function describeSummary(s: ReplaySummary): string[] {
  const reasons = Object.entries(s.suppressedByReason)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');
  return [
    `tickets: ${s.tickets} (${s.customerMessages} customer messages)${s.issues.length ? `; ${s.issues.length} ticket lines skipped` : ''}`,
    `decisions: ${s.decisions}${s.llmDecisions ? ` (${s.llmDecisions} by the LLM stage)` : ''}, shown: ${s.shown}, suppressed: ${s.suppressed}${reasons ? ` (${reasons})` : ''}`,
    ...(s.followups || s.alerts ? [`follow-ups: ${s.followups}, alerts: ${s.alerts}`] : []),
    `entries learned: ${s.entriesLearned} from ${s.ticketsLearnedFrom} closed tickets`,
    `learned during the ticket: ${s.duringTicket.questions} unanswered first questions, ${s.duringTicket.entriesLearned} Q&A entries`,
    `delayed review: ${s.review.tickets} tickets, ${s.review.kept} kept, ${s.review.modified} modified, ${s.review.retired} retired, waited ${s.review.pending} times${s.retiredByFeedback ? ` (and ${s.retiredByFeedback} retired by dismissals)` : ''}`,
    ...(s.review.modified > 0
      ? [`after the review: ${s.review.laterCitingModified.shown} shown answers cited a modified entry, ${s.review.laterCitingModified.sameAsAnalyst} said what the analyst said`]
      : []),
    ...(s.answers.compared > 0 ? [`same answer as the analyst: ${s.answers.sameAsAnalyst} of ${s.answers.compared} shown answers the queue can check`] : []),
    `latency: p50 ${s.latencyMs.p50.toFixed(1)} ms, p95 ${s.latencyMs.p95.toFixed(1)} ms`,
    ...(s.llmLatencyMs ? [`LLM draft latency: p50 ${s.llmLatencyMs.p50.toFixed(0)} ms, p95 ${s.llmLatencyMs.p95.toFixed(0)} ms`] : []),
    `mode: ${s.llm.mode}: ${s.llm.reason}`,
  ];
}

async function replayCommand(args: string[], out: Out): Promise<number> {
  const { values } = parse(args, {
    tickets: { type: 'string' },
    knowledge: { type: 'string', multiple: true },
    learn: { type: 'string', default: 'auto' },
    out: { type: 'string' },
    'data-dir': { type: 'string' },
    llm: { type: 'string' },
    'ollama-host': { type: 'string' },
    embedder: { type: 'string' },
    'models-dir': { type: 'string' },
    review: { type: 'string', default: 'on' },
    feedback: { type: 'string', default: 'none' },
    report: { type: 'string' },
  });
  if (!values.tickets) throw new UsageError('replay needs --tickets FILE');
  if (values.review !== 'on' && values.review !== 'off') throw new UsageError('--review must be on or off');
  if (values.feedback !== 'queue' && values.feedback !== 'none') throw new UsageError('--feedback must be queue or none');
  if (!values.out) throw new UsageError('replay needs --out FILE');
  if (values.learn !== 'auto' && values.learn !== 'off') throw new UsageError('--learn must be auto or off');
  let lastReport = Date.now();
  // A model to measure on the recorded queue (`builtin` or a manifest id); the embedder is checked before replaying.
  const embedder = values.embedder
    ? await createEmbedder(values.embedder, values['models-dir'] ? { modelsDir: values['models-dir'] } : {})
    : undefined;
  const summary = await runReplay({
    ...(embedder ? { embedder } : {}),
    tickets: values.tickets,
    knowledge: values.knowledge ?? [],
    learn: values.learn,
    review: values.review,
    feedback: values.feedback,
    out: values.out,
    ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
    ...llmOption(values.llm, values['ollama-host']),
    onTicket: (done) => {
      if (Date.now() - lastReport > 2000) {
        out.error(`… ${done} tickets replayed`);
        lastReport = Date.now();
      }
    },
  }).finally(() => embedder?.close?.());
  for (const report of summary.imports) {
    printIssues(report.issues, out);
    out.log(`imported ${counted(report.imported, 'entry', 'entries')} from ${report.file}`);
  }
  printIssues(summary.issues, out);
  for (const line of describeSummary(summary)) out.log(line);
  out.log(`decisions written to ${values.out}`);
  if (values.report) {
    await writeReplayReport(values.report, summary, values.tickets);
    out.log(`report written to ${values.report}`);
  }
  return 0;
}

async function kbCommand(args: string[], out: Out, input?: ReviewInput): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'review' || sub === 'history' || sub === 'restore') return reviewCommand(sub, rest, out, input);
  if (sub === 'import') {
    const { values, positionals } = parse(rest, { 'data-dir': { type: 'string' }, map: { type: 'string' }, helpdesk: { type: 'string', multiple: true } });
    const helpdesks = values.helpdesk ?? [];
    if (positionals.length === 0 && helpdesks.length === 0) throw new UsageError('kb import needs a FILE, a FOLDER or --helpdesk CONNECTOR');
    let mapping: FieldMapping | undefined;
    try {
      mapping = values.map ? parseFieldMapping(values.map) : undefined;
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    return withService(
      values['data-dir'],
      async (service) => {
        let total = 0;
        for (const file of positionals) {
          let lastReport = Date.now();
          const report = await service.importEntries(
            file,
            (imported) => {
              if (Date.now() - lastReport < 2000) return;
              out.error(`… ${imported} entries imported from ${file}`);
              lastReport = Date.now();
            },
            mapping ? { mapping } : {},
          );
          printIssues(report.issues, out);
          total += report.imported;
          out.log(`imported ${counted(report.imported, 'entry', 'entries')} from ${file}${describeSkipped(report.issues)}`);
        }
        for (const id of helpdesks) {
          const source = await helpCenterSource(values['data-dir'] ?? appDataDir(), id, new AbortController().signal);
          const report = await service.importEntryStream(source.label, source.read);
          printIssues(report.issues, out);
          total += report.imported;
          out.log(`imported ${counted(report.imported, 'article')} from ${source.label}${describeSkipped(report.issues)}`);
        }
        if (total === 0) {
          out.error('vigil: nothing was imported (see the skipped lines above; formats: docs/formats.md, "Importing knowledge").');
          return 1;
        }
        return 0;
      },
      out,
    );
  }
  if (sub === 'export') {
    const { values } = parse(rest, { out: { type: 'string' }, status: { type: 'string' }, 'data-dir': { type: 'string' } });
    if (!values.out) throw new UsageError('kb export needs --out FILE');
    const file = values.out;
    const statuses = parseStatuses(values.status);
    return withService(
      values['data-dir'],
      async (service) => {
        const result = await service.exportEntries(file, statuses);
        out.log(`exported ${result.exported} entries to ${file}`);
        return 0;
      },
      out,
    );
  }
  if (sub === 'search') {
    const { values, positionals } = parse(rest, {
      limit: { type: 'string', default: '5' },
      json: { type: 'boolean', default: false },
      'data-dir': { type: 'string' },
    });
    const query = positionals.join(' ').trim();
    if (!query) throw new UsageError('kb search needs a QUERY');
    const limit = Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new UsageError('--limit must be a whole number from 1 to 100');
    return withService(
      values['data-dir'],
      async (service) => {
        const hits = await service.knowledge.searchKnowledge(query, limit);
        if (values.json) hits.forEach((hit) => out.log(JSON.stringify(hit)));
        else if (hits.length === 0) out.log('no matching knowledge');
        else {
          // The score shown is the one that orders the list (rank fusion of words and meaning), so it always
          // decreases down the list; the similarity cited in suggestions is in --json as `score`.
          out.log('relevance  kind    id  title');
          for (const hit of hits) {
            const head = hit.title ?? hit.question ?? hit.body;
            out.log(`${hit.relevance.toFixed(4).padEnd(9)}  ${hit.kind.padEnd(7)} ${hit.id}  ${head.replace(/\s+/g, ' ').slice(0, 100)}`);
          }
        }
        return 0;
      },
      out,
    );
  }
  throw new UsageError(`unknown kb command "${sub ?? ''}" (use import, export, search, review, history or restore)`);
}

async function statusCommand(args: string[], out: Out): Promise<number> {
  const { values } = parse(args, {
    'data-dir': { type: 'string' },
    llm: { type: 'string' },
    'ollama-host': { type: 'string' },
    'reset-gate': { type: 'boolean' },
    'gate-recalibration': { type: 'string' },
  });
  const recalibrate = values['gate-recalibration'];
  if (recalibrate !== undefined && recalibrate !== 'on' && recalibrate !== 'off') throw new UsageError('--gate-recalibration must be on or off');
  // Without --llm, the model the team chose (`vigil llm use`), as the app and `vigil watch` use it.
  const saved = values.llm ? null : await readLlmSetting(values['data-dir'] ?? appDataDir());
  const extra = saved ? { llm: saved } : llmOption(values.llm, values['ollama-host']);
  return withService(
    values['data-dir'],
    async (service) => {
      const s = await service.status();
      out.log(`data folder: ${s.dataDir}`);
      out.log(`embedder: ${s.embedderId} (${s.dimensions} dimensions)`);
      out.log(`entries: ${s.entries} (approved ${s.byStatus.approved}, proposed ${s.byStatus.proposed}, retired ${s.byStatus.retired})`);
      if (saved) out.log(`local LLM: ${saved.model}${saved.host ? ` at ${saved.host}` : ''} (chosen with \`vigil llm use\`)`);
      out.log(`mode: ${s.llm.mode}: ${s.llm.reason}`);
      if (s.vectorIndex) out.log(`vector index: ${s.vectorIndex.entries} in memory (${(s.vectorIndex.bytes / 2 ** 20).toFixed(1)} MB, ${s.vectorIndex.kernel} scan)`);
      // The team's gate recalibration from feedback (core/feedback/gateCalibration.ts): switched, reset, then shown.
      if (recalibrate !== undefined) await service.learning.setGateRecalibration(recalibrate === 'on');
      if (values['reset-gate']) await service.resetGateRecalibration();
      out.log(`confidence gate: ${service.gateCalibration().summary}`);
      for (const line of await describeSyncStates(s.dataDir)) out.log(line);
      if (s.lastWriteError) out.error(s.lastWriteError);
      return 0;
    },
    out,
    extra,
  );
}

async function findTicket(file: string, id: string, out: Out): Promise<Ticket> {
  const issues: LineIssue[] = [];
  for await (const { value } of readJsonl(file, TicketSchema, (i) => issues.push(i))) {
    if (value.id === id) return value;
  }
  printIssues(issues, out);
  throw new Error(`Ticket ${id} is not in ${file}${issues.length ? ` (${issues.length} lines could not be read)` : ''}.`);
}

/** `vigil ask` and `vigil summary`: help on request about one ticket, streamed when a local model runs. */
async function askCommand(kind: 'ask' | 'summary', args: string[], out: Out): Promise<number> {
  const { values, positionals } = parse(args, {
    tickets: { type: 'string' },
    ticket: { type: 'string' },
    'data-dir': { type: 'string' },
    llm: { type: 'string' },
    'ollama-host': { type: 'string' },
  });
  if (!values.tickets || !values.ticket) throw new UsageError(`${kind} needs --tickets FILE and --ticket ID`);
  const question = positionals.join(' ').trim();
  if (kind === 'ask' && !question) throw new UsageError('ask needs a QUESTION');
  const ticket = await findTicket(values.tickets, values.ticket, out);
  return withService(
    values['data-dir'],
    async (service) => {
      const answer = kind === 'ask' ? await service.askAboutTicket(ticket, question) : await service.summarizeTicket(ticket);
      out.log(answer.text);
      for (const c of answer.citations) out.log(`  cites ${c.entryId} (${c.kind}${c.sourceTicketId ? `, from ${c.sourceTicketId}` : ''}, ${c.score})`);
      if (answer.note) out.error(answer.note);
      return 0;
    },
    out,
    llmOption(values.llm, values['ollama-host']),
  );
}

/**
 * Runs the CLI with `argv` (without node and script); returns the exit code. The whole command runs under the
 * process egress guard (cliEgress.ts): loopback and the configured connectors' hosts only, refusals logged.
 */
export async function main(argv: string[], out: Out = consoleOut, input?: ReviewInput): Promise<number> {
  const scope = egressScope(argv.slice(1), appDataDir());
  // Offline mode switched on in the app (Settings → Privacy) holds for every `vigil` command on that folder too.
  const saved = await readPrivacySettings(scope.dataDir).catch((error: unknown) => {
    out.error(`vigil: ${errorMessage(error)} Until it is fixed, offline mode is as --offline or VIGIL_OFFLINE say.`);
    return null;
  });
  const egress = startCliEgress(scope.dataDir, scope.offline || saved?.offline === true, out);
  try {
    return await runCommand(argv, out, input);
  } finally {
    await egress.finish();
  }
}

async function runCommand(argv: string[], out: Out, input?: ReviewInput): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'replay':
        return await replayCommand(rest, out);
      case 'kb':
        return await kbCommand(rest, out, input);
      case 'status':
        return await statusCommand(rest, out);
      case 'ask':
      case 'summary':
        return await askCommand(command, rest, out);
      case 'pack':
        return await packCommand(rest, out);
      case 'llm':
        return await llmCommand(rest, out).catch((err: unknown) => {
          throw err instanceof LlmUsageError ? new UsageError(err.message) : err;
        });
      case 'models':
        return await modelsCommand(rest, out).catch((err: unknown) => {
          throw err instanceof ModelsUsageError ? new UsageError(err.message) : err;
        });
      case 'watch':
        return await watchCommand(rest, out);
      case 'connectors':
        return await connectorsCommand(rest, out);
      case 'secrets':
        return await secretsCommand(rest, out);
      case 'audit':
        return await auditCommand(rest, out);
      case 'rules':
        return await rulesCommand(rest, out, (dataDir, run) => withService(dataDir, run, out)).catch((err: unknown) => {
          throw err instanceof RulesUsageError ? new UsageError(err.message) : err;
        });
      case 'store':
        return await storeCommand(rest, out);
      case 'team':
        return await teamCommand(rest, out).catch((err: unknown) => {
          throw err instanceof TeamUsageError ? new UsageError(err.message) : err;
        });
      case 'links':
        return await linksCommand(rest, out).catch((err: unknown) => {
          throw err instanceof LinksUsageError ? new UsageError(err.message) : err;
        });
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        out.log(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      out.error(usageMessage('vigil', err.message));
      return 2;
    }
    out.error(`vigil: ${errorMessage(err)}`);
    return 1;
  }
}
