import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { havePublicData, PUBLIC_DATA, publicDataSkipReason } from './publicData';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('tests that read the public data sets', () => {
  it('look for the sets in ../shared/data beside the clone', () => {
    expect(PUBLIC_DATA).toBe(join(dirname(fileURLToPath(import.meta.url)), '../../../shared/data'));
    expect(havePublicData('banking77', 'abcd')).toBe(existsSync(join(PUBLIC_DATA, 'banking77')) && existsSync(join(PUBLIC_DATA, 'abcd')));
  });

  it('are skipped on a contributor\'s machine only when a set is absent, the reason naming the absent sets', () => {
    vi.stubEnv('CI', 'false');
    const absent = ['banking77', 'dstc11'] as const;
    const missing = absent.filter((set) => !havePublicData(set)).map((set) => `../shared/data/${set}`);
    expect(publicDataSkipReason(absent)).toBe(missing.length === 0 ? null : `needs ${missing.join(', ')}: absent`);
    vi.stubEnv('CI', '');
    expect(publicDataSkipReason(absent)).toBe(missing.length === 0 ? null : `needs ${missing.join(', ')}: absent`);
  });

  it('are never skipped in CI, so data missing there fails them', () => {
    vi.stubEnv('CI', 'true');
    expect(publicDataSkipReason(['banking77', 'abcd', 'dstc11'])).toBeNull();
  });
});
