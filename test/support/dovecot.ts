/**
 * A real Dovecot IMAP server on loopback for the IMAP connector's tests: a throwaway configuration in a temporary
 * folder (users from a passwd-file, Maildir storage, plain-text login allowed on 127.0.0.1 only, a free high
 * port). As root it runs its services as the `dovecot`/`dovenull` users the Debian package creates; as another
 * user it runs everything as that user, so no root is needed. CI installs it with `apt-get install dovecot-imapd`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { ImapConnectorOptions } from '../../core/connectors/imapConnector';
import { EgressPolicy } from '../../core/net/egress';

const CANDIDATES = ['/usr/sbin/dovecot', '/usr/local/sbin/dovecot', '/opt/homebrew/sbin/dovecot'];

/** The dovecot binary, or null when it is not installed here. */
export function findDovecot(): string | null {
  return CANDIDATES.find((p) => existsSync(p)) ?? null;
}

/**
 * Why the IMAP tests are skipped on this machine, or null when they must run. In CI (`CI` or
 * `VIGIL_REQUIRE_DOVECOT` set) they always run, so a missing Dovecot fails them instead of skipping them unseen.
 */
export function dovecotSkipReason(env: NodeJS.ProcessEnv = process.env): string | null {
  if (findDovecot() || env['CI'] || env['VIGIL_REQUIRE_DOVECOT']) return null;
  return 'Dovecot is not installed here (install it with `apt-get install dovecot-imapd`); the IMAP tests need a real server and are skipped. CI installs it.';
}

export interface DovecotUser {
  user: string;
  password: string;
}

export interface DovecotServer {
  host: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
  /** The server's log, for failing tests. */
  log(): Promise<string>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function idsOf(name: string): { uid: number; gid: number } | null {
  const result = spawnSync('id', ['-u', name]);
  const group = spawnSync('id', ['-g', name]);
  if (result.status !== 0 || group.status !== 0) return null;
  return { uid: Number(result.stdout.toString().trim()), gid: Number(group.stdout.toString().trim()) };
}

async function waitForGreeting(port: number, child: ChildProcess, logFile: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) break;
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port });
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString().startsWith('* OK'));
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const log = await readFile(logFile, 'utf8').catch(() => '(no log)');
  throw new Error(`Dovecot did not start on 127.0.0.1:${port}. Its log:\n${log}`);
}

/** Starts Dovecot with the given users; `stop()` it in `afterAll`. */
export async function startDovecot(users: readonly DovecotUser[]): Promise<DovecotServer> {
  const binary = findDovecot();
  if (!binary) throw new Error(dovecotSkipReason()!);
  const dir = await mkdtemp(join(tmpdir(), 'vigil-dovecot-'));
  const port = await freePort();
  const me = userInfo();
  const asRoot = me.uid === 0;
  // Dovecot refuses to run mail processes as root, so as root the package's own users serve.
  const mailUser = asRoot ? idsOf('dovecot') : { uid: me.uid, gid: me.gid };
  if (!mailUser) throw new Error('Running as root but the `dovecot` user does not exist: reinstall the dovecot-core package.');
  const internalUser = asRoot ? 'dovecot' : me.username;
  const loginUser = asRoot ? 'dovenull' : me.username;

  for (const sub of ['run', 'state', 'home']) await mkdir(join(dir, sub));
  if (asRoot) {
    await chmod(dir, 0o711); // the auth process (user dovecot) must reach the users file
    await chown(join(dir, 'home'), mailUser.uid, mailUser.gid);
  }
  await writeFile(join(dir, 'users'), users.map((u) => `${u.user}:{PLAIN}${u.password}::::::\n`).join(''));
  const logFile = join(dir, 'dovecot.log');
  const config = `
base_dir = ${join(dir, 'run')}
state_dir = ${join(dir, 'state')}
log_path = ${logFile}
instance_name = vigil-test-${port}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = ${internalUser}
default_internal_group = ${asRoot ? 'dovecot' : (spawnSync('id', ['-gn']).stdout.toString().trim() || internalUser)}
default_login_user = ${loginUser}
first_valid_uid = ${mailUser.uid}
first_valid_gid = ${Math.min(mailUser.gid, 1)}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${join(dir, 'users')}
}
userdb {
  driver = static
  args = uid=${mailUser.uid} gid=${mailUser.gid} home=${join(dir, 'home')}/%u
}
mail_location = maildir:~/Maildir
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service stats {
  unix_listener stats-reader {
    mode = 0600
  }
  unix_listener stats-writer {
    mode = 0660
  }
}
`;
  const configFile = join(dir, 'dovecot.conf');
  await writeFile(configFile, config);
  const child = spawn(binary, ['-F', '-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    await waitForGreeting(port, child, logFile);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n${stderr}`);
  }
  return {
    host: '127.0.0.1',
    port,
    dir,
    log: () => readFile(logFile, 'utf8'),
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The options of an `ImapConnector` on `server` as `user`, for the team address `@help.example.com`, offline
 * (loopback only) unless `extra` says otherwise.
 */
export function imapTestOptions(server: DovecotServer, user: DovecotUser, extra: Partial<ImapConnectorOptions> = {}): ImapConnectorOptions {
  return {
    id: 'mail',
    host: server.host,
    port: server.port,
    tls: 'none',
    user: user.user,
    password: user.password,
    mailbox: 'INBOX',
    supportAddresses: ['@help.example.com'],
    draftsMailbox: 'Drafts',
    egress: new EgressPolicy({ offline: true }),
    ...extra,
  };
}
