/**
 * The knowledge-pack file (docs/packs.md): one UTF-8 JSON Lines file. Line 1 is the header (the manifest and its
 * Ed25519 signature); every following line is one knowledge entry in the spec's entry format. The manifest holds
 * the sha256 of the entries section's exact bytes and of each entry line, and the signature covers the manifest's
 * canonical bytes, so a changed byte anywhere is caught and named.
 *
 * This module reads, checks and writes those bytes; it knows nothing of trust lists or installed packs.
 */
import { createHash, sign, verify, type KeyObject } from 'node:crypto';
import { open } from 'node:fs/promises';
import { z } from 'zod';
import { describeZodError } from '../formats/jsonl';
import { EntrySchema, type Entry } from '../formats/schemas';
import { RuleSpecSchema, type RuleSpecInput } from '../formats/ruleSpec';
import { PackError } from './packError';
import { keyIdOf, publicKeyFromRaw, rawPublicKey } from './packKeys';

export { PackError, type PackErrorCode } from './packError';

/** Version of the pack container written by this build (independent of the entry format's version). */
export const PACK_FORMAT = 1;
/** File name extension of packs; the subscription watcher looks only at these. */
export const PACK_EXTENSION = '.vpack';
/**
 * Largest pack file read by default: the ABCD guidelines pack is 88 kB for 55 articles (1.6 kB each, header
 * included), so 64 MiB holds about 40,000 such articles. Anything bigger is refused before it is read, so a wrong
 * file on a share cannot exhaust memory.
 */
export const DEFAULT_MAX_PACK_BYTES = 64 * 1024 * 1024;
/**
 * Largest header line read: the manifest lists a 67-byte hash (64 hex digits, quotes, comma) per entry, so the
 * 40,000 articles a 64 MiB pack holds need 2.7 MB of header; 4 MiB leaves room. A bigger header is not a pack.
 */
export const MAX_HEADER_BYTES = 4 * 1024 * 1024;
/** Domain separation: these bytes are signed only as a pack manifest, never as anything else. */
const SIGNING_CONTEXT = 'vigil-pack-manifest-v1\n';

const PACK_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const VERSION = /^(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 time');

export const PackNameSchema = z
  .string()
  .regex(PACK_NAME, 'must be 1 to 64 characters: lower-case letters, digits, ".", "_" or "-", starting with a letter or digit');
export const PackVersionSchema = z.string().regex(VERSION, 'must be MAJOR.MINOR.PATCH, for example 1.4.0');

/** What a pack says about itself. Unknown fields are kept and covered by the signature. */
export const ManifestSchema = z.looseObject({
  format: z.literal(PACK_FORMAT),
  name: PackNameSchema,
  version: PackVersionSchema,
  team: z.string().min(1, 'must not be empty'),
  created: isoTime,
  description: z.string().optional(),
  /** Entry lines after the header. */
  entries: z.number().int().min(0),
  /** Length in bytes of the entries section (everything after the header line). */
  entriesBytes: z.number().int().min(0),
  /** sha256 (hex) of the entries section's exact bytes. */
  entriesSha256: z.string().regex(SHA256_HEX, 'must be a sha256 in hex'),
  /** sha256 (hex) of each entry line (without its newline), in file order: says which entry changed. */
  entryHashes: z.array(z.string().regex(SHA256_HEX, 'must be a sha256 in hex')),
  /** Interest rules the admin ships with the pack (core/rules/ruleFile.ts); signed with the manifest. */
  rules: z.array(RuleSpecSchema).optional(),
});
export type PackManifest = z.infer<typeof ManifestSchema>;

export const SignatureSchema = z.object({
  algorithm: z.literal('ed25519'),
  /** First 16 hex digits of the sha256 of the raw public key: how people name keys. */
  keyId: z.string(),
  /** The signer's raw 32-byte public key, base64. */
  publicKey: z.string(),
  /** The 64-byte signature of the manifest's canonical bytes, base64. */
  value: z.string(),
});
export type PackSignature = z.infer<typeof SignatureSchema>;

const HeaderSchema = z.object({
  vigilPack: z.literal(PACK_FORMAT),
  manifest: z.unknown(),
  signature: SignatureSchema.nullable(),
});

/** A pack whose bytes, structure and signature (if any) have been checked. Trust is decided elsewhere. */
export interface CheckedPack {
  manifest: PackManifest;
  signature: PackSignature | null;
  entries: { line: number; entry: Entry }[];
  /** The file's exact bytes, kept so an install stores what was verified. */
  bytes: Buffer;
}

/** JSON with object keys sorted at every level and no spaces: the same value always gives the same bytes. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/** The bytes an Ed25519 key signs for this manifest. */
export function signingBytes(manifest: unknown): Buffer {
  return Buffer.from(SIGNING_CONTEXT + canonicalJson(manifest), 'utf8');
}

function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** -1, 0 or 1 as version `a` is older than, equal to or newer than `b` (both MAJOR.MINOR.PATCH). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/**
 * Reads a pack file, refusing one larger than `maxBytes` before reading it (and one that grows past it while
 * being read: a copy still in progress).
 */
export async function readPackFile(file: string, maxBytes = DEFAULT_MAX_PACK_BYTES): Promise<Buffer> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    throw new PackError('unreadable', `Cannot read the pack ${file}: ${(err as Error).message}`);
  }
  try {
    const { size } = await handle.stat();
    if (size > maxBytes) {
      throw new PackError(
        'too_large',
        `${file} is ${formatBytes(size)}, more than the ${formatBytes(maxBytes)} a pack may be. It is not a Vigil pack, or it must be split into smaller packs.`,
      );
    }
    const buffer = Buffer.alloc(Math.min(size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > maxBytes) {
        throw new PackError('too_large', `${file} grew past ${formatBytes(maxBytes)} while it was read; wait until the copy has finished.`);
      }
      if (length === buffer.length) break;
    }
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}

/**
 * Reads only the header line of a pack file (stopping at the first newline, or at `maxBytes`), so a folder of
 * packs can be scanned for names and versions without reading every entry.
 */
export async function readPackHeader(file: string, maxBytes = DEFAULT_MAX_PACK_BYTES): Promise<ReturnType<typeof parseHeader>> {
  const headerLimit = Math.min(maxBytes, MAX_HEADER_BYTES);
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    throw new PackError('unreadable', `Cannot read the pack ${file}: ${(err as Error).message}`);
  }
  try {
    const { size } = await handle.stat();
    if (size > maxBytes) {
      throw new PackError('too_large', `${file} is ${formatBytes(size)}, more than the ${formatBytes(maxBytes)} a pack may be. It is not a Vigil pack, or it must be split into smaller packs.`);
    }
    const chunks: Buffer[] = [];
    let length = 0;
    for (;;) {
      const chunk = Buffer.alloc(64 * 1024);
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, length);
      if (bytesRead === 0) break;
      const part = chunk.subarray(0, bytesRead);
      chunks.push(part);
      length += bytesRead;
      if (part.includes(0x0a)) break;
      if (length > headerLimit) throw new PackError('too_large', `${file}:1: the header is longer than ${formatBytes(headerLimit)}; this is not a Vigil pack.`);
    }
    return parseHeader(Buffer.concat(chunks), file);
  } finally {
    await handle.close();
  }
}

/** The header line of a pack, parsed but not verified: enough to see which pack and version a file claims to be. */
export function parseHeader(bytes: Buffer, file: string): { manifest: PackManifest; rawManifest: unknown; signature: PackSignature | null; headerEnd: number } {
  const newline = bytes.indexOf(0x0a);
  if (newline < 0) {
    if (bytes.length === 0) throw new PackError('truncated', `${file} is empty: the copy is incomplete or it is not a Vigil pack.`);
    throw new PackError('truncated', `${file}:1: the header line has no end: the file is truncated (copy it again).`);
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.subarray(0, newline).toString('utf8'));
  } catch (err) {
    throw new PackError('malformed', `${file}:1: the header is not valid JSON (${(err as Error).message}); this is not a Vigil pack.`);
  }
  const header = HeaderSchema.safeParse(json);
  if (!header.success) {
    const { field, message } = describeZodError(header.error);
    throw new PackError('malformed', `${file}:1: header field ${field}: ${message}; this is not a Vigil pack of format ${PACK_FORMAT}.`);
  }
  const manifest = ManifestSchema.safeParse(header.data.manifest);
  if (!manifest.success) {
    const { field, message } = describeZodError(manifest.error);
    throw new PackError('malformed', `${file}:1: manifest field ${field}: ${message}.`);
  }
  return { manifest: manifest.data, rawManifest: header.data.manifest, signature: header.data.signature, headerEnd: newline + 1 };
}

/**
 * Checks a pack's bytes: the header, the signature against the public key it names, the entries section against
 * the signed hashes (naming the first entry that differs), and every entry against the entry format. Trust in the
 * signer is decided by `signer`, when given: it is called once the signature is verified and before the entries are
 * hashed or parsed, and throws to refuse (an untrusted pack costs no more than its header). Unsigned packs pass
 * only with `allowUnsigned` (inspecting a pack before signing it).
 */
export function checkPack(
  bytes: Buffer,
  file: string,
  options: { allowUnsigned?: boolean; signer?: (signature: PackSignature, manifest: PackManifest) => void } = {},
): CheckedPack {
  const { manifest, rawManifest, signature, headerEnd } = parseHeader(bytes, file);
  const label = `${manifest.name} ${manifest.version}`;

  if (signature) {
    let key: KeyObject;
    try {
      key = publicKeyFromRaw(signature.publicKey);
    } catch (err) {
      throw new PackError('bad_signature', `${file}:1: signature.publicKey is not an Ed25519 public key (${(err as Error).message}).`);
    }
    if (keyIdOf(key) !== signature.keyId) {
      throw new PackError('bad_signature', `${file}:1: signature.keyId ${signature.keyId} does not belong to the public key in the header: the header was edited.`);
    }
    const value = Buffer.from(signature.value, 'base64');
    if (value.length !== 64 || !verify(null, signingBytes(rawManifest), key, value)) {
      throw new PackError(
        'bad_signature',
        `${file}: the signature of pack ${label} does not match its manifest (key ${signature.keyId}): the manifest was edited or the signature comes from another pack. Refused; ask the pack's publisher for a fresh copy.`,
      );
    }
    options.signer?.(signature, manifest);
  } else if (!options.allowUnsigned) {
    throw new PackError('unsigned', `${file}: pack ${label} is not signed. Sign it with \`vigil pack sign ${file} --key KEY\` before installing it.`);
  }

  const section = bytes.subarray(headerEnd);
  if (section.length < manifest.entriesBytes) {
    throw new PackError(
      'truncated',
      `${file}: pack ${label} is truncated: its manifest promises ${manifest.entriesBytes} bytes of entries, the file has ${section.length}. Copy it again.`,
    );
  }
  if (section.length > manifest.entriesBytes) {
    throw new PackError('entries_changed', `${file}: pack ${label} has ${section.length - manifest.entriesBytes} bytes after its signed entries: something was appended after signing.`);
  }
  if (manifest.entryHashes.length !== manifest.entries) {
    throw new PackError('malformed', `${file}:1: the manifest lists ${manifest.entryHashes.length} entry hashes for ${manifest.entries} entries.`);
  }
  const sectionHash = sha256Hex(section);
  const lines = section.length === 0 ? [] : section.toString('utf8').split('\n');
  if (lines.length > 0 && lines.pop() !== '') {
    throw new PackError('truncated', `${file}:${lines.length + 2}: the last entry line has no end: the file is truncated.`);
  }
  for (let i = 0; i < Math.max(lines.length, manifest.entryHashes.length); i++) {
    const text = lines[i];
    const expected = manifest.entryHashes[i];
    const lineNo = i + 2;
    if (text === undefined || expected === undefined) {
      throw new PackError('entries_changed', `${file}: pack ${label} has ${lines.length} entry lines but its signed manifest lists ${manifest.entries}: entries were added or removed after signing.`);
    }
    if (sha256Hex(text) !== expected) {
      throw new PackError('entries_changed', `${file}:${lineNo}: entry ${describeLine(text)} was changed after pack ${label} was signed: the file was altered. Ask its publisher for a fresh copy.`);
    }
  }
  if (sectionHash !== manifest.entriesSha256) {
    throw new PackError('entries_changed', `${file}: the entries of pack ${label} do not match the signed entriesSha256.`);
  }

  const seen = new Map<string, number>();
  const entries = lines.map((text, i) => {
    const lineNo = i + 2;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new PackError('bad_entry', `${file}:${lineNo}: not valid JSON (${(err as Error).message}).`);
    }
    const parsed = EntrySchema.safeParse(json);
    if (!parsed.success) {
      const { field, message } = describeZodError(parsed.error);
      throw new PackError('bad_entry', `${file}:${lineNo}: ${field}: ${message}.`);
    }
    const first = seen.get(parsed.data.id);
    if (first !== undefined) throw new PackError('bad_entry', `${file}:${lineNo}: id: "${parsed.data.id}" already used on line ${first}; entry ids must be unique in a pack.`);
    seen.set(parsed.data.id, lineNo);
    return { line: lineNo, entry: parsed.data };
  });
  return { manifest, signature, entries, bytes };
}

function describeLine(text: string): string {
  const id = /"id"\s*:\s*"([^"\\]{1,200})"/.exec(text)?.[1];
  return id ? `"${id}"` : '(no readable id)';
}

/** What a pack's author says; the rest of the manifest is computed from the entries. */
export interface PackInfo {
  name: string;
  version: string;
  team: string;
  description?: string;
  /** Defaults to now. */
  created?: string;
  /** Interest rules to ship with the entries (signed with the manifest). */
  rules?: readonly RuleSpecInput[];
}

/**
 * Writes a pack's bytes from entries (validated against the entry format, ids unique), signed with `privateKey`
 * when one is given. Throws PackError naming the first bad entry or manifest field.
 */
export function encodePack(info: PackInfo, entries: readonly Entry[], privateKey?: KeyObject): Buffer {
  const seen = new Set<string>();
  const lines = entries.map((entry, i) => {
    const parsed = EntrySchema.safeParse(entry);
    if (!parsed.success) {
      const { field, message } = describeZodError(parsed.error);
      throw new PackError('bad_entry', `entry ${i + 1} (${String(entry.id)}): ${field}: ${message}.`);
    }
    if (seen.has(entry.id)) throw new PackError('bad_entry', `entry id "${entry.id}" appears twice; entry ids must be unique in a pack.`);
    seen.add(entry.id);
    return JSON.stringify(entry);
  });
  const section = Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8');
  const manifestInput = {
    format: PACK_FORMAT,
    name: info.name,
    version: info.version,
    team: info.team,
    created: info.created ?? new Date().toISOString(),
    ...(info.description ? { description: info.description } : {}),
    entries: lines.length,
    entriesBytes: section.length,
    entriesSha256: sha256Hex(section),
    entryHashes: lines.map(sha256Hex),
    ...(info.rules && info.rules.length > 0 ? { rules: info.rules } : {}),
  };
  const manifest = ManifestSchema.safeParse(manifestInput);
  if (!manifest.success) {
    const { field, message } = describeZodError(manifest.error);
    throw new PackError('malformed', `pack ${field}: ${message}.`);
  }
  return assemble(manifest.data, privateKey ? signManifest(manifest.data, privateKey) : null, section);
}

/** Signs `manifest` with an Ed25519 private key. */
export function signManifest(manifest: unknown, privateKey: KeyObject): PackSignature {
  if (privateKey.asymmetricKeyType !== 'ed25519' || privateKey.type !== 'private') {
    throw new PackError('bad_key', 'A pack is signed with an Ed25519 private key (make one with `vigil pack keygen`).');
  }
  const publicKey = rawPublicKey(privateKey);
  return {
    algorithm: 'ed25519',
    keyId: keyIdOf(privateKey),
    publicKey,
    value: sign(null, signingBytes(manifest), privateKey).toString('base64'),
  };
}

/**
 * Signs (or re-signs) a pack's bytes: the pack is checked first (structure, hashes, entries; an existing
 * signature may be anyone's), then its header is rewritten with the new signature. The entries are untouched.
 */
export function resignPack(bytes: Buffer, file: string, privateKey: KeyObject): Buffer {
  const { rawManifest, headerEnd } = parseHeader(bytes, file);
  // The old signature is replaced, so it is not checked; everything it would cover is.
  const stripped = Buffer.concat([Buffer.from(`${JSON.stringify({ vigilPack: PACK_FORMAT, manifest: rawManifest, signature: null })}\n`), bytes.subarray(headerEnd)]);
  const checked = checkPack(stripped, file, { allowUnsigned: true });
  return assemble(rawManifest, signManifest(rawManifest, privateKey), checked.bytes.subarray(stripped.indexOf(0x0a) + 1));
}

function assemble(manifest: unknown, signature: PackSignature | null, section: Buffer): Buffer {
  const header = JSON.stringify({ vigilPack: PACK_FORMAT, manifest, signature });
  return Buffer.concat([Buffer.from(`${header}\n`, 'utf8'), section]);
}
