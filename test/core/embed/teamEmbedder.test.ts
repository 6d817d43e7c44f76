import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TeamEmbedder } from '../../../core/embed/teamEmbedder';
import { dot } from '../../../core/embed/vectorMath';

/**
 * A tiny team's text: "passcode" is only ever said where "password" is (same neighbours), "vpn" where "tunnel" is;
 * the printer talk shares none of their contexts.
 */
const CORPUS = [
  'please reset my password for the portal',
  'please reset my passcode for the portal',
  'i forgot my password and cannot log in',
  'i forgot my passcode and cannot log in',
  'the vpn drops every hour when working from home',
  'the tunnel drops every hour when working from home',
  'vpn connection fails after the update',
  'tunnel connection fails after the update',
  'the printer on floor two is out of toner',
  'the printer jams when printing double sided',
  'toner cartridge for the printer is empty',
];
const SMALL = { dimensions: 8, oversample: 4, subwordBuckets: 4096 };

function wordCosine(embedder: TeamEmbedder, a: string, b: string): number {
  return dot(embedder.wordVector(a)!, embedder.wordVector(b)!);
}

describe('the team embedder', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });

  it('puts words said in the same contexts closer than unrelated words', () => {
    const embedder = TeamEmbedder.train(CORPUS, SMALL);
    expect(wordCosine(embedder, 'password', 'passcode')).toBeGreaterThan(wordCosine(embedder, 'password', 'printer') + 0.3);
    expect(wordCosine(embedder, 'vpn', 'tunnel')).toBeGreaterThan(wordCosine(embedder, 'vpn', 'toner') + 0.3);
  });

  it('puts a request worded with synonyms closer than an unrelated one, with no word in common', async () => {
    const embedder = TeamEmbedder.train(CORPUS, SMALL);
    const [query, synonyms, unrelated] = await embedder.embed(['vpn passcode', 'tunnel password', 'printer toner'], 'query');
    expect(dot(query!, synonyms!)).toBeGreaterThan(dot(query!, unrelated!) + 0.3);
  });

  it('gives a misspelt word it never saw a vector near the word it misspells', () => {
    const embedder = TeamEmbedder.train(CORPUS, SMALL);
    expect(embedder.wordVector('passwrod')).not.toBeNull();
    expect(wordCosine(embedder, 'passwrod', 'password')).toBeGreaterThan(wordCosine(embedder, 'passwrod', 'printer'));
  });

  it('returns unit-length vectors of its declared size', async () => {
    const embedder = TeamEmbedder.train(CORPUS, SMALL);
    const [v] = await embedder.embed(['the vpn fails'], 'document');
    expect(v).toHaveLength(8);
    expect(dot(v!, v!)).toBeCloseTo(1, 5);
  });

  it('learns the same vectors and id from the same text', () => {
    const a = TeamEmbedder.train(CORPUS, SMALL);
    const b = TeamEmbedder.train(CORPUS, SMALL);
    expect(b.id).toBe(a.id);
    expect(Array.from(b.embedOne('vpn drops at home'))).toEqual(Array.from(a.embedOne('vpn drops at home')));
  });

  it('takes a new id when retrained on a grown store, so the index knows it is stale', () => {
    const before = TeamEmbedder.train(CORPUS, SMALL);
    const after = TeamEmbedder.train([...CORPUS, 'the monitor flickers after the update'], SMALL);
    expect(after.id).toMatch(/^team-ppmi-v1:8:[0-9a-f]{12}$/);
    expect(after.id).not.toBe(before.id);
  });

  it('round-trips through its file with the same id and vectors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-team-'));
    dirs.push(dir);
    const file = join(dir, 'team-embedder.bin');
    const trained = TeamEmbedder.train(CORPUS, SMALL);
    await trained.save(file);
    const loaded = await TeamEmbedder.load(file);
    expect(loaded.id).toBe(trained.id);
    expect(Array.from(loaded.embedOne('passwrod reset please'))).toEqual(Array.from(trained.embedOne('passwrod reset please')));
  });

  it('refuses a damaged file, naming it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-team-'));
    dirs.push(dir);
    const file = join(dir, 'team-embedder.bin');
    await TeamEmbedder.train(CORPUS, SMALL).save(file);
    const bytes = await readFile(file);
    bytes[bytes.length - 2] = bytes[bytes.length - 2]! ^ 0xff;
    await writeFile(file, bytes);
    await expect(TeamEmbedder.load(file)).rejects.toThrow(`${file} is not a usable team embedder file: its vectors do not match its id`);
    await writeFile(file, bytes.subarray(0, bytes.length - 4));
    await expect(TeamEmbedder.load(file)).rejects.toThrow(/is cut short|bytes where/);
    await writeFile(file, 'not a model');
    await expect(TeamEmbedder.load(file)).rejects.toThrow(`${file} is not a usable team embedder file: it does not start with the team embedder signature`);
  });
});
