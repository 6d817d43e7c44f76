/**
 * Ed25519 keys for signing packs, with node:crypto only. A key pair is two PEM files: the private key (PKCS#8,
 * written with mode 0600, never leaves the admin's machine) and the public key (SPKI), which teams add to their
 * trust list. Inside a pack and a trust list a public key is its raw 32 bytes in base64; its id is the first 16
 * hex digits of their sha256.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { errorMessage } from '../formats/errorMessage';
import { PackError } from './packError';

/** The raw 32-byte public key (of a public or private key), base64. */
export function rawPublicKey(key: KeyObject): string {
  const jwk = (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'jwk' });
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') {
    throw new PackError('bad_key', `Expected an Ed25519 key, got ${key.asymmetricKeyType ?? key.type}.`);
  }
  return Buffer.from(jwk.x, 'base64url').toString('base64');
}

/** Public key object from its raw 32 bytes in base64. */
export function publicKeyFromRaw(raw: string): KeyObject {
  const bytes = Buffer.from(raw, 'base64');
  if (bytes.length !== 32) throw new Error(`an Ed25519 public key is 32 bytes, this one is ${bytes.length}`);
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: bytes.toString('base64url') }, format: 'jwk' });
}

/** How people name a key: the first 16 hex digits of the sha256 of its raw public key. */
export function keyIdOf(key: KeyObject | string): string {
  const raw = typeof key === 'string' ? key : rawPublicKey(key);
  return createHash('sha256').update(Buffer.from(raw, 'base64')).digest('hex').slice(0, 16);
}

/** Paths of a key pair made by `writeKeyPair(base)`. */
export function keyPairPaths(base: string): { privateKey: string; publicKey: string } {
  return { privateKey: `${base}.private.pem`, publicKey: `${base}.public.pem` };
}

/**
 * Makes a new Ed25519 key pair and writes `<base>.private.pem` (mode 0600) and `<base>.public.pem`. Refuses to
 * overwrite an existing file: losing a signing key means every team must trust a new one.
 */
export async function writeKeyPair(base: string): Promise<{ keyId: string; privateKey: string; publicKey: string }> {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const paths = keyPairPaths(base);
  const write = async (file: string, text: string, mode: number): Promise<void> => {
    let handle;
    try {
      handle = await open(file, 'wx', mode);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new PackError('bad_key', `${file} already exists; a signing key is never overwritten. Choose another name, or move the old key away first.`);
      }
      throw err;
    }
    try {
      await handle.writeFile(text, 'utf8');
      await handle.chmod(mode); // the umask may have widened `mode` on creation
      await handle.sync();
    } finally {
      await handle.close();
    }
  };
  await write(paths.privateKey, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, 0o600);
  await write(paths.publicKey, publicKey.export({ type: 'spki', format: 'pem' }) as string, 0o644);
  return { keyId: keyIdOf(publicKey), ...paths };
}

/** Loads an Ed25519 private key from a PEM file. */
export async function readPrivateKey(file: string): Promise<KeyObject> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new PackError('bad_key', `Cannot read the signing key ${file}: ${errorMessage(err)}`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(text);
  } catch (err) {
    throw new PackError('bad_key', `${file} is not a private key in PEM format (${errorMessage(err)}). Use the .private.pem file made by \`vigil pack keygen\`.`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new PackError('bad_key', `${file} holds a ${key.asymmetricKeyType} key; packs are signed with Ed25519 keys (\`vigil pack keygen\`).`);
  return key;
}

/**
 * Loads an Ed25519 public key, as raw base64, from a file holding a PEM public key (SPKI), or the raw 32 bytes in
 * base64 on one line. A private key file is refused, so it is never copied into a trust list by mistake.
 */
export async function readPublicKey(file: string): Promise<string> {
  let text: string;
  try {
    text = (await readFile(file, 'utf8')).trim();
  } catch (err) {
    throw new PackError('bad_key', `Cannot read the public key ${file}: ${errorMessage(err)}`);
  }
  if (text.includes('PRIVATE KEY')) {
    throw new PackError('bad_key', `${file} is a private key. Share and trust only the .public.pem file; keep the private key secret.`);
  }
  try {
    if (text.startsWith('-----BEGIN')) {
      const key = createPublicKey(text);
      if (key.asymmetricKeyType !== 'ed25519') throw new Error(`it holds a ${key.asymmetricKeyType} key, not Ed25519`);
      return rawPublicKey(key);
    }
    return rawPublicKey(publicKeyFromRaw(text));
  } catch (err) {
    throw new PackError('bad_key', `${file} is not an Ed25519 public key (${errorMessage(err)}). Use the .public.pem file made by \`vigil pack keygen\`.`);
  }
}
