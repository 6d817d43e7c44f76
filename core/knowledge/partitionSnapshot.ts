/**
 * The partition section of the int8 snapshot file (vectorSnapshot.ts, format 3): the coarse partition of the vector
 * index (vectorIndex.ts, IVF), so that opening a store of a million vectors reads 130 kB of centroids instead of
 * training them again (28 s at 1M vectors at load 13, BENCHMARKS.md). It follows the snapshot's trailer with its own
 * CRC-32, so a damaged or cut-short section costs only the partition (trained again at open), never the vectors.
 *
 * Layout (little-endian): lists (u32), list starts ((lists + 1) × i32), centroid scales (lists × f32), centroids
 * (lists × rowBytes int8); then, after the section, its CRC-32 (u32).
 */
import { crc32 } from 'node:zlib';
import type { SavedPartition } from './vectorIndex';

/** The section's bytes, its checksum excluded. */
export function encodePartition(partition: SavedPartition): Buffer {
  const { lists } = partition;
  const out = Buffer.alloc(4 + (lists + 1) * 4 + lists * 4 + partition.centroids.length);
  out.writeUInt32LE(lists, 0);
  let at = 4;
  for (const start of partition.starts) at = out.writeInt32LE(start, at);
  for (const scale of partition.inverseScales) at = out.writeFloatLE(scale, at);
  out.set(partition.centroids, at);
  return out;
}

/** The checksum that follows the section in the file. */
export function partitionChecksum(section: Uint8Array): number {
  return crc32(section);
}

/**
 * Reads a section written by `encodePartition` for rows of `rowBytes` bytes; throws, with the reason, when its
 * checksum or sizes are wrong. Whether it fits the index's rows is `VectorIndex.restorePartition`'s to check.
 */
export function decodePartition(section: Uint8Array, checksum: number, rowBytes: number): SavedPartition {
  if (partitionChecksum(section) !== checksum) throw new Error('its checksum does not match (damaged)');
  const bytes = Buffer.from(section.buffer, section.byteOffset, section.byteLength);
  if (bytes.length < 4) throw new Error('it is empty');
  const lists = bytes.readUInt32LE(0);
  if (lists < 1 || bytes.length !== 4 + (lists + 1) * 4 + lists * 4 + lists * rowBytes) {
    throw new Error(`${bytes.length} bytes do not hold ${lists} lists of ${rowBytes}-byte centroids`);
  }
  let at = 4;
  const starts = new Int32Array(lists + 1);
  for (let j = 0; j <= lists; j++, at += 4) starts[j] = bytes.readInt32LE(at);
  const inverseScales = new Float32Array(lists);
  for (let j = 0; j < lists; j++, at += 4) inverseScales[j] = bytes.readFloatLE(at);
  return { lists, starts, inverseScales, centroids: new Uint8Array(bytes.subarray(at)) };
}
