/** Keys, entries and pack files for the pack tests. */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Entry } from '../../../core/formats/schemas';
import { encodePack, type PackInfo } from '../../../core/packs/packFormat';
import { rawPublicKey } from '../../../core/packs/packKeys';

export function newKey(): { privateKey: KeyObject; publicKey: string } {
  const { privateKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey: rawPublicKey(privateKey) };
}

export const NETWORK_ENTRIES: Entry[] = [
  { id: 'net-vpn-mtu', kind: 'article', title: 'VPN drops on networks with small MTU', body: 'Lower the tunnel MTU to 1380 when the VPN disconnects every few minutes on hotel or mobile networks.', tags: ['vpn'] },
  { id: 'net-wifi-cert', kind: 'article', title: 'Office Wi-Fi rejects the laptop', body: 'Renew the machine certificate from the self-service portal, then forget and rejoin the network.', tags: ['wifi'] },
  { id: 'net-dns', kind: 'qa', question: 'Internal sites do not open but the internet works', body: 'Flush the DNS cache and reconnect the VPN so the internal resolver is used.', tags: ['dns'] },
];

export const INFO: PackInfo = { name: 'network-basics', version: '1.0.0', team: 'network', created: '2026-03-01T00:00:00Z' };

/** Writes a pack file and returns its path. */
export async function writePack(dir: string, fileName: string, entries: readonly Entry[], info: Partial<PackInfo>, key?: KeyObject): Promise<string> {
  const file = join(dir, fileName);
  await writeFile(file, encodePack({ ...INFO, ...info }, entries, key));
  return file;
}
