/**
 * Where a team's data lives by default. The desktop app and the CLI agree on it, so knowledge imported with
 * `vigil kb import` is what the app searches: Electron's userData folder for "Vigil Desktop", then
 * `teams/<team>`. `VIGIL_DATA_DIR` overrides it (tests, portable installs, encrypted volumes).
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

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
