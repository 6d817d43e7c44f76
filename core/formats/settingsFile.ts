/**
 * The data folder's `settings.json`: the team's choices that every front door must agree on (the embedder, the
 * local LLM). Each part owns one top-level key and keeps the others untouched; writes replace the file atomically.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import { writeJsonAtomic } from './durableFile';
import { errorMessage } from './errorMessage';

const SETTINGS_FILE = 'settings.json';

export function settingsFile(dataDir: string): string {
  return join(dataDir, SETTINGS_FILE);
}

/** The whole settings file as an object; `{}` when there is none. */
async function readSettings(dataDir: string): Promise<{ file: string; text: string; settings: Record<string, unknown> }> {
  const file = settingsFile(dataDir);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { file, text: '', settings: {} };
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}:1: (file): not valid JSON (${errorMessage(err)}). Fix or delete the file (it holds the data folder's settings).`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new Error(`${file}:1: (file): must be a JSON object. Fix or delete the file (it holds the data folder's settings).`);
  }
  return { file, text, settings: json as Record<string, unknown> };
}

function lineOf(text: string, needle: string): number {
  const at = text.indexOf(needle);
  return at < 0 ? 1 : text.slice(0, at).split('\n').length;
}

/**
 * One key's value, validated; null when the key is absent. A bad value is an error naming the file, line and
 * field, and `fix` (how to set it again).
 */
export async function readSetting<S extends z.ZodType>(dataDir: string, key: string, schema: S, fix: string): Promise<z.output<S> | null> {
  const { file, text, settings } = await readSettings(dataDir);
  if (settings[key] === undefined) return null;
  const parsed = schema.safeParse(settings[key]);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = [key, ...issue.path.map(String)].join('.');
    throw new Error(`${file}:${lineOf(text, `"${key}"`)}: ${field}: ${issue.message}. ${fix}`);
  }
  return parsed.data;
}

/** Sets (or, with `undefined`, removes) one key, keeping every other setting; atomic replace. */
export async function writeSetting(dataDir: string, key: string, value: unknown): Promise<void> {
  const { file, settings } = await readSettings(dataDir);
  if (value === undefined) delete settings[key];
  else settings[key] = value;
  await writeJsonAtomic(file, settings);
}
