import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { MemorySecretStore } from '../../../core/secrets/secretStore';
import { readTeamConfig, teamConfigPath, teamEndpoint, formatEndpoint, teamStorageOptions, writeTeamConfig, type TeamConfig } from '../../../core/team/teamConfig';
import { tempFolder } from '../../support/tempFolder';

const s3: TeamConfig = {
  version: 1,
  uri: 's3://team-bucket/emea',
  analyst: 'ana',
  endpoint: 'https://s3.example.internal:9000',
  region: 'eu-west-1',
  accessKeySecret: 'team-ak',
  secretKeySecret: 'team-sk',
  joinedAt: '2026-12-01T00:00:00.000Z',
};

describe('team settings', () => {
  it('keep only secret names on disk; the keys come from the secret store', async () => {
    const dataDir = await tempFolder('vigil-team-config-');
    await writeTeamConfig(dataDir, s3);
    expect(await readTeamConfig(dataDir)).toEqual(s3);
    const secrets = new MemorySecretStore();
    await secrets.set('team-ak', 'AKIA-test');
    await secrets.set('team-sk', 'very-secret');
    expect(await teamStorageOptions(s3, secrets)).toMatchObject({ endpoint: s3.endpoint, region: 'eu-west-1', aws_access_key_id: 'AKIA-test', allow_http: 'false' });
  });

  it('name the one endpoint the store reaches (host and port), or none for a shared folder', () => {
    expect(teamEndpoint(s3)).toEqual({ host: 's3.example.internal', port: 9000 });
    expect(teamEndpoint({ ...s3, endpoint: 'https://store.example.internal' })).toEqual({ host: 'store.example.internal', port: 443 });
    expect(teamEndpoint({ ...s3, endpoint: 'http://[::1]:9100' })).toEqual({ host: '::1', port: 9100 });
    expect(formatEndpoint({ host: '::1', port: 9100 })).toBe('[::1]:9100');
    expect(formatEndpoint({ host: 's3.example.internal', port: 443 })).toBe('s3.example.internal:443');
    expect(teamEndpoint({ version: 1, uri: '/mnt/share/team', analyst: 'ana', joinedAt: '' })).toBeNull();
  });

  it('a bad field is an error naming the file and field', async () => {
    const dataDir = await tempFolder('vigil-team-config-');
    await writeFile(teamConfigPath(dataDir), JSON.stringify({ ...s3, uri: 'relative/path' }));
    await expect(readTeamConfig(dataDir)).rejects.toThrow(/team\.json: uri: give s3:\/\/bucket\/prefix or an absolute path/);
    await expect(writeTeamConfig(dataDir, { ...s3, accessKeySecret: undefined })).rejects.toThrow(/accessKeySecret/);
  });
});
