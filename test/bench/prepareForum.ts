/**
 * Makes the forum set's file (forumData.ts says from what, under which licence) out of Stack Exchange `Posts.xml`
 * dumps: every question with its accepted answer, and the best answer of the others, cleaned to plain text.
 *
 *   npm run data:forum -- --out <file> --from <site>=<location> [--from ...]
 *
 * A location is a `Posts.xml` file, a folder that holds one, or `<git-dir>:<path>` (a file of that git directory's
 * HEAD). The file is written outside the project (real data stays out of it); forumData.ts's JSDoc has the command
 * with the sources used in BENCHMARKS.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pairPosts, parsePostsXml, readLocation, type ForumCorpus } from './forumData';

const readGit = (gitDir: string, path: string): string => {
  try {
    return execFileSync('git', ['--git-dir', gitDir, 'show', `HEAD:${path}`], { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    throw new Error(`${gitDir}: cannot read ${path} from HEAD (${String((error as { stderr?: string }).stderr ?? error).trim()}).`);
  }
};

/** Reads every source and pairs its posts; one site may be given once. */
export function prepareForum(from: readonly string[], read: typeof readGit = readGit): ForumCorpus {
  const corpus: ForumCorpus = { format: 'vigil-forum/1', sources: [], questions: [], answers: [] };
  const seen = new Set<string>();
  for (const spec of from) {
    const eq = spec.indexOf('=');
    const site = eq > 0 ? spec.slice(0, eq).trim() : '';
    const location = spec.slice(eq + 1);
    if (!/^[a-z0-9.-]+\.[a-z]+$/i.test(site)) throw new Error(`--from ${spec}: expected <site host>=<location>, e.g. iot.stackexchange.com=Posts.xml.`);
    if (seen.has(site)) throw new Error(`--from ${spec}: site ${site} is given twice.`);
    seen.add(site);
    const { questions, answers } = pairPosts(parsePostsXml(readLocation(location, read), location), site);
    corpus.questions.push(...questions);
    corpus.answers.push(...answers);
    const accepted = answers.filter((a) => a.accepted).length;
    corpus.sources.push({ site, from: location, questions: questions.length, accepted, best: answers.length - accepted });
  }
  return corpus;
}

function main(): void {
  const { values } = parseArgs({ options: { from: { type: 'string', multiple: true }, out: { type: 'string' } } });
  if (!values.out || !values.from?.length) {
    console.error('usage: npm run data:forum -- --out <file> --from <site>=<Posts.xml | folder | git-dir:path> [--from ...]');
    process.exitCode = 2;
    return;
  }
  try {
    const corpus = prepareForum(values.from);
    const out = resolve(values.out);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(corpus)}\n`);
    for (const s of corpus.sources) console.log(`${s.site}: ${s.questions} questions, ${s.accepted} accepted answers, ${s.best} best answers (${s.from})`);
    console.log(`${out}: ${corpus.questions.length} questions, ${corpus.answers.length} solutions`);
  } catch (error) {
    console.error(`data:forum: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) main();
