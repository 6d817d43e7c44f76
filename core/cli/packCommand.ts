/**
 * `vigil pack …`: signed knowledge packs from the command line (docs/packs.md). Commands on files (keygen, build
 * from entry files, sign, inspect) need no data folder; the others go through CopilotService on the team's data
 * folder, like the desktop app's settings. Usage mistakes exit 2 with the pack usage; refusals throw (exit 1).
 */
import { readFile } from 'node:fs/promises';
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { writeFileAtomic } from '../formats/durableFile';
import { errorMessage } from '../formats/errorMessage';
import { withService } from './withService';
import { formatLineIssue, readJsonl, type LineIssue } from '../formats/jsonl';
import { ENTRY_KINDS, EntrySchema, type Entry, type EntryKind } from '../formats/schemas';
import { ENTRY_STATUSES, type EntryStatus } from '../knowledge/storedEntry';
import { exportPack, type ExportOptions } from '../packs/packExport';
import { checkPack, DEFAULT_MAX_PACK_BYTES, PackNameSchema, parseHeader, PackError, readPackFile, resignPack } from '../packs/packFormat';
import { keyIdOf, readPrivateKey, readPublicKey, writeKeyPair } from '../packs/packKeys';
import type { RedactionCounts } from '../packs/packRedaction';
import type { ScanReport } from '../packs/packSubscriptions';
import type { TrustedKey } from '../packs/trustList';
import { forTerminal, stripInvisible } from '../text/unicode';
import type { RuleSpec } from '../formats/ruleSpec';
import { parseRule } from '../rules/ruleFile';
import { usageMessage } from './usage';

export const PACK_USAGE = `vigil pack: signed knowledge packs (docs/packs.md).

Publishing:
  vigil pack keygen --out BASE                    writes BASE.private.pem (mode 0600) and BASE.public.pem
  vigil pack build --name NAME --version X.Y.Z --team TEAM --out FILE
                   [--entries FILE ...] [--key PRIVATE.pem] [--description TEXT] [--rules RULES.json]
                   [--tag TAG ...] [--kind article,qa,case] [--status approved,...] [--since DATE] [--until DATE]
                   [--redact-term WORD ...] [--no-redaction] [--data-dir DIR]
                   without --entries, exports the team's own knowledge (approved entries by default)
  vigil pack sign FILE --key PRIVATE.pem [--out FILE]
  vigil pack inspect FILE [--entries]
  vigil pack verify FILE [--key PUBLIC.pem] [--data-dir DIR]

Installing (on the team's data folder):
  vigil pack install FILE ... | remove NAME | list [--json]
  vigil pack trust add PUBLIC.pem --name NAME [--packs NAME,...] [--team TEAM] | trust list | trust remove KEY-ID|NAME
                   --packs: the only pack names the key may publish (granted to it even if another key claimed them);
                   without it, any name no other key has claimed (a name is claimed by its first trusted publisher)
  vigil pack subscribe FOLDER NAME ... | unsubscribe FOLDER [NAME ...] | subscriptions | sync
  (each takes [--data-dir DIR])`;

class PackUsageError extends Error {}

type Out = { log: (line: string) => void; error: (line: string) => void };

function parse<const O extends ParseArgsOptionsConfig>(args: string[], options: O) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new PackUsageError(errorMessage(err));
  }
}

function required(value: string | undefined, what: string): string {
  if (!value) throw new PackUsageError(what);
  return value;
}

function list<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T[] | undefined {
  if (!value) return undefined;
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) throw new PackUsageError(`${flag}: unknown value "${item}" (use ${allowed.join(', ')})`);
  }
  return items as T[];
}

function describeCounts(counts: RedactionCounts): string {
  return Object.entries(counts)
    .map(([kind, n]) => `${n} ${kind}`)
    .join(', ');
}

function printRedactions(redacted: { id: string; counts: RedactionCounts }[], out: Out): void {
  for (const r of redacted.slice(0, 50)) out.error(`redacted in ${r.id}: ${describeCounts(r.counts)}`);
  if (redacted.length > 50) out.error(`… and ${redacted.length - 50} more entries redacted`);
}

function printScan(reports: ScanReport[], out: Out): void {
  for (const report of reports) {
    if (report.unreachable) out.error(report.unreachable);
    for (const i of report.installed) {
      out.log(i.outcome === 'upgraded' ? `upgraded ${i.pack.name} ${i.previousVersion} → ${i.pack.version} from ${i.file}` : `installed ${i.pack.name} ${i.pack.version} from ${i.file}`);
    }
    for (const r of report.refused) out.error(`refused ${r.file}: ${r.message}`);
    if (!report.unreachable && report.installed.length === 0 && report.refused.length === 0) out.log(`${report.folder}: up to date`);
  }
}

/**
 * Interest rules to ship in a pack: a JSON array of rules, or a rules file as `vigil rules` keeps it
 * (`{"format": 1, "rules": [...]}`). Each is checked, naming the file, the rule and the field.
 */
async function readRulesFile(file: string): Promise<RuleSpec[]> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not valid JSON (${(err as Error).message})`}.`);
  }
  const list = Array.isArray(raw) ? raw : (raw as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(list)) throw new Error(`${file}: expected an array of rules, or {"format": 1, "rules": [...]}.`);
  return list.map((rule, i) => parseRule(rule, `${file}: rule ${i + 1}`));
}

async function build(args: string[], out: Out): Promise<number> {
  const { values } = parse(args, {
    name: { type: 'string' },
    version: { type: 'string' },
    team: { type: 'string' },
    description: { type: 'string' },
    out: { type: 'string' },
    entries: { type: 'string', multiple: true },
    key: { type: 'string' },
    tag: { type: 'string', multiple: true },
    kind: { type: 'string' },
    status: { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
    'redact-term': { type: 'string', multiple: true },
    'no-redaction': { type: 'boolean', default: false },
    'data-dir': { type: 'string' },
    rules: { type: 'string' },
  });
  const file = required(values.out, 'pack build needs --out FILE');
  const rules = values.rules ? await readRulesFile(values.rules) : [];
  const options: ExportOptions = {
    name: required(values.name, 'pack build needs --name NAME'),
    version: required(values.version, 'pack build needs --version X.Y.Z'),
    team: required(values.team, 'pack build needs --team TEAM'),
    filters: {
      ...(values.tag ? { tags: values.tag } : {}),
      ...(values.kind ? { kinds: list<EntryKind>(values.kind, ENTRY_KINDS, '--kind') } : {}),
      ...(values.status ? { statuses: list<EntryStatus>(values.status, ENTRY_STATUSES, '--status') } : {}),
      ...(values.since ? { since: values.since } : {}),
      ...(values.until ? { until: values.until } : {}),
    },
    redact: !values['no-redaction'],
    redactTerms: values['redact-term'] ?? [],
    ...(values.description ? { description: values.description } : {}),
    ...(rules.length > 0 ? { rules } : {}),
    ...(values.key ? { privateKey: await readPrivateKey(values.key) } : {}),
  };
  const report = (r: { entries: number; considered: number; redacted: { id: string; counts: RedactionCounts }[]; signed: string | null }): number => {
    printRedactions(r.redacted, out);
    out.log(`wrote ${file}: pack ${options.name} ${options.version}, ${r.entries} of ${r.considered} entries, ${r.signed ? `signed by key ${r.signed}` : `unsigned (sign it with \`vigil pack sign ${file} --key KEY\`)`}`);
    return 0;
  };

  if (values.entries && values.entries.length > 0) {
    const issues: LineIssue[] = [];
    const entries: Entry[] = [];
    for (const source of values.entries) {
      for await (const { value } of readJsonl(source, EntrySchema, (issue) => issues.push(issue))) entries.push(value);
    }
    for (const issue of issues) out.error(`skipped ${formatLineIssue(issue)}`);
    const result = await exportPack(entries, options);
    await writeFileAtomic(file, result.bytes);
    return report({ entries: result.selected, considered: result.considered, redacted: result.redacted, signed: options.privateKey ? keyIdOf(options.privateKey) : null });
  }
  return withService(values['data-dir'], out, async (service) => {
    const result = await service.packs.exportTeamPack(file, options);
    return report({ ...result, signed: result.signedBy });
  });
}

async function inspect(args: string[], out: Out): Promise<number> {
  const { values, positionals } = parse(args, { entries: { type: 'boolean', default: false } });
  const file = required(positionals[0], 'pack inspect needs a FILE');
  const bytes = await readPackFile(file, DEFAULT_MAX_PACK_BYTES);
  const { manifest, signature } = parseHeader(bytes, file);
  // Everything below comes from the file, which nobody vouches for yet: printed one line each, no control characters.
  const t = forTerminal;
  out.log(`pack: ${t(manifest.name)} ${t(manifest.version)}${manifest.description ? ` (${t(manifest.description)})` : ''}`);
  out.log(`team: ${t(manifest.team)}, created ${t(manifest.created)}`);
  out.log(`entries: ${manifest.entries} (${bytes.length - bytes.indexOf(0x0a) - 1} bytes, sha256 ${t(manifest.entriesSha256)})`);
  out.log(`signature: ${signature ? `ed25519, key ${t(signature.keyId)}` : 'none (unsigned)'}`);
  if (manifest.rules?.length) out.log(`rules: ${manifest.rules.map((r) => t(r.id)).join(', ')} (signed with the manifest)`);
  const checked = checkPack(bytes, file, { allowUnsigned: true }); // throws, naming the problem, when it does not hold
  out.log(`integrity: ${signature ? 'signature valid, ' : ''}entries match the manifest`);
  if (values.entries) {
    for (const { entry } of checked.entries) out.log(`  ${entry.kind.padEnd(7)} ${t(entry.id)}  ${t(entry.title ?? entry.question ?? entry.body).replace(/\s+/g, ' ').slice(0, 90)}`);
  }
  return 0;
}

async function verifyCommand(args: string[], out: Out): Promise<number> {
  const { values, positionals } = parse(args, { key: { type: 'string' }, 'data-dir': { type: 'string' } });
  const file = required(positionals[0], 'pack verify needs a FILE');
  if (values.key) {
    const expected = await readPublicKey(values.key);
    const pack = checkPack(await readPackFile(file), file);
    if (pack.signature?.publicKey !== expected) {
      throw new PackError('untrusted_signer', `${file}: pack ${pack.manifest.name} ${pack.manifest.version} is signed by key ${pack.signature?.keyId}, not by ${values.key} (key ${keyIdOf(expected)}).`);
    }
    out.log(`${file}: pack ${pack.manifest.name} ${pack.manifest.version} verified: ${pack.manifest.entries} entries intact, signed by key ${keyIdOf(expected)} (${values.key})`);
    return 0;
  }
  return withService(values['data-dir'], out, async (service) => {
    const summary = await service.packs.verify(file);
    const head = `${file}: pack ${summary.name} ${summary.version} verified: ${summary.entries} entries intact, signed by key ${summary.keyId}`;
    if (summary.trustedAs) {
      out.log(`${head}, trusted as "${forTerminal(summary.trustedAs)}"`);
      return 0;
    }
    out.log(head);
    out.error(`the key ${summary.keyId} is not in this team's trust list: \`vigil pack install\` would refuse it`);
    return 1;
  });
}

/** What a trusted key may publish, as `trust add` and `trust list` say it. */
function describeScope(key: TrustedKey): string {
  const packs = key.packs ? `packs ${key.packs.map(forTerminal).join(', ')}` : 'any pack name not claimed by another key';
  return `; may publish ${packs}${key.team !== undefined ? ` of team ${forTerminal(key.team)}` : ''}`;
}

async function trust(args: string[], out: Out): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parse(rest, { name: { type: 'string' }, packs: { type: 'string' }, team: { type: 'string' }, 'data-dir': { type: 'string' } });
  return withService(values['data-dir'], out, async (service) => {
    if (sub === 'add') {
      const file = required(positionals[0], 'pack trust add needs a PUBLIC.pem file');
      const packs = values.packs?.split(',').map((p) => p.trim()).filter(Boolean);
      for (const name of packs ?? []) {
        const check = PackNameSchema.safeParse(name);
        if (!check.success) throw new PackUsageError(`--packs: "${name}" is not a pack name: ${check.error.issues[0]?.message}`);
      }
      const scope = { ...(packs ? { packs } : {}), ...(values.team ? { team: values.team } : {}) };
      const { key, added } = await service.packs.trustKeyFile(file, required(values.name, 'pack trust add needs --name NAME (whose key it is)'), scope);
      out.log(`${added ? 'trusted' : 'already trusted:'} key ${key.id} as "${key.name}"${describeScope(key)}`);
      return 0;
    }
    if (sub === 'list') {
      const keys = await service.packs.trustedKeys();
      if (keys.length === 0) out.log('no trusted keys: packs cannot be installed until one is added (`vigil pack trust add`)');
      for (const k of keys) out.log(`${k.id}  ${forTerminal(k.name)}  (added ${k.addedAt})${describeScope(k)}`);
      return 0;
    }
    if (sub === 'remove') {
      const key = await service.packs.untrustKey(required(positionals[0], 'pack trust remove needs a KEY-ID or NAME'));
      out.log(`no longer trusting key ${key.id} ("${key.name}"); packs it signed are not searched until it is trusted again`);
      return 0;
    }
    throw new PackUsageError(`unknown pack trust command "${sub ?? ''}" (use add, list or remove)`);
  });
}

async function onDataFolder(command: string, args: string[], out: Out): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: 'boolean', default: false }, 'data-dir': { type: 'string' } });
  if (command === 'install' && positionals.length === 0) throw new PackUsageError('pack install needs at least one FILE');
  if (command === 'remove' && positionals.length !== 1) throw new PackUsageError('pack remove needs one NAME');
  if (command === 'subscribe' && positionals.length < 2) throw new PackUsageError('pack subscribe needs a FOLDER and at least one pack NAME');
  if (command === 'unsubscribe' && positionals.length < 1) throw new PackUsageError('pack unsubscribe needs a FOLDER');
  return withService(values['data-dir'], out, async (service) => {
    switch (command) {
      case 'install': {
        let failed = 0;
        for (const file of positionals) {
          try {
            const r = await service.packs.install(file);
            if (r.outcome === 'unchanged') out.log(`${r.pack.name} ${r.pack.version} is already installed`);
            else if (r.outcome === 'repaired') out.log(`reinstalled ${r.pack.name} ${r.pack.version}, whose installed copy was damaged`);
            else if (r.outcome === 'upgraded') out.log(`upgraded ${r.pack.name} ${r.previousVersion} → ${r.pack.version} (${r.pack.entries} entries, signed by ${forTerminal(r.pack.signer)}, key ${r.pack.keyId})`);
            else out.log(`installed ${r.pack.name} ${r.pack.version} (${r.pack.entries} entries, signed by ${forTerminal(r.pack.signer)}, key ${r.pack.keyId})`);
          } catch (err) {
            if (!(err instanceof PackError)) throw err;
            out.error(`vigil: refused: ${err.message}`);
            failed++;
          }
        }
        return failed > 0 ? 1 : 0;
      }
      case 'remove': {
        const pack = await service.packs.remove(positionals[0]!);
        out.log(`removed ${pack.name} ${pack.version}`);
        return 0;
      }
      case 'list': {
        const packs = service.packs.list();
        if (values.json) packs.forEach((p) => out.log(JSON.stringify(p)));
        else if (packs.length === 0) out.log('no packs installed');
        else for (const p of packs) out.log(`${p.name} ${p.version}  ${p.entries} entries  team ${forTerminal(p.team)}  signed by ${forTerminal(p.signer)} (key ${p.keyId})${p.problem ? `  NOT SEARCHED: ${forTerminal(p.problem)}` : ''}`);
        return 0;
      }
      case 'subscribe': {
        const [folder, ...names] = positionals as [string, ...string[]];
        const s = await service.packs.subscribe(folder, names);
        out.log(`subscribed to ${s.packs.join(', ')} in ${s.folder}; the app installs newer versions as they appear (or run \`vigil pack sync\`)`);
        return 0;
      }
      case 'unsubscribe': {
        const [folder, ...names] = positionals as [string, ...string[]];
        const s = await service.packs.unsubscribe(folder, names);
        out.log(s ? `still subscribed to ${s.packs.join(', ')} in ${s.folder}` : `no longer watching ${folder}`);
        return 0;
      }
      case 'subscriptions': {
        const subs = await service.packs.listSubscriptions();
        if (subs.length === 0) out.log('no subscriptions');
        for (const s of subs) out.log(`${s.folder}: ${s.packs.join(', ')}`);
        return 0;
      }
      default: {
        const reports = await service.packs.syncSubscriptions();
        if (reports.length === 0) out.log('no subscriptions (`vigil pack subscribe FOLDER NAME`)');
        printScan(reports, out);
        return reports.some((r) => r.refused.length > 0) ? 1 : 0;
      }
    }
  });
}

/**
 * Runs `vigil pack ARGS`; returns the exit code. Refusals and failures are thrown for `main` to print (exit 1).
 * Packs, the files on a share and their names are untrusted: every line printed, and every refusal thrown, has its
 * control characters removed, so a pack cannot clear the screen, retitle the window or draw a fake "VERIFIED OK"
 * (a security review did all three through `pack inspect` and `pack list`).
 */
export async function packCommand(args: string[], out: Out): Promise<number> {
  const safe: Out = { log: (line) => out.log(stripInvisible(line).replace(/\r/g, '')), error: (line) => out.error(stripInvisible(line).replace(/\r/g, '')) };
  try {
    return await runPackCommand(args, safe);
  } catch (err) {
    if (err instanceof PackError) throw new PackError(err.code, forTerminal(err.message));
    if (err instanceof Error) err.message = forTerminal(err.message);
    throw err;
  }
}

async function runPackCommand(args: string[], out: Out): Promise<number> {
  const [sub, ...rest] = args;
  try {
    switch (sub) {
      case 'keygen': {
        const { values } = parse(rest, { out: { type: 'string' } });
        const made = await writeKeyPair(required(values.out, 'pack keygen needs --out BASE (file names without extension)'));
        out.log(`key ${made.keyId}: private key ${made.privateKey} (keep it secret; mode 0600), public key ${made.publicKey} (give it to the teams that install your packs)`);
        return 0;
      }
      case 'build':
        return await build(rest, out);
      case 'sign': {
        const { values, positionals } = parse(rest, { key: { type: 'string' }, out: { type: 'string' } });
        const file = required(positionals[0], 'pack sign needs a FILE');
        const key = await readPrivateKey(required(values.key, 'pack sign needs --key PRIVATE.pem'));
        const target = values.out ?? file;
        await writeFileAtomic(target, resignPack(await readPackFile(file), file, key));
        out.log(`signed ${target} with key ${keyIdOf(key)}`);
        return 0;
      }
      case 'inspect':
        return await inspect(rest, out);
      case 'verify':
        return await verifyCommand(rest, out);
      case 'trust':
        return await trust(rest, out);
      case 'install':
      case 'remove':
      case 'list':
      case 'subscribe':
      case 'unsubscribe':
      case 'subscriptions':
      case 'sync':
        return await onDataFolder(sub, rest, out);
      case undefined:
      case 'help':
      case '--help':
        out.log(PACK_USAGE);
        return sub === undefined ? 2 : 0;
      default:
        throw new PackUsageError(`unknown pack command "${sub}"`);
    }
  } catch (err) {
    if (err instanceof PackUsageError) {
      out.error(usageMessage('vigil', err.message, 'vigil pack help'));
      return 2;
    }
    throw err;
  }
}
