import { describe, expect, it } from 'vitest';
import { decodePartition, encodePartition, partitionChecksum } from '../../../core/knowledge/partitionSnapshot';
import type { SavedPartition } from '../../../core/knowledge/vectorIndex';

const ROW_BYTES = 32;
const saved: SavedPartition = {
  lists: 3,
  centroids: Uint8Array.from({ length: 3 * ROW_BYTES }, (_, i) => (i * 37) % 256),
  inverseScales: Float32Array.from([0.0125, 0.5, 3.25]),
  starts: Int32Array.from([0, 10, 10, 42]),
};

describe('partition section of the snapshot file', () => {
  it('reads back exactly what was written', () => {
    const section = encodePartition(saved);
    expect(decodePartition(section, partitionChecksum(section), ROW_BYTES)).toEqual(saved);
  });

  it('refuses a section whose checksum does not match, naming the cause', () => {
    const section = encodePartition(saved);
    const sum = partitionChecksum(section);
    section[section.length - 1] = (section[section.length - 1] as number) ^ 1;
    expect(() => decodePartition(section, sum, ROW_BYTES)).toThrow(/checksum/);
  });

  it('refuses a section that does not hold whole centroids of the index\'s row size', () => {
    const section = encodePartition(saved);
    expect(() => decodePartition(section, partitionChecksum(section), ROW_BYTES * 2)).toThrow(/do not hold 3 lists of 64-byte centroids/);
    const empty = new Uint8Array(0);
    expect(() => decodePartition(empty, partitionChecksum(empty), ROW_BYTES)).toThrow(/empty/);
  });
});
