/**
 * The team store's settings (`team.json` in the data folder): where the team's shared knowledge lives (an
 * `s3://bucket/prefix` URI with its endpoint and region, or a shared folder's path), the analyst's name for
 * provenance, and the NAMES of the secrets holding the store's access key and secret key. The keys themselves live
 * in the secret store (the OS keychain in the app), never in this file.
 */
import { join } from 'node:path';
import { unlink } from 'node:fs/promises';
import { z } from 'zod';
import { readJsonFile, writeJsonAtomic } from '../formats/durableFile';
import type { SecretStore } from '../secrets/secretStore';
import { SECRET_NAME_PATTERN } from '../secrets/secretStore';

/** The file name of the team store's settings inside the data folder. */
export const TEAM_CONFIG_FILE = 'team.json';

/** The secret names `vigil team init|join` uses for the store's keys unless told otherwise. */
export const DEFAULT_ACCESS_KEY_SECRET = 'team-store-access-key';
/** See DEFAULT_ACCESS_KEY_SECRET. */
export const DEFAULT_SECRET_KEY_SECRET = 'team-store-secret-key';

const SecretName = z.string().regex(SECRET_NAME_PATTERN, 'a secret name: letters, digits, ".", "_" or "-"');

/** team.json, validated. `uri` is `s3://bucket/prefix` or an absolute path to a shared folder. */
export const TeamConfigSchema = z
  .object({
    version: z.literal(1),
    uri: z.string().min(1),
    analyst: z.string().min(1).max(200),
    endpoint: z.url().optional(),
    region: z.string().min(1).optional(),
    accessKeySecret: SecretName.optional(),
    secretKeySecret: SecretName.optional(),
    joinedAt: z.string(),
    /**
     * This copy's writer id, set when it joins: its operations' ids begin with it, so its own writes are told from a
     * colleague's even when both give the same name. Absent in folders joined before it existed: the name decides.
     */
    writer: z.string().regex(/^[A-Za-z0-9-]{8,64}$/, 'letters, digits and "-", 8 to 64 of them').optional(),
    /** When the folder's personal knowledge was merged into the store (`vigil team join --merge`): once only. */
    mergedAt: z.string().optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    const s3 = config.uri.startsWith('s3://');
    if (!s3 && !config.uri.startsWith('/')) {
      ctx.addIssue({ code: 'custom', path: ['uri'], message: 'give s3://bucket/prefix or an absolute path to a shared folder' });
    }
    if (s3 && !/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[^\s]*)?$/.test(config.uri)) {
      ctx.addIssue({ code: 'custom', path: ['uri'], message: `"${config.uri}" is not an s3://bucket/prefix URI` });
    }
    if (s3 && (config.accessKeySecret === undefined || config.secretKeySecret === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['accessKeySecret'], message: 'an s3:// team store needs the names of its access key and secret key secrets' });
    }
  });

/** A team store's settings. */
export type TeamConfig = z.output<typeof TeamConfigSchema>;

/** Where team.json lives in `dataDir`. */
export function teamConfigPath(dataDir: string): string {
  return join(dataDir, TEAM_CONFIG_FILE);
}

/** The data folder's team settings, or null when it is a personal folder (no team.json). */
export async function readTeamConfig(dataDir: string): Promise<TeamConfig | null> {
  return readJsonFile(teamConfigPath(dataDir), TeamConfigSchema.nullable(), null);
}

/** Validates team settings; a bad field is an error naming it. */
export function parseTeamConfig(config: TeamConfig): TeamConfig {
  const parsed = TeamConfigSchema.safeParse(config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`team settings: ${issue?.path.join('.') || 'value'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/** Validates and writes team.json durably; a bad field is an error naming it. */
export async function writeTeamConfig(dataDir: string, config: TeamConfig): Promise<void> {
  await writeJsonAtomic(teamConfigPath(dataDir), parseTeamConfig(config));
}

/** Removes team.json (leaving the team); the local cache and outbox stay, so nothing written is lost. */
export async function removeTeamConfig(dataDir: string): Promise<boolean> {
  try {
    await unlink(teamConfigPath(dataDir));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** Whether the store is on object storage (else a shared folder). */
export function isObjectStore(config: TeamConfig): boolean {
  return config.uri.startsWith('s3://');
}

/**
 * The one endpoint (host and port) the app reaches for this team store, or null for a shared folder (no network
 * connection of the app's own). A store without an endpoint would reach AWS's regional host, which is refused: the
 * admin names the endpoint, so the allow-list says exactly what the app may reach.
 */
export function teamEndpoint(config: TeamConfig): { host: string; port: number } | null {
  if (!isObjectStore(config)) return null;
  if (config.endpoint === undefined) throw new Error('team settings: endpoint: an s3:// team store needs its endpoint (https://host:port)');
  const url = new URL(config.endpoint);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port: url.port ? Number(url.port) : url.protocol === 'http:' ? 80 : 443 };
}

/** An endpoint as people write it: `host:port`, an IPv6 host in brackets. */
export function formatEndpoint(endpoint: { host: string; port: number }): string {
  return `${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}`;
}

/**
 * LanceDB's storage options for the store: endpoint, region and keys read from the secret store. Timeouts are
 * short because the store is only reached in the background (decisions never wait on it) and an unreachable store
 * must show as "offline" quickly rather than hold a sync round for the object store client's default 30 s.
 */
export async function teamStorageOptions(config: TeamConfig, secrets: SecretStore): Promise<Record<string, string>> {
  if (!isObjectStore(config)) return {};
  const endpoint = config.endpoint;
  if (endpoint === undefined) throw new Error('team settings: endpoint: an s3:// team store needs its endpoint (https://host:port)');
  const accessKey = await secrets.get(config.accessKeySecret ?? DEFAULT_ACCESS_KEY_SECRET);
  const secretKey = await secrets.get(config.secretKeySecret ?? DEFAULT_SECRET_KEY_SECRET);
  if (accessKey === null || secretKey === null) {
    const missing = accessKey === null ? config.accessKeySecret : config.secretKeySecret;
    throw new Error(`The team store's key "${missing}" is not in the secret store; set it with \`vigil secrets set ${missing}\`.`);
  }
  return {
    endpoint,
    region: config.region ?? 'us-east-1',
    aws_access_key_id: accessKey,
    aws_secret_access_key: secretKey,
    allow_http: endpoint.startsWith('http://') ? 'true' : 'false',
    connect_timeout: '3s',
    timeout: '10s',
    // One retry, not the object store client's 3 with back-off: measured, an unreachable store otherwise took
    // about 8 s per sync round to be reported offline (test/core/team/teamSync.test.ts, the offline case).
    client_max_retries: '1',
    client_retry_timeout: '5',
  };
}
