/**
 * Where a team's data lives by default. The desktop app and the CLI agree on it, so knowledge imported with
 * `vigil kb import` is what the app searches: Electron's userData folder for "Vigil Desktop", then
 * `teams/<team>`. `VIGIL_DATA_DIR` overrides it (tests, portable installs, encrypted volumes), and so does the
 * folder the analyst chose in the app (Settings → Team data folder, kept in `data-folder.json` in the per-user
 * application folder; `electron/main/dataFolderChoice.ts`), which `appDataDir` honours for the CLI too.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { errorMessage } from './errorMessage';

export const APP_NAME = 'Vigil Desktop';

/** The per-user application folder, computed the way Electron's `app.getPath('userData')` does. */
export function userDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return join(env['APPDATA'] ?? join(homedir(), 'AppData', 'Roaming'), APP_NAME);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_NAME);
  return join(env['XDG_CONFIG_HOME'] ?? join(homedir(), '.config'), APP_NAME);
}

/** The data folder of `team`, honouring `VIGIL_DATA_DIR`. */
export function defaultDataDir(team = 'default', env: NodeJS.ProcessEnv = process.env): string {
  const override = env['VIGIL_DATA_DIR'];
  if (override) return override;
  return join(userDataDir(env), 'teams', team);
}

/** The analyst's choice, in the per-user application folder (Electron's userData). */
export const DATA_FOLDER_CHOICE_FILE = 'data-folder.json';

const ChoiceSchema = z.object({
  dataDir: z
    .string()
    .min(1)
    .refine((dir) => isAbsolute(dir), 'must be an absolute path')
    .nullable(),
  chosenAt: z.string().optional(),
});

/** The stored choice: a folder, or null for the default; `warning` when the file could not be used. */
export interface DataFolderChoice {
  dataDir: string | null;
  warning: string | null;
}

/**
 * Reads the choice synchronously: the main process needs it before anything opens, and it is a few bytes. A
 * missing file is the default; a damaged one is the default too, with a warning naming the file and field.
 */
export function readDataFolderChoiceSync(userDataDir: string): DataFolderChoice {
  const file = join(userDataDir, DATA_FOLDER_CHOICE_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { dataDir: null, warning: null };
    return { dataDir: null, warning: `${file} cannot be read (${errorMessage(error)}); Vigil uses the default data folder. Choose the team's folder again in Settings → Team data folder.` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { dataDir: null, warning: `${file} is damaged (${errorMessage(error)}); Vigil uses the default data folder. Choose the team's folder again in Settings → Team data folder.` };
  }
  const parsed = ChoiceSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      dataDir: null,
      warning: `${file}: ${issue?.path.join('.') || 'file'}: ${issue?.message ?? 'invalid'}; Vigil uses the default data folder. Choose the team's folder again in Settings → Team data folder.`,
    };
  }
  return { dataDir: parsed.data.dataDir, warning: null };
}

/**
 * The data folder the desktop app opens, for the CLI: `VIGIL_DATA_DIR`, else the folder the analyst chose in the
 * app, else the default team folder. A damaged choice file gives the default, as in the app (which shows why).
 */
export function appDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env['VIGIL_DATA_DIR']) return env['VIGIL_DATA_DIR'];
  const chosen = readDataFolderChoiceSync(userDataDir(env)).dataDir;
  if (chosen === null) return defaultDataDir('default', env);
  // As the app does: a chosen folder that has gone (a volume not mounted) is never created on the local disk.
  if (!existsSync(chosen)) {
    throw new Error(
      `The team data folder chosen in the app, ${chosen}, is not there (a volume not mounted, a share not connected?). Connect it, or pass --data-dir.`,
    );
  }
  return chosen;
}
