/**
 * The int8 snapshot of a table: what the store holds in memory for a table (the int8 vectors with their ids,
 * statuses and scales, and the BM25 statistics), on disk next to it, so that opening a folder reads one file into
 * memory instead of every float vector and token out of LanceDB. At 300k x 512 that read took 5-18 s and left
 * LanceDB's native buffers (600 MB of floats passing through Arrow) in the process's memory for good, since glibc
 * keeps what it freed (BENCHMARKS.md, "the store at scale").
 *
 * A snapshot names the table, its version and row count, and the embedder's id and dimensions; opening uses it only
 * when all of them match the table as it is now and its checksum is right. Anything else (a commit since, a crash
 * before the next snapshot, a damaged or foreign file) falls back to reading the table, and the store writes a new
 * snapshot: a stale or damaged file costs time, never a wrong result. Written atomically (a temporary file,
 * fsync, rename), so a crash mid-write leaves the previous snapshot in place.
 *
 * Layout: magic, header length (u32 LE), header (JSON), then statuses (u8 per slot), padding to 4 bytes, scales
 * (f32 per slot), ids (JSON array, null for a free slot), statistics (JSON), the int8 matrix (slots x rowBytes),
 * and a trailer: the CRC-32 of everything after the header (u32 LE) and the end magic. From format 3, when the
 * index is partitioned, the partition section follows (`partitionBytes` in the header; partitionSnapshot.ts) with
 * its own CRC-32: a damaged one, or a format-2 file, opens without it and the store partitions again.
 */
import { open, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { renameDurable } from '../formats/durableFile';
import { errorMessage } from '../formats/errorMessage';
import type { CorpusStats } from './freshTier';
import { decodePartition, encodePartition, partitionChecksum } from './partitionSnapshot';
import { entryIdOfKey, type SavedPartition, type VectorIndex } from './vectorIndex';

const MAGIC = Buffer.from('VIGILSN1', 'latin1');
const END = Buffer.from('VIGILEND', 'latin1');
/**
 * 2: the statistics count word stems (core/text/stems.ts); a format-1 file counted plain tokens and is re-read.
 * 3: the partition section may follow the trailer; a format-2 file is read as it is, and the partition trained again.
 */
const FORMAT = 3;
const FORMATS_READ = new Set([2, 3]);
/** The matrix is written and read in chunks of this size, straight from and into the index's memory. */
const CHUNK = 8 * 2 ** 20;
const SNAPSHOT_FILE = /^vectors\.(.+)\.snapshot$/;

/** What a snapshot must match to be used: the table as it is now, and the embedder that searches it. */
export interface SnapshotKey {
  table: string;
  tableVersion: number;
  rows: number;
  embedderId: string;
  dimensions: number;
}

interface Header extends SnapshotKey {
  format: number;
  rowBytes: number;
  slots: number;
  idsBytes: number;
  statsBytes: number;
  /** Bytes of the partition section, its checksum excluded (format 3; absent or 0: none). */
  partitionBytes?: number;
}

/** The snapshot file of a table in a data folder. */
export function snapshotFile(dataDir: string, table: string): string {
  return join(dataDir, `vectors.${table}.snapshot`);
}

/** Deletes snapshots of tables other than `keep` (tables dropped by a re-index), and temporary files left by a crash. */
export async function removeOtherSnapshots(dataDir: string, keep: ReadonlySet<string>): Promise<void> {
  for (const file of await readdir(dataDir)) {
    const match = SNAPSHOT_FILE.exec(file);
    if (file.endsWith('.snapshot.tmp') || (match && !keep.has(match[1] as string))) await rm(join(dataDir, file), { force: true });
  }
}

/** A snapshot's content, taken from memory at one instant; `write` puts it on disk. */
export interface CapturedSnapshot {
  /** Writes the file atomically; false (and no file replaced) when the index changed while it was written. */
  write(file: string): Promise<boolean>;
}

/**
 * Takes the state of `vectors` and `stats` now (synchronously: the caller holds writes while calling it, with
 * nothing uncommitted, so the state is exactly the table at `key.tableVersion`). Only the small parts are copied;
 * the matrix is read from the index's memory while writing, and the file is discarded if the index changed.
 */
export function captureSnapshot(key: SnapshotKey, vectors: VectorIndex, stats: CorpusStats): CapturedSnapshot {
  const revision = vectors.revision;
  const state = vectors.exportState();
  const ids = Buffer.from(JSON.stringify(state.ids), 'utf8');
  const statistics = Buffer.from(JSON.stringify(stats.exportState()), 'utf8');
  const slots = state.ids.length;
  const saved = vectors.exportPartition();
  const partition = saved ? encodePartition(saved) : null;
  const header: Header = {
    ...key,
    format: FORMAT,
    rowBytes: vectors.rowBytes,
    slots,
    idsBytes: ids.length,
    statsBytes: statistics.length,
    partitionBytes: partition?.length ?? 0,
  };
  return {
    async write(file: string): Promise<boolean> {
      const temporary = `${file}.tmp`;
      const handle = await open(temporary, 'w');
      let complete = false;
      try {
        const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
        const length = Buffer.alloc(4);
        length.writeUInt32LE(headerBytes.length);
        await handle.write(Buffer.concat([MAGIC, length, headerBytes]));
        let checksum = 0;
        const put = async (bytes: Uint8Array): Promise<void> => {
          checksum = crc32(bytes, checksum);
          await handle.write(bytes);
        };
        await put(state.codes);
        await put(new Uint8Array(padding(slots)));
        await put(new Uint8Array(state.inverseScales.buffer, state.inverseScales.byteOffset, state.inverseScales.byteLength));
        await put(ids);
        await put(statistics);
        const matrixBytes = slots * header.rowBytes;
        for (let start = 0; start < matrixBytes; start += CHUNK) {
          if (vectors.revision !== revision) return false; // changed under us: this state is gone
          // Copied before the write: the write is asynchronous and the view must not see a later change.
          await put(Buffer.from(state.matrixChunk(start, start + CHUNK)));
        }
        const trailer = Buffer.alloc(4);
        trailer.writeUInt32LE(checksum);
        await handle.write(Buffer.concat([trailer, END]));
        if (partition) {
          const sum = Buffer.alloc(4);
          sum.writeUInt32LE(partitionChecksum(partition));
          await handle.write(Buffer.concat([partition, sum]));
        }
        await handle.sync();
        complete = vectors.revision === revision;
        return complete;
      } finally {
        await handle.close();
        if (complete) await renameDurable(temporary, file);
        else await rm(temporary, { force: true });
      }
    },
  };
}

/**
 * A snapshot read back: the index, the statistics and the ids, or why it could not be used. `partition` says
 * whether the file held a partition and whether the index took it back (else why not); absent when it held none.
 */
export type LoadedSnapshot =
  | {
      ok: true;
      vectors: VectorIndex;
      stats: { documents: number; totalLength: number; df: [string, number][] };
      ids: string[];
      partition?: { restored: boolean; reason: string | null };
    }
  | { ok: false; reason: string };

/**
 * Reads the snapshot of `key.table` if it matches `key` exactly and its checksum is right. Never throws for a
 * missing, stale or damaged file: the reason comes back instead, and the caller reads the table.
 */
export async function loadSnapshot(file: string, key: SnapshotKey, newIndex: () => VectorIndex): Promise<LoadedSnapshot> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    return { ok: false, reason: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no snapshot yet' : errorMessage(err) };
  }
  try {
    const size = (await handle.stat()).size;
    const readAt = async (target: Uint8Array, position: number): Promise<void> => {
      let done = 0;
      while (done < target.length) {
        const { bytesRead } = await handle.read(target, done, target.length - done, position + done);
        if (bytesRead === 0) throw new Error('the file ends early');
        done += bytesRead;
      }
    };
    const start = Buffer.alloc(12);
    if (size < 12) return { ok: false, reason: 'the file is truncated' };
    await readAt(start, 0);
    if (!start.subarray(0, 8).equals(MAGIC)) return { ok: false, reason: 'not a snapshot file' };
    const headerLength = start.readUInt32LE(8);
    if (12 + headerLength > size) return { ok: false, reason: 'the file is truncated' };
    const headerBytes = Buffer.alloc(headerLength);
    await readAt(headerBytes, 12);
    let header: Header;
    try {
      header = JSON.parse(headerBytes.toString('utf8')) as Header;
    } catch {
      return { ok: false, reason: 'its header is damaged' };
    }
    const mismatch = (['table', 'tableVersion', 'rows', 'embedderId', 'dimensions'] as const).find((field) => header[field] !== key[field]);
    if (!FORMATS_READ.has(header.format)) return { ok: false, reason: `format ${header.format}, expected ${FORMAT}` };
    if (mismatch) return { ok: false, reason: `it was written for ${mismatch} ${String(header[mismatch])}, the table now has ${String(key[mismatch])}` };
    const index = newIndex();
    if (header.rowBytes !== index.rowBytes) return { ok: false, reason: `rows of ${header.rowBytes} bytes, expected ${index.rowBytes}` };
    const slots = header.slots;
    const smallBytes = slots + padding(slots) + slots * 4 + header.idsBytes + header.statsBytes;
    const matrixBytes = slots * header.rowBytes;
    const bodyStart = 12 + headerLength;
    const mainEnd = bodyStart + smallBytes + matrixBytes + 12;
    const partitionBytes = header.format >= 3 && Number.isInteger(header.partitionBytes) ? (header.partitionBytes as number) : 0;
    const end = partitionBytes > 0 ? mainEnd + partitionBytes + 4 : mainEnd;
    // Cut short inside the partition section: the vectors are whole, only the partition is lost.
    if (size < mainEnd || size > end) return { ok: false, reason: 'the file is truncated or too long' };
    let partition: SavedPartition | string | null = null;
    if (partitionBytes > 0) {
      if (size < end) partition = 'its partition section is truncated';
      else {
        const section = new Uint8Array(partitionBytes + 4);
        await readAt(section, mainEnd);
        const sum = Buffer.from(section.buffer).readUInt32LE(partitionBytes);
        try {
          partition = decodePartition(section.subarray(0, partitionBytes), sum, header.rowBytes);
        } catch (err) {
          partition = `its partition ${errorMessage(err)}`;
        }
      }
    }

    const small = new Uint8Array(smallBytes);
    await readAt(small, bodyStart);
    let checksum = crc32(small);
    const codes = small.slice(0, slots);
    let at = slots + padding(slots);
    const inverseScales = new Float32Array(small.slice(at, at + slots * 4).buffer);
    at += slots * 4;
    const text = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
    let ids: (string | null)[];
    let stats: { documents: number; totalLength: number; df: [string, number][] };
    try {
      ids = JSON.parse(text(small.subarray(at, at + header.idsBytes))) as (string | null)[];
      at += header.idsBytes;
      stats = JSON.parse(text(small.subarray(at, at + header.statsBytes))) as typeof stats;
    } catch {
      return { ok: false, reason: 'its ids or statistics are damaged' };
    }
    if (!Array.isArray(ids) || ids.length !== slots) return { ok: false, reason: 'its ids are damaged' };
    // Passage slots (vectorIndex.ts) carry their entry's id and a number; the entries are the whole-entry slots.
    const live = ids.filter((id): id is string => typeof id === 'string' && entryIdOfKey(id) === id);
    if (live.length !== key.rows) return { ok: false, reason: `it holds ${live.length} entries, the table ${key.rows}` };

    await index.importState(ids, codes, inverseScales, async (target) => {
      for (let offset = 0; offset < matrixBytes; offset += CHUNK) {
        const chunk = target.subarray(offset, Math.min(matrixBytes, offset + CHUNK));
        await readAt(chunk, bodyStart + smallBytes + offset);
        checksum = crc32(chunk, checksum);
      }
    });
    const trailer = Buffer.alloc(12);
    await readAt(trailer, bodyStart + smallBytes + matrixBytes);
    if (!trailer.subarray(4).equals(END) || trailer.readUInt32LE(0) !== checksum) return { ok: false, reason: 'its checksum does not match (damaged)' };
    if (partition === null) return { ok: true, vectors: index, stats, ids: live };
    return { ok: true, vectors: index, stats, ids: live, partition: restore(index, partition) };
  } catch (err) {
    return { ok: false, reason: errorMessage(err) };
  } finally {
    await handle.close();
  }
}

/** Gives the index its saved partition; a section that was unreadable, or does not fit the rows, is reported. */
function restore(index: VectorIndex, partition: SavedPartition | string): { restored: boolean; reason: string | null } {
  if (typeof partition === 'string') return { restored: false, reason: partition };
  try {
    index.restorePartition(partition);
    return { restored: true, reason: null };
  } catch (err) {
    return { restored: false, reason: `its partition does not fit the vectors: ${errorMessage(err)}` };
  }
}

/** Bytes after the statuses so the scales start on a 4-byte boundary. */
function padding(slots: number): number {
  return (4 - (slots % 4)) % 4;
}
