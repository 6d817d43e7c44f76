/**
 * `meta.json` in a team's data folder: which LanceDB table holds which embedder's vectors, and which table is
 * active. Replaced atomically (write a temporary file, rename), so a switch of embedder is all or nothing.
 */
import { readFile } from 'node:fs/promises';
import { writeJsonAtomic } from '../formats/durableFile';
import { errorMessage } from '../formats/errorMessage';
import { join } from 'node:path';
import { z } from 'zod';

const META_FILE = 'meta.json';

const MetaSchema = z.object({
  format: z.literal(1),
  activeTable: z.string(),
  tables: z.record(
    z.string(),
    z.object({ embedderId: z.string(), dimensions: z.number().int().positive(), createdAt: z.string() }),
  ),
});
export type StoreMeta = z.infer<typeof MetaSchema>;

/** The folder's description, or null for a new folder; a damaged file is an error naming the file and field. */
export async function readMeta(dataDir: string): Promise<StoreMeta | null> {
  const file = join(dataDir, META_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is damaged (${errorMessage(err)}). Restore it from a backup or choose another data folder.`);
  }
  const parsed = MetaSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `${file} is not a Vigil data-folder description (${issue?.path.join('.') || 'file'}: ${issue?.message}). Restore it from a backup or choose another data folder.`,
    );
  }
  return parsed.data;
}

/** Replaces the description atomically and durably (core/formats/durableFile.ts). */
export async function writeMeta(dataDir: string, meta: StoreMeta): Promise<void> {
  const file = join(dataDir, META_FILE);
  await writeJsonAtomic(file, meta);
}
