/**
 * The public data sets beside the clone (../shared/data, README and licences there) and the rule for tests that
 * read them: a contributor who cloned without ../shared sees those tests skipped, with the reason in their title;
 * CI, which provides ../shared, always runs them, so data that goes missing there fails loudly (ENOENT) instead
 * of silently skipping.
 */
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, it, type TestFunction } from 'vitest';
import { ABCD_DIR } from '../bench/abcdData';
import { BANKING77_DIR } from '../bench/banking77Data';
import { DSTC11_DIR } from '../bench/dstc11Data';

const SET_DIRS = { banking77: BANKING77_DIR, abcd: ABCD_DIR, dstc11: DSTC11_DIR } as const;

/** A data set folder under {@link PUBLIC_DATA}. */
export type PublicDataSet = keyof typeof SET_DIRS;

/** Absolute path of ../shared/data beside the project root (the parent of the data loaders' set folders). */
export const PUBLIC_DATA = dirname(BANKING77_DIR);

/** True when every named set's folder exists under {@link PUBLIC_DATA}. */
export function havePublicData(...sets: PublicDataSet[]): boolean {
  return sets.every((set) => existsSync(SET_DIRS[set]));
}

/** CI as the usual runners set it (`CI=true`/`1`); unset, empty, `false` or `0` is a contributor's machine. */
function inCi(): boolean {
  const ci = process.env['CI'];
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}

/**
 * Why tests needing `sets` are skipped here, e.g. "needs ../shared/data/banking77: absent", or null when they run:
 * the data is present, or `CI` is set (then a missing set is not skipped and the tests fail with ENOENT).
 */
export function publicDataSkipReason(sets: readonly PublicDataSet[]): string | null {
  if (inCi()) return null;
  const missing = sets.filter((set) => !havePublicData(set));
  return missing.length === 0 ? null : `needs ${missing.map((set) => `../shared/data/${set}`).join(', ')}: absent`;
}

/**
 * `describe` for a suite that reads the public data sets `sets`. Skipped, its title saying which set is absent,
 * when a set's folder is missing and `CI` is not set; with `CI` set it always runs, so a missing set fails the
 * suite with ENOENT as before. The body still runs to collect the tests even when skipped: load data in
 * `beforeAll` or inside the tests, never in the body itself.
 */
export function describeWithData(sets: readonly PublicDataSet[], name: string, fn: () => void): void {
  const reason = publicDataSkipReason(sets);
  describe.skipIf(reason !== null)(reason === null ? name : `${name} (${reason})`, fn);
}

/**
 * `it` for one test that reads the public data sets `sets`, in a file whose other tests need no data (they keep
 * running). Skipped with the reason in its title under the same rule as {@link describeWithData}: never when
 * `CI` is set, so a missing set then fails the test with ENOENT.
 */
export function itWithData(sets: readonly PublicDataSet[], name: string, fn: TestFunction, timeout?: number): void {
  const reason = publicDataSkipReason(sets);
  it.skipIf(reason !== null)(reason === null ? name : `${name} (${reason})`, fn, timeout);
}
