/**
 * A technical-forum set (issue 16's "IT-forum questions, accepted solutions (long, noisy text)"), made from Stack
 * Exchange data dumps and kept outside the project like every real data set.
 *
 * Source: the `Posts.xml` of five Stack Exchange sites' official data dumps (archive.org/details/stackexchange), as
 * copies of them are published in public GitHub repositories (the repositories hold only the dump file; the content
 * is the sites' users'):
 *
 * | site | repository, path | posts of |
 * |---|---|---|
 * | iot.stackexchange.com | dmaharana/Clusteringex, `iot.stackexchange.com/Posts.xml` | 2016-12 to 2017-03 |
 * | gadgets.stackexchange.com (AskAboutGadgets, Area 51, closed 2010) | collapsed-stacks/gadgets, `data/main/posts.xml` | 2010-07 to 2010-09 |
 * | stackoverflow.com (its first days) | PoorvaRane/Tag-Prediction, `Posts_small.xml` | 2008-07 to 2008-08 |
 * | ai.stackexchange.com | bigdata-vandy/stack-ex, `src/test/resources/Posts.xml` | 2016-08 to 2016-12 |
 * | quantumcomputing.stackexchange.com | Jean-Low/StackERedes, `data/Posts.xml` | 2018-03 to 2018-09 |
 *
 * Licence: user contributions to Stack Exchange are CC BY-SA, the version by the post's date (2.5 before 2011-04-08,
 * 3.0 before 2018-05-02, 4.0 since: stackoverflow.com/help/licensing), with attribution: the site, a link to the
 * question, the authors. Each question and answer here keeps its site and link (`url`); the authors are on the
 * linked pages. The data is used for measurement only and not redistributed.
 *
 * Make the file (`--from site=location`, repeated; a location is a `Posts.xml` file, a folder that holds one, or a
 * git directory and a path in its HEAD, `git-dir:path`):
 *
 *   npm run data:forum -- --out ../shared/data/forum/forum.json \
 *     --from iot.stackexchange.com=<Clusteringex git dir>:iot.stackexchange.com/Posts.xml \
 *     --from gadgets.stackexchange.com=<gadgets git dir>:data/main/posts.xml \
 *     --from stackoverflow.com=<Tag-Prediction git dir>:Posts_small.xml \
 *     --from ai.stackexchange.com=<stack-ex git dir>:src/test/resources/Posts.xml \
 *     --from quantumcomputing.stackexchange.com=<StackERedes git dir>:data/Posts.xml
 *
 * The benchmarks read it from `--forum <file>`, else `VIGIL_FORUM_DATA`, else `../shared/data/forum/forum.json`.
 *
 * What is kept: every question (title and body) whose accepted answer is in the dump, with that answer; for the
 * other questions, their best answer (highest score, at least 1) as a solution that no query asks for. Text is the
 * posts' HTML turned into plain text (paragraphs, list items, code blocks kept as lines; links by their text; images
 * dropped), otherwise as written: long, with code, logs and asides.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the set is looked for when neither `--forum` nor `VIGIL_FORUM_DATA` names a file. */
export const FORUM_DEFAULT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/data/forum/forum.json');

/** One forum question, cleaned to plain text. */
export interface ForumQuestion {
  site: string;
  id: string;
  title: string;
  body: string;
  /** The accepted answer's id when the dump holds it, else null. */
  acceptedAnswerId: string | null;
  url: string;
  licence: string;
}

/** One answer kept as a solution: a question's accepted answer, or the best answer of a question without one. */
export interface ForumAnswer {
  site: string;
  id: string;
  questionId: string;
  accepted: boolean;
  score: number;
  body: string;
  url: string;
  licence: string;
}

/** The file `npm run data:forum` writes. */
export interface ForumCorpus {
  format: 'vigil-forum/1';
  /** Where each site's posts were read from, and how many questions and solutions were kept. */
  sources: { site: string; from: string; questions: number; accepted: number; best: number }[];
  questions: ForumQuestion[];
  answers: ForumAnswer[];
}

/** A `<row>` of a Stack Exchange `Posts.xml`, its attributes decoded. */
export type PostRow = Record<string, string>;

const NAMED: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  times: '×',
  copy: '©',
  reg: '®',
  trade: '™',
  deg: '°',
};

/** Decodes character references in one pass (`&amp;lt;` becomes `&lt;`, not `<`); unknown names are left as written. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED[ref.toLowerCase()] ?? whole;
  });
}

/** The rows of a `Posts.xml`, each with its attributes decoded; `source` names the file in errors. */
export function parsePostsXml(xml: string, source: string): PostRow[] {
  if (!/<posts[\s>]/.test(xml)) throw new Error(`${source}: not a Stack Exchange Posts.xml (no <posts> element).`);
  const rows: PostRow[] = [];
  for (const match of xml.matchAll(/<row\b((?:\s+[\w:-]+\s*=\s*"[^"]*")*)\s*\/>/g)) {
    const row: PostRow = {};
    for (const [, name, value] of (match[1] ?? '').matchAll(/([\w:-]+)\s*=\s*"([^"]*)"/g)) row[name as string] = decodeEntities(value as string);
    rows.push(row);
  }
  return rows;
}

/**
 * A post's HTML as plain text: paragraphs, headings, quotes and code blocks on their own lines, list items as
 * "- " lines, links by their text, images dropped, everything else (inline code, emphasis) as its text.
 */
export function htmlToText(html: string): string {
  const text = html
    .replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, '')
    .replace(/<img\b[^>]*>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<hr\s*\/?>/gi, '\n\n')
    .replace(/<li\b[^>]*>/gi, '\n- ')
    .replace(/<\/(p|div|h[1-6]|blockquote|pre|ul|ol|table|tr)>/gi, '\n\n')
    .replace(/<(p|div|h[1-6]|blockquote|pre|ul|ol|table|tr)\b[^>]*>/gi, '\n')
    .replace(/<\/t[dh]>/gi, ' ')
    .replace(/<[^>]+>/g, '');
  return decodeEntities(text)
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(/[ \t\u00a0]+$/g, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** The CC BY-SA version a Stack Exchange post is under, by its creation date (stackoverflow.com/help/licensing). */
export function licenceOf(creationDate: string): string {
  if (creationDate < '2011-04-08') return 'CC BY-SA 2.5';
  if (creationDate < '2018-05-02') return 'CC BY-SA 3.0';
  return 'CC BY-SA 4.0';
}

/**
 * A site's questions and solutions: each question with its accepted answer when the dump holds it, else with its
 * best answer (highest score, at least `minBestScore`) as a solution no query asks for. Questions without a title,
 * a body or a solution, and answers that clean to nothing, are left out.
 */
export function pairPosts(rows: readonly PostRow[], site: string, minBestScore = 1): { questions: ForumQuestion[]; answers: ForumAnswer[] } {
  const answersOf = new Map<string, PostRow[]>();
  for (const row of rows) {
    if (row['PostTypeId'] !== '2' || !row['ParentId'] || !row['Id']) continue;
    const list = answersOf.get(row['ParentId']) ?? [];
    list.push(row);
    answersOf.set(row['ParentId'], list);
  }
  const questions: ForumQuestion[] = [];
  const answers: ForumAnswer[] = [];
  const host = `https://${site}`;
  for (const row of rows) {
    const id = row['Id'];
    if (row['PostTypeId'] !== '1' || !id) continue;
    const title = htmlToText(row['Title'] ?? '');
    const body = htmlToText(row['Body'] ?? '');
    if (!title || !body) continue;
    const candidates = (answersOf.get(id) ?? []).map((a) => ({ row: a, body: htmlToText(a['Body'] ?? ''), score: Number(a['Score'] ?? 0) })).filter((a) => a.body);
    const accepted = candidates.find((a) => a.row['Id'] === row['AcceptedAnswerId']);
    const best = accepted ?? [...candidates].sort((a, b) => b.score - a.score || Number(a.row['Id']) - Number(b.row['Id']))[0];
    const solution = accepted ?? (best && best.score >= minBestScore ? best : undefined);
    if (!solution) continue;
    const answerId = solution.row['Id'] as string;
    questions.push({ site, id, title, body, acceptedAnswerId: accepted ? answerId : null, url: `${host}/questions/${id}`, licence: licenceOf(row['CreationDate'] ?? '') });
    answers.push({
      site,
      id: answerId,
      questionId: id,
      accepted: solution === accepted,
      score: solution.score,
      body: solution.body,
      url: `${host}/a/${answerId}`,
      licence: licenceOf(solution.row['CreationDate'] ?? ''),
    });
  }
  return { questions, answers };
}

/** Thrown when the set's file is absent: the message says how to make it. */
export class ForumDataMissing extends Error {}

/** The set's file: `--forum`, else `VIGIL_FORUM_DATA`, else the default beside the other shared data. */
export function forumPath(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(flag ?? env['VIGIL_FORUM_DATA'] ?? FORUM_DEFAULT);
}

/** Reads and checks the set's file; absent, a `ForumDataMissing` that says how to make it; malformed, an error naming the file and field. */
export function loadForum(path: string): ForumCorpus {
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new ForumDataMissing(
      `The forum set is not at ${path}. It is made from public Stack Exchange dumps (test/bench/forumData.ts says which, and BENCHMARKS.md how): ` +
        '`npm run data:forum -- --out <file> --from <site>=<Posts.xml> ...`, then pass `--forum <file>` or set VIGIL_FORUM_DATA.',
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: not JSON (${(error as Error).message}).`);
  }
  const corpus = raw as Partial<ForumCorpus>;
  if (corpus.format !== 'vigil-forum/1') throw new Error(`${path}: field "format" is ${JSON.stringify(corpus.format)}, expected "vigil-forum/1".`);
  if (!Array.isArray(corpus.questions)) throw new Error(`${path}: field "questions" is not a list.`);
  if (!Array.isArray(corpus.answers)) throw new Error(`${path}: field "answers" is not a list.`);
  corpus.questions.forEach((q, i) => {
    for (const field of ['site', 'id', 'title', 'body'] as const) {
      if (typeof q[field] !== 'string' || !q[field]) throw new Error(`${path}: questions[${i}].${field} is missing or not text.`);
    }
  });
  corpus.answers.forEach((a, i) => {
    for (const field of ['site', 'id', 'questionId', 'body'] as const) {
      if (typeof a[field] !== 'string' || !a[field]) throw new Error(`${path}: answers[${i}].${field} is missing or not text.`);
    }
  });
  return corpus as ForumCorpus;
}

/** Reads a location: a `Posts.xml` file, a folder that holds one (`Posts.xml` or `posts.xml`), or `git-dir:path`. */
export function readLocation(location: string, readGit: (gitDir: string, path: string) => string): string {
  const colon = location.lastIndexOf(':');
  if (colon > 0) {
    const gitDir = location.slice(0, colon);
    if (existsSync(join(gitDir, 'HEAD')) || existsSync(join(gitDir, '.git', 'HEAD'))) {
      return readGit(existsSync(join(gitDir, 'HEAD')) ? gitDir : join(gitDir, '.git'), location.slice(colon + 1));
    }
  }
  if (!existsSync(location)) throw new Error(`${location}: no such file, folder or git directory.`);
  if (statSync(location).isDirectory()) {
    const file = ['Posts.xml', 'posts.xml'].map((name) => join(location, name)).find((p) => existsSync(p));
    if (!file) throw new Error(`${location}: the folder holds no Posts.xml.`);
    return readFileSync(file, 'utf8');
  }
  return readFileSync(location, 'utf8');
}
