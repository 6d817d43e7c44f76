/**
 * Writes the sample team's knowledge (samples/abcd-team/knowledge.jsonl) from the ABCD guidelines in
 * ../shared/data/abcd: the subflows a small web shop's support desk meets every day, one article each, exactly as
 * the benchmarks read them (test/bench/abcdData.ts). Run it again only when that reading changes:
 *
 *   npx tsx test/demo/sampleTeamBuilder.ts
 *
 * The sample's tickets (samples/abcd-team/tickets.jsonl) are written by hand for it, not generated.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { abcdArticles } from '../bench/abcdData';
import { SAMPLE_TEAM_DIR } from './sampleTeam';

/** The sample's subflows: account access, refunds and returns, promo codes, shipping, the site, the account. */
const SAMPLE_SUBFLOWS = [
  'Recover Username',
  'Recover Password',
  'Reset Two-Factor Auth',
  'Initiate Refund',
  'Refund Status',
  'Return Due to Size',
  'Promo Code Invalid',
  'Promo Code Out of Date',
  'Shipping Status',
  'Missing Item',
  'Manage Change Address',
  'Cart Not Updating',
  'Invalid Credit Card',
  'Search Not Working',
  'Website Too Slow',
  'Membership FAQ',
];


const wanted = new Set(SAMPLE_SUBFLOWS.map((s) => `abcd-${s.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`));
const articles = abcdArticles().filter((a) => wanted.has(a.id));
if (articles.length !== SAMPLE_SUBFLOWS.length) throw new Error(`Found ${articles.length} of ${SAMPLE_SUBFLOWS.length} subflows in the guidelines.`);
await writeFile(join(SAMPLE_TEAM_DIR, 'knowledge.jsonl'), `${articles.map((a) => JSON.stringify(a)).join('\n')}\n`);
process.stdout.write(`${articles.length} articles written to ${join(SAMPLE_TEAM_DIR, 'knowledge.jsonl')}\n`);
