/**
 * A real Request Tracker 5 for the tests, from Debian's `request-tracker5` and `rt5-db-sqlite` packages
 * (`apt-get install -y request-tracker5 rt5-db-sqlite`; `.ci/run` installs them). Each call starts a throwaway
 * instance on a free loopback port: a site config and a SQLite database in a temporary folder (RT's own
 * `rt-setup-database`), rights for customers, auth tokens for an analyst (`root`) and a customer
 * (`alice@example.com`, unprivileged, as customers are), then RT's standalone web server. About 7 s here.
 *
 * Tickets, replies and comments are then made through RT's REST 2.0 API, exactly as the connector reads them.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const RT_LIB = '/usr/share/request-tracker5/lib';
const RT_SERVER = '/usr/share/request-tracker5/libexec/rt-server';
const RT_SETUP_DATABASE = '/usr/sbin/rt-setup-database';
/** Startup is ~2 s here; a minute means it is not going to come up. */
const READY_LIMIT_MS = 60_000;

export const RT_CUSTOMER = 'alice@example.com';

export interface Rt5Server {
  /** `http://127.0.0.1:<port>` (RT at the root path). */
  url: string;
  /** The analyst's (`root`, superuser) REST 2.0 auth token. */
  analystToken: string;
  /** The customer's (`alice@example.com`) auth token. */
  customerToken: string;
  /** A REST 2.0 call; throws with RT's answer when the status is not 2xx. */
  api(method: string, path: string, token: string, body?: unknown): Promise<unknown>;
  /** Creates a ticket as the customer in queue General; returns its id. */
  createTicket(subject: string, content: string): Promise<string>;
  /** A reply: as the customer or as the analyst (plain text unless `contentType` says otherwise). */
  correspond(id: string, content: string, as: 'customer' | 'analyst', contentType?: string): Promise<void>;
  /** An internal comment by the analyst. */
  comment(id: string, content: string): Promise<void>;
  setStatus(id: string, status: string): Promise<void>;
  /** A reply by the analyst that carries only a file, no text (REST 2.0 `Attachments`). */
  correspondWithFile(id: string, filename: string, content: string, type: string): Promise<void>;
  /** Merges ticket `from` into ticket `into` the way RT's web UI does (`RT::Ticket->MergeInto`, as root). */
  merge(from: string, into: string): Promise<void>;
  stop(): Promise<void>;
}

export interface Rt5Options {
  /**
   * RT's \$Timezone, the zone TicketSQL dates are read in when the user has no preference. Debian's package
   * uses the system zone and upstream's default is US/Eastern; default here UTC.
   */
  timezone?: string;
  /** The analyst's (root's) own time zone preference, which wins over \$Timezone. */
  analystTimezone?: string;
}

/** Why RT cannot start here, or null when it is installed. */
export function rt5Missing(): string | null {
  for (const file of [RT_SERVER, RT_SETUP_DATABASE, `${RT_LIB}/RT.pm`]) {
    if (!existsSync(file)) {
      return `Request Tracker 5 is not installed (${file} is missing). Install it with: apt-get install -y request-tracker5 rt5-db-sqlite`;
    }
  }
  return null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function siteConfig(dir: string, port: number, timezone: string): string {
  return `
Set($rtname, 'vigil-test');
Set($Organization, 'vigil.test');
Set($DatabaseType, 'SQLite');
Set($DatabaseName, '${dir}/rt.db');
Set($WebDomain, '127.0.0.1');
Set($WebPort, ${port});
Set($WebPath, '');
Set($WebBaseURL, 'http://127.0.0.1:${port}');
Set($Timezone, '${timezone}');
Set($LogToSyslog, undef);
Set($LogToSTDERR, 'error');
Set($CorrespondAddress, 'rt@vigil.test');
Set($CommentAddress, 'rt-comment@vigil.test');
# Outgoing mail goes to files in the temporary folder, never to a mail server.
Set($MailCommand, 'mbox');
$RT::MasonDataDir = '${dir}/mason';
$RT::MasonSessionDir = '${dir}/sessions';
$RT::VarPath = '${dir}';
1;
`;
}

/** Grants customers the rights to open and answer tickets, and makes one token per test user. */
const setupPerl = (analystTimezone: string | undefined): string => `
use strict; use warnings;
use lib '${RT_LIB}';
use RT; RT::LoadConfig(); RT::Init();
my $everyone = RT::Group->new(RT->SystemUser);
$everyone->LoadSystemInternalGroup('Everyone');
for my $right (qw(CreateTicket ReplyToTicket SeeQueue ShowTicket)) {
  my ($ok, $msg) = $everyone->PrincipalObj->GrantRight(Right => $right, Object => RT->System);
  die "grant $right: $msg\\n" unless $ok;
}
my $customer = RT::User->new(RT->SystemUser);
my ($ok, $msg) = $customer->Create(Name => '${RT_CUSTOMER}', EmailAddress => '${RT_CUSTOMER}', RealName => 'Alice Customer', Privileged => 0);
die "customer: $msg\\n" unless $ok;
${analystTimezone ? `my $root = RT::User->new(RT->SystemUser); $root->Load('root'); my ($tzok, $tzmsg) = $root->SetTimezone('${analystTimezone}'); die "timezone: $tzmsg\\n" unless $tzok;` : ''}
for my $name ('root', '${RT_CUSTOMER}') {
  my $user = RT::User->new(RT->SystemUser);
  $user->Load($name);
  my ($id, $err, $token) = RT::AuthToken->new(RT->SystemUser)->Create(Owner => $user->id, Description => 'vigil tests');
  die "token for $name: $err\\n" unless $id;
  print "TOKEN $name $token\\n";
}
`;

/** Starts a throwaway RT 5 on loopback. Call `stop()` when done (it removes the temporary folder). */
export async function startRt5(options: Rt5Options = {}): Promise<Rt5Server> {
  const missing = rt5Missing();
  if (missing) throw new Error(missing);

  const dir = await mkdtemp(join(tmpdir(), 'vigil-rt5-'));
  await Promise.all([mkdir(join(dir, 'conf.d')), mkdir(join(dir, 'mason')), mkdir(join(dir, 'sessions'))]);
  const port = await freePort();
  await writeFile(join(dir, 'RT_SiteConfig.pm'), siteConfig(dir, port, options.timezone ?? 'UTC'));
  // An empty RT_SiteConfig.d keeps the Debian defaults (its system database under /var/lib) out.
  const env = { ...process.env, RT_SITE_CONFIG: join(dir, 'RT_SiteConfig.pm'), RT_SITE_CONFIG_DIR: join(dir, 'conf.d') };

  let server: ChildProcess | undefined;
  const stop = async (): Promise<void> => {
    if (server && server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((resolve) => server!.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };

  try {
    await run(RT_SETUP_DATABASE, ['--action', 'init', '--skip-create'], { env, cwd: dir });
    await writeFile(join(dir, 'setup.pl'), setupPerl(options.analystTimezone));
    const { stdout } = await run('perl', [join(dir, 'setup.pl')], { env, cwd: dir });
    const tokens = new Map([...stdout.matchAll(/^TOKEN (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
    const analystToken = tokens.get('root');
    const customerToken = tokens.get(RT_CUSTOMER);
    if (!analystToken || !customerToken) throw new Error(`RT setup printed no tokens: ${stdout}`);

    let log = '';
    server = spawn(RT_SERVER, ['--server', process.env.RT_PLACK_SERVER ?? 'Standalone', '--host', '127.0.0.1', '--port', String(port)], {
      env,
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    server.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + READY_LIMIT_MS;
    for (;;) {
      if (server.exitCode !== null) throw new Error(`rt-server exited (${server.exitCode}): ${log.slice(-2000)}`);
      try {
        const r = await fetch(`${url}/REST/2.0/rt`, { headers: { authorization: `token ${analystToken}` } });
        if (r.ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`rt-server did not answer within ${READY_LIMIT_MS / 1000} s: ${log.slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    const api = async (method: string, path: string, token: string, body?: unknown): Promise<unknown> => {
      const r = await fetch(`${url}/REST/2.0${path}`, {
        method,
        headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await r.text();
      if (!r.ok) throw new Error(`RT ${method} ${path}: HTTP ${r.status} ${text}`);
      return text ? (JSON.parse(text) as unknown) : null;
    };

    return {
      url,
      analystToken,
      customerToken,
      api,
      async createTicket(subject, content) {
        // Through REST 2.0 RT does not make the creator a requestor, as its mail gateway does; say it.
        const created = (await api('POST', '/ticket', customerToken, {
          Queue: 'General',
          Requestor: RT_CUSTOMER,
          Subject: subject,
          Content: content,
          ContentType: 'text/plain',
        })) as { id: string };
        return String(created.id);
      },
      async correspond(id, content, as, contentType = 'text/plain') {
        await api('POST', `/ticket/${id}/correspond`, as === 'customer' ? customerToken : analystToken, {
          Content: content,
          ContentType: contentType,
        });
      },
      async comment(id, content) {
        await api('POST', `/ticket/${id}/comment`, analystToken, { Content: content, ContentType: 'text/plain' });
      },
      async setStatus(id, status) {
        await api('PUT', `/ticket/${id}`, analystToken, { Status: status });
      },
      async correspondWithFile(id, filename, content, type) {
        await api('POST', `/ticket/${id}/correspond`, analystToken, {
          Attachments: [{ FileName: filename, FileType: type, FileContent: Buffer.from(content).toString('base64') }],
        });
      },
      async merge(from, into) {
        // REST 2.0 has no merge call; RT's own MergeInto is what the web UI runs.
        const script = join(dir, 'merge.pl');
        await writeFile(
          script,
          `use strict; use warnings; use lib '${RT_LIB}'; use RT; RT::LoadConfig(); RT::Init();\n` +
            `my $root = RT::CurrentUser->new(RT->SystemUser); $root->Load('root');\n` +
            `my $t = RT::Ticket->new($root); $t->Load(${Number(from)});\n` +
            `my ($ok, $msg) = $t->MergeInto(${Number(into)}); die "merge: $msg\\n" unless $ok;\n`,
        );
        await run('perl', [script], { env, cwd: dir });
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
